import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ConcatChunkBuilder } from '../../src/samples/concat-chunk.js';
import type { Sample } from '../../src/samples/sample.js';
import type { TokDoc } from '../../src/tokenize/tok-doc.js';

const doc = (id: string, tokens: number[], source = 's'): TokDoc => ({ id, source, tokens: Int32Array.from(tokens) });

function run(b: ConcatChunkBuilder, docs: TokDoc[]): Sample[] {
  return [...docs.flatMap((d) => b.push(d)), ...b.finish()];
}

test('golden: documents straddle rows and each row records its pieces (Fu et al. layout)', () => {
  const b = new ConcatChunkBuilder({ seqLen: 4, remainder: 'drop', withSources: true });
  // BOS=1 starts every document, as the tokenize stage adds it.
  const rows = run(b, [doc('a', [1, 10, 11], 'web'), doc('b', [1, 20, 21, 22, 23], 'book'), doc('c', [1, 30], 'web')]);
  assert.deepEqual(rows.map((r) => Array.from(r.inputIds)), [
    [1, 10, 11, 1],
    [20, 21, 22, 23],
  ]);
  assert.deepEqual(rows.map((r) => Array.from(r.docLengths)), [[3, 1], [4]]);
  assert.deepEqual(rows.map((r) => r.docSources), [['web', 'book'], ['book']]);
  // c ([1,30]) is the incomplete tail: dropped and counted as remainder.
  assert.deepEqual(b.stats.dropped, { remainder: 1 });
  assert.equal(b.stats.written, 2);
  assert.equal(b.stats.splitDocuments, 1);
  assert.equal(b.stats.tokensDropped, 2);
  assert.deepEqual(b.stats.sourceTokens, { web: 3, book: 5 });
});

test('remainder keep emits the last short row', () => {
  const b = new ConcatChunkBuilder({ seqLen: 4, remainder: 'keep', withSources: false });
  const rows = run(b, [doc('a', [1, 2, 3, 4, 5])]);
  assert.deepEqual(rows.map((r) => Array.from(r.inputIds)), [[1, 2, 3, 4], [5]]);
  assert.equal(rows[1]!.docSources, undefined);
  assert.deepEqual(b.stats.dropped, {});
});

const docsArb = fc.array(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 60 }), { maxLength: 40 });

test('property: rows are exactly seqLen, their concatenation is the documents minus the dropped tail, and accounting reconciles', () => {
  fc.assert(
    fc.property(docsArb, fc.integer({ min: 1, max: 50 }), fc.constantFrom<'drop' | 'keep'>('drop', 'keep'), (raw, seqLen, remainder) => {
      const b = new ConcatChunkBuilder({ seqLen, remainder, withSources: true });
      const docs = raw.map((t, i) => doc(`d${i}`, t, i % 2 ? 'x' : 'y'));
      const rows = run(b, docs);
      const all = raw.flat();
      const out = rows.flatMap((r) => Array.from(r.inputIds));
      const full = Math.floor(all.length / seqLen) * seqLen;
      assert.deepEqual(out, remainder === 'drop' ? all.slice(0, full) : all);
      for (const [i, r] of rows.entries()) {
        if (remainder === 'drop' || i < rows.length - 1) assert.equal(r.inputIds.length, seqLen);
        assert.equal(r.docLengths.reduce((a, x) => a + x, 0), r.inputIds.length);
        assert.equal(r.docSources!.length, r.docLengths.length);
        assert.ok(r.docLengths.every((x) => x > 0));
      }
      const dropped = Object.values(b.stats.dropped).reduce((a, x) => a + x, 0);
      assert.equal(b.stats.written + dropped, docs.length);
      assert.equal(b.stats.tokensOut + b.stats.tokensDropped, all.length);
    }),
    { numRuns: 500 },
  );
});

test('loss masks travel with their tokens; pieces without a mask are all targets; rows without any mask have none', () => {
  const b = new ConcatChunkBuilder({ seqLen: 4, remainder: 'keep', withSources: false });
  const masked: TokDoc = { id: 'chat', source: 's', tokens: Int32Array.from([1, 2, 3]), lossMask: Uint8Array.from([0, 0, 1]) };
  const rows = run(b, [doc('a', [9, 9]), masked, doc('b', [7, 7, 7, 7, 7])]);
  assert.deepEqual(rows.map((r) => (r.lossMask ? Array.from(r.lossMask) : null)), [[1, 1, 0, 0], [1, 1, 1, 1], null]);
});
