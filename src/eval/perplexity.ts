/**
 * Perplexity per position bucket on held-out shards: each row is cut into windows of `seqLen`
 * tokens (windows.ts: same targets as training), each target's NLL is put in the bucket of its
 * *context position* — how many earlier tokens of its own segment the predicting token sees in
 * the window (the position within the document under `attention: document`, the index under
 * `causal`). Buckets are [0, 32), [32, 64), [64, 128), … doubling.
 */
import * as tf from '@tensorflow/tfjs';
import { openDataset } from '../shards/reader.js';
import { disposeInputs, modelInputs, tokenNll } from '../train/model.js';
import { makeBatch, rowWindows } from '../train/windows.js';
import type { EvalModel } from './eval-model.js';

/** One bucket of the report. */
export interface PositionBucket {
  /** Context positions [from, to). */
  from: number;
  to: number;
  targets: number;
  loss: number;
  perplexity: number;
}

/** The perplexity report of one held-out folder. */
export interface PerplexityReport {
  dir: string;
  seq_len: number;
  windows: number;
  targets: number;
  loss: number;
  perplexity: number;
  /** Fraction of targets mapped to the out-of-vocabulary id (compact vocabularies). */
  oov_rate: number;
  buckets: PositionBucket[];
}

/** The bucket index of a context position. */
export function bucketOf(pos: number): number {
  return pos < 32 ? 0 : Math.floor(Math.log2(pos)) - 4;
}

/** The [from, to) of bucket `b`. */
export function bucketRange(b: number): [number, number] {
  return b === 0 ? [0, 32] : [2 ** (b + 4), 2 ** (b + 5)];
}

/** Evaluates the first `maxWindows` windows of a held-out folder; `onWindow` is called as each window starts. */
export async function perplexityByPosition(em: EvalModel, dir: string, seqLen: number, maxWindows: number, onWindow?: (done: number, total: number) => void): Promise<PerplexityReport> {
  const ds = await openDataset(dir);
  const documentAttention = ds.manifest.attention === 'document';
  const sums: number[] = [];
  const counts: number[] = [];
  let windows = 0;
  let oov = 0;
  outer: for await (const row of ds.rows()) {
    for (const w of rowWindows(row, seqLen, documentAttention)) {
      if (windows >= maxWindows) break outer;
      windows++;
      onWindow?.(windows, maxWindows);
      const b = makeBatch([w], em.vocab);
      const inp = modelInputs(em.model, b);
      let nll: Float32Array;
      try {
        const t = tf.tidy(() => tokenNll(em.model, inp, tf.tensor1d(b.labels, 'int32')));
        nll = (await t.data()) as Float32Array;
        t.dispose();
      } finally {
        disposeInputs(inp);
      }
      let segStart = 0;
      for (let t = 0; t < seqLen; t++) {
        if (t > 0 && w.segments[t] !== w.segments[t - 1]) segStart = t;
        if (!w.weights[t]) continue;
        const k = bucketOf(t - segStart);
        sums[k] = (sums[k] ?? 0) + nll[t]!;
        counts[k] = (counts[k] ?? 0) + 1;
        if (b.labels[t] === em.vocab.oov) oov++;
      }
    }
  }
  const buckets: PositionBucket[] = [];
  for (let k = 0; k < counts.length; k++) {
    if (!counts[k]) continue;
    const [from, to] = bucketRange(k);
    const loss = sums[k]! / counts[k]!;
    buckets.push({ from, to, targets: counts[k]!, loss, perplexity: Math.exp(loss) });
  }
  const targets = counts.reduce((a, c) => a + (c ?? 0), 0);
  const loss = sums.reduce((a, s) => a + (s ?? 0), 0) / Math.max(1, targets);
  return { dir, seq_len: seqLen, windows, targets, loss, perplexity: Math.exp(loss), oov_rate: targets ? oov / targets : 0, buckets };
}
