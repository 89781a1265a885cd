import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EodMaskLossAugmenter, maskDocumentBoundaries } from '../../src/augment/eod-mask-loss.js';
import { truncateMiddle } from '../../src/samples/truncate-middle.js';
import { PackBuilder } from '../../src/samples/pack.js';

test('eod_mask_loss (§6.1): x0 x1 EOD | y0 y1 y2 EOD | z0 → the token after each EOD is not a target, label-aligned', () => {
  const EOD = 9;
  const ids = Int32Array.from([1, 2, EOD, 3, 4, 5, EOD, 6]);
  const mask = new Uint8Array(8).fill(1);
  maskDocumentBoundaries(ids, mask, { eos: EOD });
  // Megatron input-aligned: loss 0 at the two EOD inputs (positions 2 and 6) → entries 3 and 7.
  assert.deepEqual(Array.from(mask), [1, 1, 1, 0, 1, 1, 1, 0]);
  // BOS layout: [BOS] x0 x1 [BOS] y0 … → the BOS predictions are masked.
  const BOS = 8;
  const m2 = new Uint8Array(7).fill(1);
  maskDocumentBoundaries(Int32Array.from([BOS, 1, 2, BOS, 3, 4, BOS]), m2, { bos: BOS });
  assert.deepEqual(Array.from(m2), [0, 1, 1, 0, 1, 1, 0]);
  // With both, the EOS rule (Megatron's) decides.
  const m3 = new Uint8Array(6).fill(1);
  maskDocumentBoundaries(Int32Array.from([BOS, 1, EOD, BOS, 2, EOD]), m3, { bos: BOS, eos: EOD });
  assert.deepEqual(Array.from(m3), [1, 1, 1, 0, 1, 1]);
});

test('EodMaskLossAugmenter ANDs into an existing loss mask and counts what it masked', () => {
  const a = new EodMaskLossAugmenter({ eos: 9 });
  const out = a.apply({ inputIds: Int32Array.from([1, 9, 2, 3, 9, 4]), docLengths: Int32Array.from([2, 3, 1]), lossMask: Uint8Array.from([1, 1, 1, 0, 1, 1]) });
  assert.deepEqual(Array.from(out.lossMask!), [1, 1, 0, 0, 1, 0]);
  assert.deepEqual(a.stats, { rows: 1, masked_tokens: 2 });
  assert.throws(() => new EodMaskLossAugmenter({}));
});

test('truncateMiddle keeps the first ⌈n/2⌉ and last ⌊n/2⌋ tokens; pack long_documents truncate-middle uses it', () => {
  const t = Int32Array.from({ length: 11 }, (_, i) => i);
  assert.deepEqual(Array.from(truncateMiddle(t, 5)), [0, 1, 2, 9, 10]);
  assert.deepEqual(Array.from(truncateMiddle(t, 4)), [0, 1, 9, 10]);
  assert.equal(truncateMiddle(t, 11), t);
  assert.deepEqual(Array.from(truncateMiddle(Uint8Array.from([1, 0, 1, 0, 1]), 2)), [1, 1]);
  const b = new PackBuilder({ seqLen: 4, algorithm: 'greedy', openRows: 1, longDocuments: 'truncate-middle', withSources: false });
  const rows = [...b.push({ id: 'a', source: 's', tokens: t }), ...b.push({ id: 'b', source: 's', tokens: Int32Array.from([50, 51]) }), ...b.finish()];
  assert.deepEqual(rows.map((r) => Array.from(r.inputIds)), [[0, 1, 9, 10], [50, 51]]);
  assert.equal(b.stats.tokensDropped, 7);
  assert.equal(b.stats.written, 2);
});
