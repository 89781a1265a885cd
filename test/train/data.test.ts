import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Row } from '../../src/shards/reader.js';
import { TokenCounter, vocabFromSpec } from '../../src/train/vocab.js';
import { makeBatch, PAD_SEGMENT, rowWindows } from '../../src/train/windows.js';
import { learningRate } from '../../src/train/schedule.js';

/** A row of two documents (3 + 4 tokens) under document attention with reset positions. */
function row(lossMask?: number[]): Row {
  return {
    inputIds: Int32Array.of(10, 11, 12, 20, 21, 22, 23),
    docLengths: Int32Array.of(3, 4),
    positionIds: Int32Array.of(0, 1, 2, 0, 1, 2, 3),
    segmentIds: Int32Array.of(0, 0, 0, 1, 1, 1, 1),
    ...(lossMask ? { lossMask: Uint8Array.from(lossMask) } : {}),
  };
}

test('windows: labels are the next token of the row, across window ends; document attention drops cross-document targets; padding has no target', () => {
  const ws = rowWindows(row(), 4, true);
  assert.equal(ws.length, 2);
  assert.deepEqual(Array.from(ws[0]!.labels), [11, 12, 20, 21]);
  assert.deepEqual(Array.from(ws[0]!.weights), [1, 1, 0, 1]); // 12 → 20 crosses documents
  assert.deepEqual(Array.from(ws[1]!.inputIds), [21, 22, 23, 0]);
  assert.deepEqual(Array.from(ws[1]!.positions), [1, 2, 3, 0]);
  assert.deepEqual(Array.from(ws[1]!.segments), [1, 1, 1, PAD_SEGMENT]);
  assert.deepEqual(Array.from(ws[1]!.weights), [1, 1, 0, 0]);
  assert.equal(ws[1]!.tokens, 3);
  // Causal attention: the cross-document target counts.
  assert.deepEqual(Array.from(rowWindows(row(), 4, false)[0]!.weights), [1, 1, 1, 1]);
});

test('windows: loss_mask (aligned with input_ids, 1 = target) decides which next tokens count', () => {
  const ws = rowWindows(row([1, 1, 0, 1, 0, 1, 1]), 7, false);
  // target of token a is token a+1, counted iff loss_mask[a+1] == 1
  assert.deepEqual(Array.from(ws[0]!.weights), [1, 0, 1, 0, 1, 1, 0]);
});

test('compact vocabulary: most frequent ids first (ties by id), everything else out-of-vocabulary; batches map ids', () => {
  const c = new TokenCounter();
  c.add([5, 5, 5, 9, 9, 7, 7, 300, 1]);
  const spec = c.compact(4);
  assert.deepEqual(spec, { kind: 'compact', size: 4, ids: [5, 7, 9] });
  const v = vocabFromSpec(spec);
  assert.equal(v.toModel(9), 2);
  assert.equal(v.toModel(300), 3);
  assert.equal(v.toTokenizer(3), -1);
  assert.equal(c.compact(100).size, 6); // fewer distinct ids than asked: smaller vocabulary
  const b = makeBatch(rowWindows(row(), 7, false), vocabFromSpec({ kind: 'compact', size: 3, ids: [11, 22] }));
  assert.deepEqual(Array.from(b.inputIds), [2, 0, 2, 2, 2, 1, 2]);
  assert.equal(b.targets, 6);
});

test('learning rate: linear warmup to the peak, cosine to the floor at the last step', () => {
  const s = { lr: 1e-3, warmup: 10, steps: 110, minLr: 1e-4 };
  assert.equal(learningRate(s, 1), 1e-4);
  assert.equal(learningRate(s, 10), 1e-3);
  assert.ok(Math.abs(learningRate(s, 60) - 5.5e-4) < 1e-12);
  assert.ok(Math.abs(learningRate(s, 110) - 1e-4) < 1e-12);
});
