import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PackBuilder, type PackOptions } from '../../src/samples/pack.js';
import type { Sample } from '../../src/samples/sample.js';
import type { TokDoc } from '../../src/tokenize/tok-doc.js';

const doc = (i: number, len: number): TokDoc => ({ id: `d${i}`, source: `s${i % 3}`, tokens: Int32Array.from({ length: len }, (_, k) => i * 100_000 + k) });

function run(opts: PackOptions, docs: TokDoc[]): { rows: Sample[]; b: PackBuilder } {
  const b = new PackBuilder(opts);
  const rows = [...docs.flatMap((d) => b.push(d)), ...b.finish()];
  return { rows, b };
}

/** Splits rows into their document pieces as [docIndex, firstTokenOffset, length]. */
function pieces(rows: Sample[]): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (const r of rows) {
    let off = 0;
    for (const len of r.docLengths) {
      const first = r.inputIds[off]!;
      const di = Math.floor(first / 100_000);
      for (let k = 0; k < len; k++) assert.equal(r.inputIds[off + k], first + k, 'a piece is a contiguous run of one document');
      out.push([di, first % 100_000, len]);
      off += len;
    }
  }
  return out;
}

test('golden greedy: documents fill rows in order; a document that does not fit opens the next row', () => {
  const { rows, b } = run({ seqLen: 10, algorithm: 'greedy', openRows: 1, longDocuments: 'split', withSources: true }, [doc(0, 4), doc(1, 5), doc(2, 3), doc(3, 7)]);
  assert.deepEqual(rows.map((r) => Array.from(r.docLengths)), [[4, 5], [3, 7]]);
  assert.deepEqual(rows.map((r) => r.docSources), [['s0', 's1'], ['s2', 's0']]);
  assert.equal(b.stats.rows, 2);
});

test('golden best-fit: a short document goes back to the fullest open row it fits', () => {
  const { rows } = run({ seqLen: 10, algorithm: 'best-fit', openRows: 4, longDocuments: 'split', withSources: false }, [doc(0, 6), doc(1, 7), doc(2, 3), doc(3, 4)]);
  // 6 → row A; 7 → row B; 3 → B (free 3, fullest fit) closes B; 4 → A (free 4) closes A.
  assert.deepEqual(rows.map((r) => Array.from(r.docLengths)), [[7, 3], [6, 4]]);
});

test('long documents: split into full rows plus a packed tail, truncated, or dropped and counted', () => {
  const split = run({ seqLen: 4, algorithm: 'greedy', openRows: 1, longDocuments: 'split', withSources: false }, [doc(0, 10), doc(1, 2)]);
  assert.deepEqual(split.rows.map((r) => Array.from(r.docLengths)), [[4], [4], [2, 2]]);
  assert.equal(split.b.stats.splitDocuments, 1);
  const trunc = run({ seqLen: 4, algorithm: 'greedy', openRows: 1, longDocuments: 'truncate', withSources: false }, [doc(0, 10)]);
  assert.deepEqual(trunc.rows.map((r) => r.inputIds.length), [4]);
  assert.equal(trunc.b.stats.tokensDropped, 6);
  const drop = run({ seqLen: 4, algorithm: 'greedy', openRows: 1, longDocuments: 'drop', withSources: false }, [doc(0, 10), doc(1, 3)]);
  assert.deepEqual(drop.b.stats.dropped, { too_long: 1 });
  assert.equal(drop.b.stats.written, 1);
});

test('property: every token of every document is written exactly once, in order within its document, rows never exceed seqLen', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 80 }), { maxLength: 60 }),
      fc.integer({ min: 1, max: 40 }),
      fc.constantFrom<'greedy' | 'best-fit'>('greedy', 'best-fit'),
      fc.integer({ min: 1, max: 8 }),
      (lens, seqLen, algorithm, openRows) => {
        const docs = lens.map((l, i) => doc(i, l));
        const { rows, b } = run({ seqLen, algorithm, openRows, longDocuments: 'split', withSources: true }, docs);
        for (const r of rows) {
          assert.ok(r.inputIds.length <= seqLen && r.inputIds.length > 0);
          assert.equal(r.docLengths.reduce((a, x) => a + x, 0), r.inputIds.length);
        }
        const byDoc = new Map<number, Array<[number, number]>>();
        for (const [d, off, len] of pieces(rows)) byDoc.set(d, [...(byDoc.get(d) ?? []), [off, len]]);
        for (const [i, l] of lens.entries()) {
          const ps = (byDoc.get(i) ?? []).sort((a, c) => a[0] - c[0]);
          let next = 0;
          for (const [off, len] of ps) {
            assert.equal(off, next, `doc ${i} pieces are contiguous and non-overlapping`);
            next += len;
          }
          assert.equal(next, l, `doc ${i} fully written`);
        }
        assert.equal(b.stats.written, docs.length);
        assert.equal(b.stats.tokensOut, lens.reduce((a, x) => a + x, 0));
        if (algorithm === 'greedy') {
          const order = pieces(rows).map(([d]) => d);
          const firstSeen = order.filter((d, k) => order.indexOf(d) === k);
          assert.deepEqual(firstSeen, [...firstSeen].sort((a, c) => a - c), 'greedy keeps document order');
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('pack keeps each piece\'s loss mask aligned, also across a split', () => {
  const long: TokDoc = { id: 'c', source: 's', tokens: Int32Array.from([1, 2, 3, 4, 5, 6]), lossMask: Uint8Array.from([0, 1, 0, 1, 0, 1]) };
  const { rows } = run({ seqLen: 4, algorithm: 'greedy', openRows: 1, longDocuments: 'split', withSources: false }, [long, doc(1, 2)]);
  assert.deepEqual(rows.map((r) => Array.from(r.lossMask ?? [])), [[0, 1, 0, 1], [0, 1, 1, 1]]);
});
