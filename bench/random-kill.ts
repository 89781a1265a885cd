/**
 * Random-kill trials: `skein build` (and `skein merge`) SIGKILLed at random moments, then run
 * again (possibly killed again) until it finishes; the output must equal an uninterrupted run's
 * byte for byte: every shard's sha256, the manifest (its `output.dir` aside), state.json,
 * dataset_info.json and rejects.jsonl. Used by test/cli/random-kill.test.ts at a modest count
 * and by `npm run bench -- random-kill --trials N` for hundreds.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { mixedInputs, writeMixedInputs } from '../test/helpers/mixed-inputs.js';
import { skeinAsync } from '../test/helpers/spawn.js';
import { fixture, packMixArgs, ROOT } from '../test/helpers/corpus.js';

/** One kind of run to interrupt: the arguments of a command writing into `out`. */
export interface KillScenario {
  name: string;
  /** Command-line arguments for an output folder (or a merged output). */
  args: (out: string) => string[];
  /** Runs once before the trials (e.g. the rank builds a merge joins), in the scenario's folder. */
  prepare?: (base: string) => Promise<void>;
}

const BUILD_FLAGS = ['--no-progress', '-q'];

/** The scenarios the issue names: concat-chunk, pack + mixing (with skipped bad records), UtK, multi-file Parquet + ZIP input, and merge. */
export function killScenarios(): KillScenario[] {
  return [
    { name: 'concat-chunk', args: (out) => ['build', '--output', out, '--seq-len', '1024', '--shard-tokens', '20000', ...BUILD_FLAGS] },
    { name: 'pack+mix', args: (out) => packMixArgs(out, [], BUILD_FLAGS) },
    { name: 'utk', args: (out) => ['build', path.join(ROOT, 'pipelines', 'utk.json'), '--seq-len', '2048', '--shard-tokens', '16000', '--output', out, ...BUILD_FLAGS] },
    {
      name: 'parquet+zip',
      args: (out) => [
        'build',
        '--input',
        fixture('corpus', 'sotu.snappy.parquet'),
        fixture('corpus', 'sotu.zip'),
        fixture('parquet', 'small.zstd-v2.parquet'),
        fixture('parquet', 'small.gzip.parquet'),
        '--tokenizer',
        'o200k_base',
        '--builder',
        'pack',
        '--seq-len',
        '1024',
        '--shard-tokens',
        '30000',
        '--output',
        out,
        ...BUILD_FLAGS,
      ],
    },
    {
      // Every format through the tokenizer workers (line blocks of JSONL read and encoded there).
      name: 'workers+mixed',
      prepare: async (base) => {
        writeMixedInputs(path.join(base, 'inputs'));
      },
      args: (out) => ['build', '--input', ...mixedInputs(path.join(path.dirname(out), 'inputs')), '--on-error', 'skip', '--workers', '2', '--seq-len', '1024', '--shard-tokens', '150000', '--output', out, ...BUILD_FLAGS],
    },
    {
      name: 'merge',
      prepare: async (base) => {
        for (const rank of ['0', '1', '2']) {
          const r = await run(['build', '--output', path.join(base, 'ranks'), '--world-size', '3', '--rank', rank, '--seq-len', '1024', '--shard-tokens', '20000', ...BUILD_FLAGS]);
          if (r.code !== 0) throw new Error(`rank ${rank} build failed: ${r.stderr}`);
        }
      },
      args: (out) => {
        const ranks = path.join(path.dirname(out), 'ranks');
        return ['merge', ...fs.readdirSync(ranks).sort().map((d) => path.join(ranks, d)), '--output', out, '--hardlink'];
      },
    },
  ];
}

/** A finished child process. */
interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  ms: number;
}

/** Runs `skein <args>`; with `killAfterMs`, SIGKILLs it then (if it is still running). */
async function run(args: string[], killAfterMs?: number): Promise<Ran> {
  const t0 = performance.now();
  const r = await skeinAsync(args, {}, ROOT, killAfterMs);
  return { code: r.code, signal: r.signal, stderr: r.stderr, ms: performance.now() - t0 };
}

/** The bytes of an output folder that must not depend on interruptions. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const sha = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');
  for (const f of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, f);
    if (f.endsWith('.arrow')) out[f] = sha(p);
    else if (f === 'manifest.json') {
      const m = JSON.parse(fs.readFileSync(p, 'utf8'));
      if (m.config?.output) delete m.config.output.dir;
      out[f] = JSON.stringify(m);
    } else if (['state.json', 'dataset_info.json', 'rejects.jsonl'].includes(f)) out[f] = fs.readFileSync(p, 'utf8');
  }
  if (fs.existsSync(path.join(dir, '.skein'))) out['.skein'] = 'left behind';
  return out;
}

/** What a scenario's trials found. */
export interface KillReport {
  scenario: string;
  trials: number;
  /** Kills that landed while the process ran (the rest found it finished already). */
  kills: number;
  /** Trials whose final output equalled the uninterrupted run's. */
  identical: number;
  /** The uninterrupted run's duration. */
  referenceMs: number;
  failures: string[];
}

/**
 * Runs `trials` random-kill trials of a scenario: each kills a run after a uniform random delay
 * in [0, 1.2 × the uninterrupted duration], then, with probability ½ each time, kills the rerun
 * too (up to 3 kills), and finally lets it finish; compares with the uninterrupted output.
 */
export async function randomKillTrials(s: KillScenario, trials: number, seed: number): Promise<KillReport> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), `skein-kill-${s.name}-`));
  try {
    await s.prepare?.(base);
    const refDir = path.join(base, 'ref');
    const ref = await run(s.args(refDir));
    if (ref.code !== 0) throw new Error(`${s.name}: the uninterrupted run failed: ${ref.stderr}`);
    const expected = snapshot(refDir);
    const rng = seedrandom.alea(`${seed}:${s.name}`);
    const report: KillReport = { scenario: s.name, trials, kills: 0, identical: 0, referenceMs: Math.round(ref.ms), failures: [] };
    for (let t = 0; t < trials; t++) {
      const out = path.join(base, `t${t}`);
      for (let k = 0; k < 3; k++) {
        const r = await run(s.args(out), rng() * 1.2 * ref.ms);
        if (r.signal === 'SIGKILL') report.kills++;
        else if (r.code !== 0) report.failures.push(`trial ${t}, kill ${k}: exit ${r.code}: ${r.stderr.trim().split('\n').at(-1)}`);
        if (rng() < 0.5) break;
      }
      const last = await run(s.args(out));
      if (last.code !== 0) {
        report.failures.push(`trial ${t}: the final run failed (exit ${last.code}): ${last.stderr.trim().split('\n').at(-1)}`);
        continue;
      }
      const got = snapshot(out);
      const differing = [...new Set([...Object.keys(expected), ...Object.keys(got)])].filter((k) => expected[k] !== got[k]);
      if (differing.length === 0) report.identical++;
      else report.failures.push(`trial ${t}: differs from the uninterrupted run in ${differing.join(', ')}`);
      fs.rmSync(out, { recursive: true, force: true });
    }
    return report;
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}
