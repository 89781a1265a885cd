import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleRow, truncateRow } from '../../src/augment/utk/assemble.js';
import { maskUtkMarkers } from '../../src/augment/utk/loss-mask.js';
import { shuffleChunks } from '../../src/augment/utk/placement.js';
import type { UtkPlan } from '../../src/augment/utk/plan.js';
import { maskDocumentBoundaries } from '../../src/augment/eod-mask-loss.js';
import { encodeIdSync, KNOTS, markersFor, megatronUtkLossMask, SORT } from './helpers.js';
import { rngFor } from '../../src/util/rng.js';

const EOD = 2;
const [a0, a1, a2, a3, a4] = [10, 11, 12, 13, 14];
const [b0, b1] = [20, 21];
const K1 = KNOTS[0]!; // end of chunk 1
const K1s = KNOTS[1]!; // start of chunk 2

test('golden §1.5: loss mask of `a0 a1 a2 K1 | b0 b1 EOD | K1\' a3 a4 EOD` (eod_mask_loss on, no sort task), label-aligned', () => {
  // The row holds document B then document A; A (the last document) is cut after a2 and its last
  // chunk stays pinned at the end: A.c0, B, A.c1.
  const row = { inputIds: Int32Array.from([b0, b1, EOD, a0, a1, a2, a3, a4, EOD]), docLengths: Int32Array.from([3, 6]) };
  const plan: UtkPlan = { variant: 0, cuts: [[], [3]], placement: { order: [[1, 0], [0, 0], [1, 1]], slots: [[1], [0, 2]] }, ids: null };
  const m = markersFor(2, false);
  const a = assembleRow({ ...row, lossMask: new Uint8Array(9).fill(1) }, plan, m, [], { skyworkInterleave: false, addSortTask: false });
  assert.deepEqual(Array.from(a.inputIds), [a0, a1, a2, K1, b0, b1, EOD, K1s, a3, a4, EOD]);
  assert.deepEqual(a.docLengths, [4, 3, 4]);
  const mask = a.lossMask!;
  maskUtkMarkers(a.inputIds, mask, m);
  maskDocumentBoundaries(a.inputIds, mask, { eos: EOD });
  // skein entry j says whether token j is a target. From §1.5 (input-aligned): a2 (label K1) 0,
  // K1 (label b0) 0, EOD 0, b1 (label EOD) 1, K1' (label a3) 0. Shifted by one to label-aligned:
  // K1 0, b0 0, K1' 0 (after EOD, and a knot), a3 0; the EODs stay targets.
  //                         a0 a1 a2 K1 b0 b1 EOD K1' a3 a4 EOD
  assert.deepEqual(Array.from(mask), [1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
  const meg = megatronUtkLossMask(a.inputIds, m, EOD, false);
  assert.deepEqual(Array.from(meg), [1, 1, 0, 0, 1, 1, 0, 0, 1, 1], 'the reference port gives §1.5 input-aligned');
  assert.deepEqual(Array.from(mask.subarray(1)), Array.from(meg), 'label-aligned entry j = input-aligned entry j − 1');
  // Truncation back to the row's 9 tokens cuts the tail `a4 EOD`.
  const t = truncateRow(a, 9);
  assert.deepEqual(Array.from(t.inputIds), [a0, a1, a2, K1, b0, b1, EOD, K1s, a3]);
  assert.deepEqual(Array.from(t.docLengths), [4, 3, 2]);
  assert.deepEqual(Array.from(t.lossMask!), [1, 1, 1, 0, 0, 1, 1, 0, 0]);
});

test('golden §1.5 layout with backtracing: header → start knot → text → end knot, summary after the last-appearing chunk in original order', () => {
  // Documents B (3 chunks) then A (3 chunks), order kept; emitted B0 A0 B1 A1 B2 A2 (A2 pinned).
  const B = [20, 21, 22, 23, 24, 25];
  const A = [30, 31, 32, 33, 34, 35];
  const row = { inputIds: Int32Array.from([...B, ...A]), docLengths: Int32Array.from([6, 6]) };
  const plan: UtkPlan = {
    variant: 0,
    cuts: [
      [2, 4],
      [2, 4],
    ],
    placement: { order: [[0, 0], [1, 0], [0, 1], [1, 1], [0, 2], [1, 2]], slots: [[0, 2, 4], [1, 3, 5]] },
    ids: ['id1aaa', 'id2bbb', 'id3ccc', 'id4ddd', 'id5eee', 'id6fff'],
  };
  const ids = plan.ids!.map(encodeIdSync);
  const m = markersFor(3);
  const a = assembleRow(row, plan, m, ids, { skyworkInterleave: false, addSortTask: true });
  const [e1, s1, e2, s2] = KNOTS;
  const { open: D, close: D_, summaryOpen: S, summarySep: s, summaryClose: S_ } = SORT;
  const H = (k: number) => [D, ...ids[k]!, D_];
  const expected = [
    ...H(0), 20, 21, e1,
    ...H(1), 30, 31, e1,
    ...H(2), s1, 22, 23, e2,
    ...H(3), s1, 32, 33, e2,
    ...H(4), s2, 24, 25, S, ...ids[0]!, s, ...ids[2]!, s, ...ids[4]!, S_,
    ...H(5), s2, 34, 35, S, ...ids[1]!, s, ...ids[3]!, s, ...ids[5]!, S_,
  ];
  assert.deepEqual(Array.from(a.inputIds), expected);
  assert.equal(a.docLengths.length, 6);
  assert.equal(a.inserted, expected.length - 12);
  // Headers and knots are not targets; the summary's IDs, separators and </S> are.
  const mask = new Uint8Array(expected.length).fill(1);
  maskUtkMarkers(a.inputIds, mask, m);
  const sumAt = expected.indexOf(S);
  assert.equal(mask[sumAt], 0, '<S> is not a target');
  for (let j = sumAt + 1; j <= sumAt + 1 + 3 * 6 + 2; j++) assert.equal(mask[j], 1, `summary token ${j} is a target`);
  assert.equal(mask[sumAt + 3 * 6 + 4], 0, 'the token after </S> (the next header\'s <D>) is not a target');
  for (let j = 0; j < 9; j++) assert.equal(mask[j], 0, 'the first header and the first text token after </D> are not targets');
  assert.equal(mask[9], 1);
});

test('reference bug fixed: the last document\'s pinned chunk is recorded by slot, so its summary follows it and names its own ID', () => {
  // counts [2, 2]: three free slots shuffled, the 4th (slot 3) pinned to document 1's chunk 1.
  for (let k = 0; k < 50; k++) {
    const p = shuffleChunks([2, 2], rngFor(7, 'utk', k), true);
    assert.deepEqual(p.order[3], [1, 1]);
    assert.equal(p.slots[1]![1], 3, 'slot index (the reference stores chunk index 1 here)');
    for (let d = 0; d < 2; d++) p.slots[d]!.forEach((slot, c) => assert.deepEqual(p.order[slot], [d, c]));
  }
});
