import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignUnits, rankDir, resolveScaleOut } from '../../src/index.js';

test('rank and world size: flags, SKEIN_*, Slurm arrays (min index and step), Kubernetes Indexed Jobs', () => {
  assert.deepEqual(resolveScaleOut({}, {}), { rank: 0, worldSize: 1, from: 'default' });
  assert.deepEqual(resolveScaleOut({ rank: 2, worldSize: 4 }, {}), { rank: 2, worldSize: 4, from: 'flags' });
  assert.deepEqual(resolveScaleOut({}, { SKEIN_RANK: '1', SKEIN_WORLD_SIZE: '3' }), { rank: 1, worldSize: 3, from: 'env' });
  // --array=1-8: ids 1..8 are ranks 0..7.
  assert.deepEqual(resolveScaleOut({}, { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '8', SLURM_ARRAY_TASK_COUNT: '8' }), { rank: 0, worldSize: 8, from: 'slurm' });
  assert.deepEqual(resolveScaleOut({}, { SLURM_ARRAY_TASK_ID: '8', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '8', SLURM_ARRAY_TASK_COUNT: '8' }), { rank: 7, worldSize: 8, from: 'slurm' });
  // --array=0-10:2: ids 0,2,…,10 are ranks 0..5.
  assert.deepEqual(resolveScaleOut({}, { SLURM_ARRAY_TASK_ID: '6', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '10', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '6' }).rank, 3);
  assert.throws(() => resolveScaleOut({}, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '9', SLURM_ARRAY_TASK_COUNT: '3' }), (e: Error) => e.name === 'UserError' && /irregular|cannot map Slurm array task 4/.test(e.message));
  assert.deepEqual(resolveScaleOut({}, { JOB_COMPLETION_INDEX: '2', SKEIN_WORLD_SIZE: '5' }), { rank: 2, worldSize: 5, from: 'kubernetes' });
  assert.deepEqual(resolveScaleOut({ worldSize: 5 }, { JOB_COMPLETION_INDEX: '4' }), { rank: 4, worldSize: 5, from: 'kubernetes' });
  assert.throws(() => resolveScaleOut({}, { JOB_COMPLETION_INDEX: '2' }), /pass --world-size or set SKEIN_WORLD_SIZE to \.spec\.completions/);
  assert.throws(() => resolveScaleOut({ rank: 3, worldSize: 3 }, {}), /rank 3 is outside 0\.\.2/);
  assert.throws(() => resolveScaleOut({ rank: 1 }, {}), /--rank needs --world-size/);
  assert.equal(rankDir('/out', { rank: 1, worldSize: 12 }), '/out/rank-00001-of-00012');
  assert.equal(rankDir('/out', { rank: 0, worldSize: 1 }), '/out');
});

test('units are partitioned deterministically, each to exactly one rank, balanced by bytes', () => {
  const units = Array.from({ length: 50 }, (_, i) => ({ order: i, bytes: 1000 + ((i * 7919) % 5000) }));
  const a = assignUnits(units, 4);
  assert.deepEqual(assignUnits(units, 4), a);
  const load = [0, 0, 0, 0];
  a.forEach((r, i) => (load[r]! += units[i]!.bytes));
  assert.ok(Math.max(...load) - Math.min(...load) <= 6000, `loads ${load}`);
  assert.deepEqual(assignUnits(units, 1), units.map(() => 0));
});
