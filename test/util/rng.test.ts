import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { rngFor } from '../../src/util/rng.js';

test('the same (seed, stage, key) gives the same stream; any part changed gives another', () => {
  const draw = (s: number, st: string, k: string | number) => Array.from({ length: 8 }, ((r) => () => r.float())(rngFor(s, st, k)));
  assert.deepEqual(draw(1, 'utk', 'doc-1'), draw(1, 'utk', 'doc-1'));
  assert.notDeepEqual(draw(1, 'utk', 'doc-1'), draw(2, 'utk', 'doc-1'));
  assert.notDeepEqual(draw(1, 'utk', 'doc-1'), draw(1, 'pose', 'doc-1'));
  assert.notDeepEqual(draw(1, 'utk', 'doc-1'), draw(1, 'utk', 'doc-2'));
});

test('property: sample(n, k) gives k distinct values in [0, n); int stays in range; shuffle permutes', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 2000 }), fc.string(), (n, k0, key) => {
      const k = Math.min(k0, n);
      const r = rngFor(7, 'test', key);
      const s = r.sample(n, k);
      assert.equal(s.length, k);
      assert.equal(new Set(s).size, k);
      assert.ok(s.every((v) => Number.isInteger(v) && v >= 0 && v < n));
      const v = r.int(-3, 5);
      assert.ok(v >= -3 && v <= 5 && Number.isInteger(v));
      const a = Array.from({ length: 20 }, (_, i) => i);
      assert.deepEqual([...r.shuffle([...a])].sort((x, y) => x - y), a);
    }),
    { numRuns: 300 },
  );
});

test('weighted draws follow the weights (10,000 draws, within 3%)', () => {
  const r = rngFor(0, 'w', 0);
  const counts = [0, 0, 0];
  for (let i = 0; i < 10_000; i++) counts[r.weighted([0.7, 0, 0.3])]!++;
  assert.equal(counts[1], 0);
  assert.ok(Math.abs(counts[0]! / 10_000 - 0.7) < 0.03, String(counts));
});
