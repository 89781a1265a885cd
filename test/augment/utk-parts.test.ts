import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ID_ALPHABET, randomChunkId } from '../../src/augment/utk/backtrace.js';
import { cutPoints, drawChunkCount } from '../../src/augment/utk/chunking.js';
import { checkUtkOptions } from '../../src/augment/utk/config.js';
import { interleaveChunks, shuffleChunks } from '../../src/augment/utk/placement.js';
import { UserError } from '../../src/util/errors.js';
import { rngFor } from '../../src/util/rng.js';
import { utkOpts } from './helpers.js';

test('cutPoints: equal chunks ⌊len/n⌋, …, remainder; random chunks distinct and sorted in 1…len−1; too short: none', () => {
  const rng = rngFor(0, 't', 0);
  assert.deepEqual(cutPoints(10, 3, false, rng), [3, 6]);
  assert.deepEqual(cutPoints(9, 3, false, rng), [3, 6]);
  assert.deepEqual(cutPoints(2, 3, false, rng), []);
  assert.deepEqual(cutPoints(2, 3, true, rng), []);
  assert.deepEqual(cutPoints(3, 3, true, rng), [1, 2]);
  assert.deepEqual(cutPoints(50, 1, true, rng), []);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 6 }), fc.nat(), (len, n, seed) => {
      const c = cutPoints(len, n, true, rngFor(seed, 't', len));
      if (len < n) return assert.deepEqual(c, []);
      assert.equal(c.length, n - 1);
      for (let i = 0; i < c.length; i++) {
        assert.ok(c[i]! >= 1 && c[i]! <= len - 1);
        if (i) assert.ok(c[i]! > c[i - 1]!);
      }
    }),
  );
  // The chunk count follows the variant: [0, 1, 0] always gives 2.
  for (let k = 0; k < 20; k++) assert.equal(drawChunkCount([0, 1, 0], rngFor(0, 't', k)), 2);
});

test('shuffleChunks: a permutation of all chunks with the last chunk of the last document pinned; partial order when asked', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }), fc.boolean(), fc.nat(), (counts, keep, seed) => {
      const p = shuffleChunks(counts, rngFor(seed, 'utk', 0), keep);
      const total = counts.reduce((a, b) => a + b, 0);
      assert.equal(p.order.length, total);
      assert.deepEqual(p.order[total - 1], [counts.length - 1, counts[counts.length - 1]! - 1]);
      const seen = new Set(p.order.map(([d, c]) => `${d}.${c}`));
      assert.equal(seen.size, total);
      counts.forEach((n, d) => {
        assert.equal(p.slots[d]!.length, n);
        p.slots[d]!.forEach((slot, c) => assert.deepEqual(p.order[slot], [d, c]));
        if (keep) for (let c = 1; c < n; c++) assert.ok(p.slots[d]![c]! > p.slots[d]![c - 1]!);
      });
    }),
  );
});

test('interleaveChunks (skywork baseline): chunk 0 of every document, then chunk 1, …', () => {
  const p = interleaveChunks([2, 1, 3]);
  assert.deepEqual(p.order, [[0, 0], [1, 0], [2, 0], [0, 1], [2, 1], [2, 2]]);
  assert.deepEqual(p.slots, [[0, 3], [1], [2, 4, 5]]);
});

test('chunk IDs: 6 symbols of [A-Za-z0-9], uniform enough', () => {
  const freq = new Map<string, number>();
  const rng = rngFor(0, 'utk', 'ids');
  for (let k = 0; k < 2000; k++) {
    const id = randomChunkId(rng);
    assert.match(id, /^[A-Za-z0-9]{6}$/);
    for (const ch of id) freq.set(ch, (freq.get(ch) ?? 0) + 1);
  }
  assert.equal(ID_ALPHABET.length, 62);
  assert.equal(freq.size, 62);
});

test('checkUtkOptions: one line naming the key and the fix', () => {
  const bad: Array<[Parameters<typeof utkOpts>[0], RegExp]> = [
    [{ variantProbs: [1] }, /augment\[0\]\.variants has 2 variants but variant_probs has 1/],
    [{ variants: [[1, 0, 0], [0, 1]], knotTokens: ['a', 'b', 'c', 'd'] }, /variants\[1\] has 2 entries but variants\[0\] has 3/],
    [{ knotTokens: ['a', 'b'] }, /knot_tokens has 2 strings, expected 4/],
    [{ variantProbs: [0, 0] }, /variant_probs sums to 0/],
    [{ knotTokens: ['a', 'b', 'c', 'a'] }, /knot_tokens\[3\] repeats knot_tokens\[0\]/],
    [{ skyworkInterleave: true }, /set add_sort_task to false/],
  ];
  for (const [over, re] of bad) {
    assert.throws(() => checkUtkOptions(utkOpts(over), 'augment[0]'), (e: unknown) => e instanceof UserError && re.test(e.message) && !e.message.includes('\n'));
  }
  checkUtkOptions(utkOpts(), 'augment[0]');
});
