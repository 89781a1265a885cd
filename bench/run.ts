/**
 * `npm run bench -- <name> [--json] [--repeat N] [--tokenizers a,b] [--workers N] [--quick]`: runs a benchmark and prints
 * ratios measured in one run. Benchmarks: `build` (skein build vs the bare tokenizer), `augment`
 * (a build with UtK + eod-mask-loss vs the same build without; `--seq-len`, `--rounds`), `train`
 * (trainer tokens/s and GFLOP/s vs plain matmul, tensorflow and wasm side by side; `--backends`,
 * `--presets`, `--seconds`), `train-kill` (random SIGKILLs of `skein train` then `--resume`, compared
 * with an uninterrupted run; `--trials`, `--backends`, `--max-kills`, `--seed`), `replicate` (PoSE and
 * RandPos vs plain positions on passkey retrieval, docs/replication.md; `--steps`, `--rows`, `--out`),
 * `tokenize` (per tokenizer × engine: bare engine vs `skein build` as a CLI process with 1 and N
 * workers, and peak RSS on a 100 MB vs a 1 GB corpus; `--engines`, `--workers`, `--quick` (20 MB,
 * no 1 GB run), `--corpus-mb`, `--rss-mb` / `--no-1g`, `--seed`, `--build`, `--peers` / `--no-peers`
 * (the Python tokenizers/tiktoken on the same corpus; on by default without `--quick`); see bench/tokenize.ts),
 * `random-kill` (SIGKILL builds and merges at random moments, rerun, compare with an uninterrupted
 * run; `--trials`, `--seed`, `--scenarios`; see bench/random-kill.ts), `inputs` (ZIP member
 * scaling, decompression bombs through the CLI with peak RSS, decoder MB/s, optional fuzz runs;
 * `--quick`, `--fuzz-runs N`; see bench/inputs.ts), `remote` (inputs over loopback HTTP and S3
 * against the same files on disk, with resets; `--mb`; see bench/remote.ts), `charts` (render time of
 * each chart as SVG and PNG, and the install size of the charting packages; `--repeat`; see bench/charts.ts).
 */
import os from 'node:os';
import { benchAugment } from './augment.js';
import { benchBuild } from './build.js';

const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('--')) ?? 'build';
const flag = (f: string) => {
  const i = args.indexOf(f);
  return i >= 0 ? args[i + 1] : undefined;
};
const json = args.includes('--json');

