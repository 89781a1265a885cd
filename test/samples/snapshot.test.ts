import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ConcatChunkBuilder, PackBuilder, type SampleBuilder, type Sample, type TokDoc } from '../../src/index.js';

const docOf = (i: number, len: number, masked: boolean): TokDoc => {
  const d: TokDoc = { id: `d${i}`, source: `s${i % 3}`, tokens: Int32Array.from({ length: len }, (_, k) => i * 1000 + k) };
  if (masked) d.lossMask = Uint8Array.from({ length: len }, (_, k) => k % 2);
  return d;
};
const flat = (rows: Sample[]) => rows.map((r) => ({ ids: Array.from(r.inputIds), lens: Array.from(r.docLengths), src: r.docSources, mask: r.lossMask && Array.from(r.lossMask) }));

for (const [name, make] of [
  ['concat-chunk', () => new ConcatChunkBuilder({ seqLen: 64, remainder: 'keep', withSources: true })],
  ['pack best-fit', () => new PackBuilder({ seqLen: 64, algorithm: 'best-fit', openRows: 4, longDocuments: 'split', withSources: true })],
  ['pack greedy', () => new PackBuilder({ seqLen: 64, algorithm: 'greedy', openRows: 1, longDocuments: 'split', withSources: true })],
] as Array<[string, () => SampleBuilder]>) {
  test(`${name}: restore(snapshot()) into a fresh builder gives exactly the rows the original would have (the resume contract)`, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 150 }), fc.boolean()), { minLength: 1, maxLength: 40 }), fc.nat(), (spec, cutSeed) => {
        const docs = spec.map(([len, masked], i) => docOf(i, len, masked));
        const cut = cutSeed % (docs.length + 1);
        const whole = make();
        const all = [...docs.flatMap((d) => whole.push(d)), ...whole.finish()];
        const first = make();
        const head = docs.slice(0, cut).flatMap((d) => first.push(d));
        const carry = first.snapshot!();
        // The snapshot must not share memory with the builder: keep using the original.
        first.push(docOf(999, 17, false));
        const second = make();
        second.restore!(carry);
        const tail = [...docs.slice(cut).flatMap((d) => second.push(d)), ...second.finish()];
        assert.deepEqual(flat([...head, ...tail]), flat(all));
      }),
      { numRuns: 200 },
    );
  });
}
