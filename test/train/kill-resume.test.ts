import assert from 'node:assert/strict';
import path from 'node:path';
import { before, test } from 'node:test';
import { skein, tempDir } from '../helpers/cli.js';
import { killedRun, runSignature, uninterruptedRun } from '../helpers/train-kill.js';
import { trainBackends } from './backends.js';

const root = tempDir('skein-train-kill-');
const shards = path.join(root, 'shards');

before(() => {
  const b = skein(['build', '--tokenizer', 'o200k_base', '--builder', 'pack', '--seq-len', '256', '--output', shards, '-q']);
  assert.equal(b.code, 0, b.stderr);
});

/** Trials per backend (`npm run bench -- train-kill --trials N` runs hundreds). */
const TRIALS = 3;

for (const backend of trainBackends()) {
  test(`[${backend}] random SIGKILLs of skein train (seeded delays), each followed by --resume: losses and final weights equal the uninterrupted run's`, async (t) => {
    const args = [shards, '--backend', backend, '--seq-len', '64', '--batch-size', '4', '--vocab-size', '512', '--steps', '16', '--checkpoint-every', '2', '--seed', '3', '--no-progress'];
    const refDir = path.join(root, backend, 'ref');
    const { wallMs, startupMs } = await uninterruptedRun(args, refDir);
    const ref = runSignature(refDir);
    assert.equal(ref.steps.length, 16);
    let kills = 0;
    let resumes = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const runDir = path.join(root, backend, `killed-${trial}`);
      // Kills land anywhere from the end of start-up (a process killed while loading proves little) to the end of the run.
      const r = await killedRun({ args, runDir, seed: 11, trial, minDelayMs: Math.round(startupMs), maxDelayMs: Math.round(wallMs), maxKills: 2 });
      kills += r.kills;
      resumes += r.resumes;
      assert.deepEqual(runSignature(runDir), ref, `trial ${trial} (killed after ${r.delaysMs.join(', ')} ms) differs from the uninterrupted run`);
    }
    t.diagnostic(`${TRIALS} trials: ${kills} kills, ${resumes} resumed invocations, all identical to the uninterrupted run (${Math.round(wallMs)} ms, ${Math.round(startupMs)} of them start-up)`);
    assert.ok(kills > 0 && resumes > 0, 'the trials killed and resumed at least once');
  });
}
