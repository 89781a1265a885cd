import assert from 'node:assert/strict';
import { test } from 'node:test';
import { killScenarios, randomKillTrials } from '../../bench/random-kill.js';

// A modest count here; `npm run bench -- random-kill --trials 100` runs hundreds.
const TRIALS = Number(process.env.SKEIN_KILL_TRIALS ?? 2);

for (const scenario of killScenarios()) {
  test(`SIGKILL at random moments (${scenario.name}), rerun until done: the output equals the uninterrupted run byte for byte`, async () => {
    const r = await randomKillTrials(scenario, TRIALS, 20261202);
    assert.deepEqual(r.failures, []);
    assert.equal(r.identical, TRIALS);
    assert.ok(r.kills >= 1, `at least one kill landed while ${scenario.name} ran (${JSON.stringify(r)})`);
  });
}
