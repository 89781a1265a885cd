/**
 * `npm run bench -- replicate`: does skein's long-context data do what the papers say? On a
 * synthetic passkey corpus (passkey-corpus.ts), the same tiny model is trained on 128-token
 * windows once per row of the table — plain continuous positions, skein's PoSE builder, skein's
 * RandPos builder — and each checkpoint is scored by `skein eval` passkey at 128, 256, 512 and
 * 1,024 tokens (exact match of the greedy answer, per length × depth), plus the diagnostics of
 * position-diagnostics.ts (long distances with short content, two ways). Everything runs in this process (CPU time is measured
 * with process.cpuUsage) through skein's library API, the same code the CLI runs; the equivalent
 * CLI commands are printed. Results: `<out>/results.json`, `<out>/<row>/report/passkey-heatmap.svg`.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateEvalSet } from '../../src/eval/gen-eval.js';
import { runEval } from '../../src/eval/run-eval.js';
import { loadConfigObject } from '../../src/config/load-config.js';
import { runBuild } from '../../src/run/run-build.js';
import { selectBackend, type BackendName } from '../../src/train/backend.js';
import { train } from '../../src/train/trainer.js';
import { writePasskeyCorpus } from './passkey-corpus.js';
import { positionDiagnostics } from './position-diagnostics.js';

/** One row of the table: how its training shards are built. */
interface RowSpec {
  name: string;
  /** The `builder` section of the pipeline config. */
  builder: Record<string, unknown>;
  /** The `skein build` flags that give the same builder. */
  flags: string;
}

/** Eval lengths. */
const LENGTHS = [128, 256, 512, 1024];
/** The PoSE / RandPos target window. */
const TARGET = 2048;

/** The rows, by name. */
const ROWS: Record<string, RowSpec> = {
  plain: { name: 'plain', builder: { type: 'single', seq_len: 128 }, flags: '--builder single --seq-len 128' },
  pose: { name: 'pose', builder: { type: 'pose', seq_len: 128, target_len: TARGET }, flags: `--builder pose --seq-len 128 --target-len ${TARGET}` },
  'pose-1024': { name: 'pose-1024', builder: { type: 'pose', seq_len: 128, target_len: 1024 }, flags: '--builder pose --seq-len 128 --target-len 1024' },
  randpos: { name: 'randpos', builder: { type: 'randpos', seq_len: 128, target_len: TARGET }, flags: `--builder randpos --seq-len 128 --target-len ${TARGET}` },
};

/** Options of {@link benchReplicate}. */
export interface ReplicateOptions {
  /** Optimizer steps per row (default 1500). */
  steps?: number;
  /** Corpus documents (default: as many as the steps consume, so no document repeats). */
  docs?: number;
  /** Eval samples per (length, depth) cell (default 10). */
  samples?: number;
  /** Rows to run (default plain, pose, randpos). */
  rows?: string[];
  /** Working folder (default: a new folder under the OS temp dir). */
  out?: string;
  backend?: BackendName | 'auto';
  log: (line: string) => void;
}

/** What one row measured. */
export interface RowResult {
  row: string;
  build: string;
  /** Exact match by eval length. */
  exact: Record<number, number>;
  /** Exact match by (length, depth). */
  cells: Array<{ length: number; depth: number; exact: number; samples: number }>;
  /** Exact match of the 128-token samples with the question's positions stretched to each length (position-diagnostics.ts). */
  stretched: Record<number, number>;
  /** Exact match of the real samples with the filler tokens hidden from attention (position-diagnostics.ts). */
  fillersHidden: Record<number, number>;
  finalLoss: number;
  trainWallSeconds: number;
  trainCpuSeconds: number;
  evalCpuSeconds: number;
  heatmap: string;
}

/** CPU seconds of this process since `from`. */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1e6;
};

