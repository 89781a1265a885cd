import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ID_ALPHABET, randomChunkId } from '../../src/augment/utk/backtrace.js';
import { cutPoints, drawChunkCount } from '../../src/augment/utk/chunking.js';
import { checkUtkOptions } from '../../src/augment/utk/config.js';
import { reservedSpecialTokens, resolveUtkMarkers } from '../../src/augment/utk/markers.js';
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

/** A fake tokenizer with the given special tokens and ordinary vocabulary, registering new ids from 1000. */
function markerEngine(specials: Record<string, number>, ordinary: Record<string, number> = {}, specialIds: Record<string, number> = {}) {
  const added: Record<string, number> = {};
  let next = 1000;
  return {
    info: { name: 'fake', kind: 'tokenizer.json' as const, source: 'test', vocabSize: 1000, specialIds, sha256: '', engine: 'fake' },
    specialTokens: () => ({ ...specials }),
    addedTokens: () => ({ ...added }),
    tokenToId: (t: string) => added[t] ?? specials[t] ?? ordinary[t],
    addTokens: (ts: readonly string[]) => ts.map((t) => (added[t] ??= next++)),
  };
}

test('resolveUtkMarkers: reserved special tokens by name pattern and special flag, knots first in id order; fallback to new ids; named markers kept', () => {
  const reserved = (n: number, name = (i: number) => `<|reserved_special_token_${i}|>`) => Object.fromEntries(Array.from({ length: n }, (_, i) => [name(i), 900 + i]));
  // Enough reserved tokens: knots take the first four, the sort markers the next five; BOS/EOS are never taken.
  let e = markerEngine({ ...reserved(12), '<|begin_of_text|>': 800 }, {}, { bos: 800, eos: 900 });
  let m = resolveUtkMarkers(e, utkOpts(), { knots: false, sort: false });
  assert.equal(m.source, 'reserved');
  assert.deepEqual(Array.from(m.ids.knots), [901, 902, 903, 904], 'the EOS (900) is skipped');
  assert.deepEqual(m.ids.sort, { open: 905, close: 906, summaryOpen: 907, summarySep: 908, summaryClose: 909 });
  assert.deepEqual(e.addedTokens(), {}, 'nothing new');
  assert.deepEqual(reservedSpecialTokens(markerEngine({ '<unused3>': 7, '<unused1>': 5, '<｜place▁holder▁no▁0｜>': 9, '<SPECIAL_20>': 11, '<|im_start|>': 3 })), ['<unused1>', '<unused3>', '<｜place▁holder▁no▁0｜>', '<SPECIAL_20>']);
  // A name that looks reserved but is an ordinary (non-special) token is not reserved.
  assert.deepEqual(reservedSpecialTokens(markerEngine({}, { '<unused0>': 4 })), []);
  // Too few (Qwen3, OpenAI encodings): new ids with the default names, in order.
  e = markerEngine(reserved(8));
  m = resolveUtkMarkers(e, utkOpts(), { knots: false, sort: false });
  assert.equal(m.source, 'new');
  assert.deepEqual(Array.from(m.ids.knots), [1000, 1001, 1002, 1003]);
  assert.deepEqual(Object.keys(e.addedTokens()), ['<|knot_1_end|>', '<|knot_1_start|>', '<|knot_2_end|>', '<|knot_2_start|>', '<|D|>', '<|/D|>', '<|S|>', '<|s|>', '<|/S|>']);
  assert.throws(() => resolveUtkMarkers(markerEngine(reserved(8)), utkOpts(), { knots: false, sort: false }, 'reserved', 'augment[0]'), (err: Error) => err instanceof UserError && /has 8 unused reserved special tokens and UtK needs 9/.test(err.message));
  // markers "new" ignores reserved tokens.
  assert.equal(resolveUtkMarkers(markerEngine(reserved(20)), utkOpts(), { knots: false, sort: false }, 'new').source, 'new');
  // Named knots (special tokens) stay; only the sort markers come from the reserved pool, skipping the named ones.
  e = markerEngine(reserved(8));
  m = resolveUtkMarkers(e, utkOpts({ knotTokens: ['<|reserved_special_token_0|>', '<|reserved_special_token_1|>', 'K2e', 'K2s'] }), { knots: true, sort: false });
  assert.equal(m.source, 'reserved');
  assert.deepEqual(Array.from(m.ids.knots), [900, 901, 1000, 1001], 'a string the vocabulary lacks gets a new id');
  assert.deepEqual(m.options.sortTokens, ['<|reserved_special_token_2|>', '<|reserved_special_token_3|>', '<|reserved_special_token_4|>', '<|reserved_special_token_5|>', '<|reserved_special_token_6|>']);
  // Everything named: "config"; the interleave baseline: no markers at all.
  assert.equal(resolveUtkMarkers(markerEngine({}), utkOpts({ addSortTask: false }), { knots: true, sort: false }).source, 'config');
  const none = resolveUtkMarkers(markerEngine(reserved(20)), utkOpts({ skyworkInterleave: true, addSortTask: false }), { knots: false, sort: false });
  assert.deepEqual([none.source, none.ids.knots.length, none.ids.sort], ['none', 0, null]);
});
