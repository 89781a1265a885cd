/**
 * `npm run bench -- train-kill --trials N`: the random-kill test of `skein train --resume` at a
 * larger count than CI runs (test/train/kill-resume.test.ts runs 3 trials per backend). Each
 * trial trains the same 16-step run, SIGKILLs it after seeded random delays (up to --max-kills
 * times), resumes, and compares every logged loss and the final weights.bin / optimizer.bin
 * sha256s with an uninterrupted run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { BackendName } from '../src/train/backend-names.js';
import { nativeStatus } from '../src/train/native/install-layout.js';
import { ROOT } from '../test/helpers/corpus.js';
import { killedRun, runSignature, uninterruptedRun } from '../test/helpers/train-kill.js';

/** The outcome on one backend. */
export interface TrainKillResult {
  backend: BackendName;
  trials: number;
  kills: number;
  resumes: number;
  /** Trials whose signature equals the uninterrupted run's. */
  identical: number;
  /** Trials that differed or failed, with why. */
  failures: string[];
}

/** Runs the trials (default backends: tensorflow when set up, and wasm). */
export async function benchTrainKill(o: { trials: number; backends?: BackendName[]; maxKills: number; seed: number; log: (line: string) => void }): Promise<TrainKillResult[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'skein-bench-train-kill-'));
  try {
    const shards = path.join(root, 'shards');
    const b = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'skein.js'), 'build', '--tokenizer', 'o200k_base', '--builder', 'pack', '--seq-len', '256', '--output', shards, '-q'], { encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`skein build failed: ${b.stderr}`);
    const backends = o.backends ?? ((nativeStatus('tensorflow').state === 'ready' ? ['tensorflow', 'wasm'] : ['wasm']) as BackendName[]);
    const out: TrainKillResult[] = [];
    for (const backend of backends) {
      const args = [shards, '--backend', backend, '--seq-len', '64', '--batch-size', '4', '--vocab-size', '512', '--steps', '16', '--checkpoint-every', '2', '--seed', '3', '--no-progress'];
      const refDir = path.join(root, backend, 'ref');
      const { wallMs, startupMs } = await uninterruptedRun(args, refDir);
      const ref = JSON.stringify(runSignature(refDir));
      const r: TrainKillResult = { backend, trials: o.trials, kills: 0, resumes: 0, identical: 0, failures: [] };
      for (let trial = 0; trial < o.trials; trial++) {
        const runDir = path.join(root, backend, `trial-${trial}`);
        try {
          const k = await killedRun({ args, runDir, seed: o.seed, trial, minDelayMs: Math.round(startupMs), maxDelayMs: Math.round(wallMs), maxKills: o.maxKills });
          r.kills += k.kills;
          r.resumes += k.resumes;
          if (JSON.stringify(runSignature(runDir)) === ref) r.identical++;
          else r.failures.push(`trial ${trial} (kills after ${k.delaysMs.join(', ')} ms)`);
        } catch (e) {
          r.failures.push(`trial ${trial}: ${(e as Error).message}`);
        }
        fs.rmSync(runDir, { recursive: true, force: true });
        if ((trial + 1) % 10 === 0) o.log(`${backend}: ${trial + 1}/${o.trials} trials, ${r.kills} kills, ${r.identical} identical`);
      }
      out.push(r);
    }
    return out;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
