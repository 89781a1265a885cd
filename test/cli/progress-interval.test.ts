import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logLineSeconds } from '../../src/cli/progress-interval.js';

test('progress lines: a caller\'s interval wins, then SKEIN_PROGRESS_SECONDS when it is a positive number, else 10 s', () => {
  assert.equal(logLineSeconds(3, { SKEIN_PROGRESS_SECONDS: '60' }), 3);
  assert.equal(logLineSeconds(undefined, { SKEIN_PROGRESS_SECONDS: '60' }), 60);
  assert.equal(logLineSeconds(undefined, { SKEIN_PROGRESS_SECONDS: '0.5' }), 0.5);
  for (const bad of ['', '0', '-1', 'soon', 'Infinity']) assert.equal(logLineSeconds(undefined, { SKEIN_PROGRESS_SECONDS: bad }), 10, bad);
  assert.equal(logLineSeconds(undefined, {}), 10);
});
