/**
 * Mean loss on held-out shards: the first `maxWindows` windows in dataset order (no shuffling,
 * so every evaluation of a run sees the same tokens), targets as in training (windows.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../shards/reader.js';
import { disposeInputs, modelInputs, tokenNll, type Model } from './model.js';
import type { Vocab } from './vocab.js';
import { makeBatch, rowWindows, type Window } from './windows.js';

/** Mean NLL (nats per target) and the number of targets it averages. */
export interface HeldOutLoss {
  loss: number;
  targets: number;
  windows: number;
}

/** Mean NLL of one batch of windows: returns Σ weight·NLL and Σ weight. */
async function batchNll(model: Model, vocab: Vocab, windows: Window[]): Promise<{ sum: number; count: number }> {
  const b = makeBatch(windows, vocab);
  const inp = modelInputs(model, b);
  try {
    const t = tf.tidy(() => tf.sum(tf.mul(tokenNll(model, inp, tf.tensor1d(b.labels, 'int32')), tf.tensor1d(b.weights, 'float32'))));
    const sum = (await t.data())[0]!;
    t.dispose();
    return { sum, count: b.targets };
  } finally {
    disposeInputs(inp);
  }
}

/** Held-out loss over the first `maxWindows` windows of `ds`, `batchSize` windows at a time. */
export async function heldOutLoss(model: Model, vocab: Vocab, ds: Dataset, seqLen: number, maxWindows: number, batchSize: number): Promise<HeldOutLoss> {
  const documentAttention = ds.manifest.attention === 'document';
  let sum = 0;
  let count = 0;
  let windows = 0;
  let pending: Window[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const r = await batchNll(model, vocab, pending);
    sum += r.sum;
    count += r.count;
    pending = [];
  };
  outer: for await (const row of ds.rows()) {
    for (const w of rowWindows(row, seqLen, documentAttention)) {
      if (windows >= maxWindows) break outer;
      pending.push(w);
      windows++;
      if (pending.length === batchSize) await flush();
    }
  }
  await flush();
  return { loss: count > 0 ? sum / count : NaN, targets: count, windows };
}
