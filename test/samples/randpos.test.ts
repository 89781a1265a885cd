import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RandPosBuilder, randomPositions } from '../../src/samples/randpos.js';
import type { TokDoc } from '../../src/tokenize/tok-doc.js';
import { rngFor } from '../../src/util/rng.js';

const indexDoc = (id: string, len: number): TokDoc => ({ id, source: 's', tokens: Int32Array.from({ length: len }, (_, k) => k) });

test('randomPositions: L = target gives every position; the draw is a pure function of the rng', () => {
  assert.deepEqual(Array.from(randomPositions(rngFor(0, 'randpos', 'x'), 8, 8)), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(randomPositions(rngFor(0, 'randpos', 'x'), 100, 100_000), randomPositions(rngFor(0, 'randpos', 'x'), 100, 100_000));
  assert.equal(randomPositions(rngFor(0, 'randpos', 'x'), 0, 10).length, 0);
  assert.throws(() => randomPositions(rngFor(0, 'randpos', 'x'), 11, 10), /cannot draw 11 of 10/);
});

test('positions are uniform over [0, Lt): the mean of many draws is near (Lt − 1) / 2 and position 0 is not forced', () => {
  let sum = 0;
  let n = 0;
  let zeros = 0;
  for (let k = 0; k < 400; k++) {
    const p = randomPositions(rngFor(5, 'randpos', k), 16, 1000);
    for (const v of p) sum += v;
    n += p.length;
    if (p[0] === 0) zeros++;
  }
  assert.ok(Math.abs(sum / n - 499.5) < 15, `mean ${sum / n}`);
  assert.ok(zeros < 40, `position 0 drawn in ${zeros} of 400 samples`);
});

test('property: the builder keeps the first min(len, seq_len) tokens with sorted distinct positions below Lt', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 600 }), fc.integer({ min: 0, max: 200_000 }), fc.string({ maxLength: 6 }), (len, seqLen, extra, id) => {
      const targetLen = seqLen + extra;
      const b = new RandPosBuilder({ seqLen, targetLen, seed: 2, withSources: false });
      const row = b.push(indexDoc(id, len))[0]!;
      const l = Math.min(len, seqLen);
      assert.equal(row.inputIds.length, l);
      assert.deepEqual(row.inputIds, Int32Array.from({ length: l }, (_, k) => k));
      const p = row.positionIds!;
      assert.equal(p.length, l);
      for (let i = 1; i < l; i++) assert.ok(p[i]! > p[i - 1]!, 'strictly increasing');
      assert.ok(p[0]! >= 0 && p[l - 1]! < targetLen);
      assert.equal(b.stats.tokensDropped, len - l);
    }),
    { numRuns: 3000 },
  );
});