if (name === 'build') {
  const tokenizers = (flag('--tokenizers') ?? 'llama3,o200k_base').split(',');
  const repeat = Number(flag('--repeat') ?? 1);
  const workers = flag('--workers');
  const results = await benchBuild(tokenizers, repeat, workers === undefined ? undefined : Number(workers));
  for (const r of results) {
    console.log(
      `${r.tokenizer.padEnd(12)} workers ${r.workers}${r.workerPool ? ' (pool)' : ' (in-process)'} ${r.mb} MB, ${r.tokens} tokens | bare ${(r.bareTokensPerSec / 1e6).toFixed(2)}M tok/s | skein build ${(r.e2eTokensPerSec / 1e6).toFixed(2)}M tok/s (${r.e2eMBPerSec} MB/s) | ratio e2e/bare ${r.ratio} | setup ${r.setupSeconds}s | peak RSS ${r.peakRssMB} MB | main thread ${r.mainCpuPerMTokens} CPU-s/Mtok (all threads ${r.cpuPerMTokens}), ceiling ${r.ceilingTokensPerSec === null ? '–' : (r.ceilingTokensPerSec / 1e6).toFixed(1)}M tok/s`,
    );
  }
  if (json) console.log(JSON.stringify(results));
} else if (name === 'random-kill') {
  // `random-kill [--trials N] [--seed N] [--scenarios a,b]`: SIGKILL at random moments, rerun, compare with an uninterrupted run.
  const { killScenarios, randomKillTrials } = await import('./random-kill.js');
  const wanted = flag('--scenarios')?.split(',');
  const reports = [];
  for (const s of killScenarios().filter((x) => !wanted || wanted.includes(x.name))) {
    const r = await randomKillTrials(s, Number(flag('--trials') ?? 20), Number(flag('--seed') ?? 1));
    reports.push(r);
    console.log(`${r.scenario.padEnd(12)} ${r.trials} trials, ${r.kills} kills landed (uninterrupted run ${r.referenceMs} ms): ${r.identical}/${r.trials} byte-identical${r.failures.length ? `; FAILURES:\n  ${r.failures.join('\n  ')}` : ''}`);
  }
  if (json) console.log(JSON.stringify(reports));
  if (reports.some((r) => r.failures.length)) process.exitCode = 1;
} else if (name === 'augment') {
  // `augment [--seq-len N] [--rounds N] [--repeat N]`: UtK + eod-mask-loss vs the same build without.
  const r = await benchAugment(Number(flag('--seq-len') ?? 8192), Number(flag('--rounds') ?? 3), Number(flag('--repeat') ?? 1));
  console.log(
    `augment (utk + eod-mask-loss), concat-chunk ${r.seqLen}, ${r.mb} MB, ${r.tokens} tokens, ${r.rows} rows | build ${r.plainSeconds}s plain, ${r.augmentedSeconds}s augmented (median): ${(r.extra * 100).toFixed(1)}% extra | CPU ${r.plainCpuSeconds}s vs ${r.augmentedCpuSeconds}s: ${(r.cpuExtra * 100).toFixed(1)}% extra | augmenters alone ${r.augmentOnlySeconds}s = ${(r.augmentOnlyShare * 100).toFixed(1)}% of the plain build | utk ${JSON.stringify(r.utk)}`,
  );
  if (json) console.log(JSON.stringify(r));
} else if (name === 'train') {
  // `train [--backends tensorflow,wasm] [--presets tiny,small] [--seconds N]`: trainer tokens/s and GFLOP/s vs plain matmul per backend, side by side.
  const { benchTrain, describeTrainBench } = await import('./train.js');
  const list = <T extends string>(f: string) => flag(f)?.split(',') as T[] | undefined;
  const r = await benchTrain({ backends: list('--backends'), presets: list('--presets'), seconds: flag('--seconds') ? Number(flag('--seconds')) : undefined });
  console.log(describeTrainBench(r));
  if (json) console.log(JSON.stringify(r));
} else if (name === 'train-kill') {
  // `train-kill [--trials N] [--backends tensorflow,wasm] [--max-kills N] [--seed N]`: SIGKILL skein train at seeded random delays, resume, compare with the uninterrupted run.
  const { benchTrainKill } = await import('./train-kill.js');
  const r = await benchTrainKill({
    trials: Number(flag('--trials') ?? 100),
    backends: flag('--backends')?.split(',') as never,
    maxKills: Number(flag('--max-kills') ?? 3),
    seed: Number(flag('--seed') ?? 1),
    log: (line) => console.error(`bench train-kill: ${line}`),
  });
  for (const b of r) console.log(`${b.backend.padEnd(11)} ${b.trials} trials, ${b.kills} kills, ${b.resumes} resumed invocations: ${b.identical} of ${b.trials} runs identical to the uninterrupted run (losses, weights.bin, optimizer.bin)${b.failures.length ? `; differing: ${b.failures.join(', ')}` : ''}`);
  if (r.some((b) => b.identical !== b.trials)) process.exitCode = 1;
  if (json) console.log(JSON.stringify(r));
} else if (name === 'replicate') {
  // `replicate [--steps N] [--docs N] [--samples N] [--rows plain,pose,randpos] [--out DIR]`: PoSE / RandPos vs plain positions on passkey retrieval (docs/replication.md).
  const { benchReplicate } = await import('./replicate/replicate.js');
  await benchReplicate({
    steps: flag('--steps') ? Number(flag('--steps')) : undefined,
    docs: flag('--docs') ? Number(flag('--docs')) : undefined,
    samples: flag('--samples') ? Number(flag('--samples')) : undefined,
    rows: flag('--rows')?.split(','),
    out: flag('--out'),
    backend: flag('--backend') as never,
    log: (line) => console.error(`bench replicate: ${line}`),
  });
} else if (name === 'tokenize') {
  // `tokenize [--tokenizers a,b] [--engines a,b] [--workers N] [--quick] [--corpus-mb N] [--rss-mb N | --no-1g] [--seed N] [--build]`.
  const { benchTokenize, describePeer, describeResult, describeRss, ENGINE_NAMES } = await import('./tokenize.js');
  type Engine = (typeof ENGINE_NAMES)[number];
  const quick = args.includes('--quick');
  const engines = flag('--engines')?.split(',') as Engine[] | undefined;
  const bad = engines?.filter((e) => !ENGINE_NAMES.includes(e));
  if (bad?.length) throw new Error(`unknown engine ${bad.join(', ')}; engines: ${ENGINE_NAMES.join(', ')}`);
  const r = await benchTokenize({
    tokenizers: (flag('--tokenizers') ?? 'llama3,o200k_base').split(','),
    engines,
    workers: Number(flag('--workers') ?? os.availableParallelism()),
    corpusMB: Number(flag('--corpus-mb') ?? (quick ? 20 : 100)),
    rssMB: args.includes('--no-1g') ? 0 : Number(flag('--rss-mb') ?? (quick ? 0 : 1000)),
    quick,
    seed: Number(flag('--seed') ?? 0),
    build: args.includes('--build'),
    peers: args.includes('--peers') || (!quick && !args.includes('--no-peers')),
    log: (line) => console.error(`bench tokenize: ${line}`),
  });
  console.log(`corpus ${r.corpusMB} MB (${r.corpusDocs} documents)${r.quick ? ', quick' : ''} | ${r.machine.cores} cores, ${r.machine.cpu}, Node ${r.machine.node}, load ${r.machine.loadavg.join(' ')}${r.distStale ? ' | warning: dist/ older than src/' : ''}`);
  for (const x of r.results) console.log(describeResult(x));
  for (const p of r.peers) console.log(describePeer(r, p));
  console.log(describeRss(r));
  if (r.results.some((x) => x.status === 'failed') || r.engine === null) process.exitCode = 1;
  if (json) console.log(JSON.stringify(r));
} else if (name === 'inputs') {
  // `inputs [--quick] [--fuzz-runs N]`: readers on hostile and large inputs.
  const { benchInputs } = await import('./inputs.js');
  const r = await benchInputs({ quick: args.includes('--quick'), fuzzRuns: Number(flag('--fuzz-runs') ?? 0), log: (line) => console.error(`bench inputs: ${line}`) });
  for (const x of r) {
    const { kind, name: what, ...rest } = x;
    console.log(`${kind.padEnd(6)} ${what.padEnd(30)} ${Object.entries(rest).map(([k, v]) => `${k} ${v}`).join(' | ')}`);
  }
  if (json) console.log(JSON.stringify(r));
} else if (name === 'remote') {
  // `remote [--mb N]`: inputs over loopback HTTP and S3 against the same files on disk.
  const { benchRemote } = await import('./remote.js');
  const r = await benchRemote({ mb: Number(flag('--mb') ?? 60), log: (line) => console.error(`bench remote: ${line}`) });
  for (const x of r) {
    const { name: what, ...rest } = x;
    console.log(`${what.padEnd(28)} ${Object.entries(rest).map(([k, v]) => `${k} ${v}`).join(' | ')}`);
  }
  if (json) console.log(JSON.stringify(r));
} else if (name === 'charts') {
  // `charts [--repeat N]`: chart render times (SVG, PNG) and the charting packages' install size.
  const { benchCharts } = await import('./charts.js');
  const r = await benchCharts(Number(flag('--repeat') ?? 5));
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  console.log(`first render in a process: SVG ${r.firstSvgMs.toFixed(0)} ms (loads vega + vega-lite), PNG ${r.firstPngMs.toFixed(0)} ms with resvg-js, ${r.firstWasmMs.toFixed(0)} ms with resvg-wasm (compiles it): wasm/native ${(r.firstWasmMs / r.firstPngMs).toFixed(1)}`);
  for (const c of r.charts) {
    console.log(`${c.chart.padEnd(32)} SVG ${c.svgMs.toFixed(0)} ms (${(c.svgBytes / 1024).toFixed(0)} KB) | PNG ${c.pngMs.toFixed(0)} ms native, ${c.wasmMs.toFixed(0)} ms wasm (${(c.pngBytes / 1024).toFixed(0)} KB) | PNG/SVG ${(c.pngMs / c.svgMs).toFixed(2)}, wasm/native ${(c.wasmMs / c.pngMs).toFixed(1)}`);
  }
  console.log(`install: ${r.install.packages} packages, ${mb(r.install.bytes)} (${Object.entries(r.install.byRoot).map(([k, v]) => `${k} ${mb(v)}`).join(', ')})`);
  if (json) console.log(JSON.stringify(r));
} else {
  console.error(`unknown benchmark '${name}'; available: build, augment, train, train-kill, replicate, tokenize, random-kill, inputs, remote, charts`);
  process.exitCode = 1;
}