/** Runs the replication and prints the table (see the module comment). */
export async function benchReplicate(o: ReplicateOptions): Promise<{ rows: RowResult[]; out: string }> {
  const steps = o.steps ?? 1500;
  const batch = 8;
  const docs = o.docs ?? Math.ceil(steps * batch * 1.05);
  const samples = o.samples ?? 10;
  const rows = (o.rows ?? ['plain', 'pose', 'randpos']).map((r) => {
    const spec = ROWS[r];
    if (!spec) throw new Error(`unknown row '${r}': ${Object.keys(ROWS).join(', ')}`);
    return spec;
  });
  const out = path.resolve(o.out ?? path.join(os.tmpdir(), `skein-replicate-${process.pid}`));
  await mkdir(out, { recursive: true });
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const backend = await selectBackend(o.backend ?? 'auto');
  o.log(`backend ${backend.name}${backend.detail ? ` (${backend.detail})` : ''}; ${os.availableParallelism()} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; working folder ${out}`);

  const corpus = path.join(out, 'passkey.jsonl');
  await writePasskeyCorpus(corpus, { docs, maxFillers: 2, seed: 1 });
  o.log(`corpus: ${docs} passkey documents (0-2 fillers, key at a random depth), ${corpus}`);
  const evalDir = path.join(out, 'eval-passkey');
  await generateEvalSet({ task: 'passkey', lengths: LENGTHS, samples, tokenizer: 'llama3', output: evalDir });
  o.log(`eval set: npx skein gen-eval passkey --lengths ${LENGTHS.join(',')} --samples ${samples} --output ${evalDir}`);

  const results: RowResult[] = [];
  for (const row of rows) {
    const dir = path.join(out, row.name);
    const shards = path.join(dir, 'shards');
    await rm(path.join(dir, 'run'), { recursive: true, force: true }); // a rerun trains again (the shards are reused when unchanged)
    await rm(path.join(dir, 'report'), { recursive: true, force: true });
    await runBuild(loadConfigObject({ inputs: [{ path: corpus, name: 'passkey' }], tokenizer: { name: 'llama3' }, builder: row.builder as never, seed: 0, output: { dir: shards } }));
    const build = `npx skein build -i ${corpus} -t llama3 ${row.flags} -o ${shards}`;
    o.log(`${row.name}: ${build}`);
    o.log(`${row.name}: npx skein train ${shards} -o ${path.join(dir, 'run')} --steps ${steps} --seq-len 128 --batch-size ${batch} --seed 0 --backend ${backend.name}`);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const tr = await train({ data: shards, output: path.join(dir, 'run'), steps, seqLen: 128, batchSize: batch, seed: 0, backend: backend.name, checkpointEvery: steps, keepCheckpoints: 1 });
    const trainWallSeconds = (performance.now() - t0) / 1000;
    const trainCpuSeconds = cpuSince(c0);
    const c1 = process.cpuUsage();
    const report = await runEval({ checkpoint: path.join(dir, 'run'), dirs: [evalDir], output: path.join(dir, 'report'), backend: backend.name });
    const diag = await positionDiagnostics(path.join(dir, 'run'), evalDir, LENGTHS);
    const evalCpuSeconds = cpuSince(c1);
    const task = report.tasks[0]!;
    const r: RowResult = {
      row: row.name,
      build,
      exact: Object.fromEntries(task.by_length.map((l) => [l.length, l.exact_match])),
      cells: task.cells.map((c) => ({ length: c.length, depth: c.depth, exact: c.exact_match, samples: c.samples })),
      stretched: diag.stretched,
      fillersHidden: diag.fillersHidden,
      finalLoss: tr.losses.at(-1)!,
      trainWallSeconds: +trainWallSeconds.toFixed(1),
      trainCpuSeconds: +trainCpuSeconds.toFixed(1),
      evalCpuSeconds: +evalCpuSeconds.toFixed(1),
      heatmap: path.join(dir, 'report', 'passkey-heatmap.svg'),
    };
    results.push(r);
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    o.log(`${row.name}: exact match ${LENGTHS.map((l) => `${l}: ${pct(r.exact[l]!)}`).join(', ')}; stretched positions ${LENGTHS.map((l) => `${l}: ${pct(r.stretched[l]!)}`).join(', ')}; fillers hidden ${LENGTHS.map((l) => `${l}: ${pct(r.fillersHidden[l]!)}`).join(', ')}; loss ${r.finalLoss.toFixed(3)}; train ${r.trainWallSeconds} s wall, ${r.trainCpuSeconds} s CPU`);
  }
  const summary = { steps, batch, docs, samples, lengths: LENGTHS, target: TARGET, backend: backend.name, wallSeconds: +((performance.now() - started) / 1000).toFixed(1), cpuSeconds: +cpuSince(cpu0).toFixed(1), loadAverage: os.loadavg(), rows: results };
  await writeFile(path.join(out, 'results.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const p = (x: number) => `${Math.round(x * 100)}%`;
  const head = `| row | ${LENGTHS.join(' | ')} | stretched positions ${LENGTHS.slice(1).join(' / ')} | fillers hidden ${LENGTHS.slice(1).join(' / ')} | final loss | train s (CPU s) |`;
  const lines = [head, `|---|${LENGTHS.map(() => '---').join('|')}|---|---|---|---|`];
  for (const r of results) {
    const tail = LENGTHS.slice(1);
    lines.push(`| ${r.row} | ${LENGTHS.map((l) => p(r.exact[l]!)).join(' | ')} | ${tail.map((l) => p(r.stretched[l]!)).join(' / ')} | ${tail.map((l) => p(r.fillersHidden[l]!)).join(' / ')} | ${r.finalLoss.toFixed(3)} | ${r.trainWallSeconds} (${r.trainCpuSeconds}) |`);
  }
  console.log(lines.join('\n'));
  console.log(`total ${summary.wallSeconds} s wall, ${summary.cpuSeconds} s CPU; results ${path.join(out, 'results.json')}`);
  return { rows: results, out };
}
