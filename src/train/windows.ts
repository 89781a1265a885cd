/**
 * Rows → fixed-length training windows → batches (host typed arrays, no tensors).
 *
 * A row of L tokens is cut into consecutive windows of `seqLen` tokens (the last one padded).
 * Every token keeps the row's per-token position id (explicit, reset or continuous: so PoSE,
 * RandPos and LongRecipe rows train with their own positions) and segment id (the attention mode).
 *
 * Targets: the label of token a is token a + 1 of the *row* (so a window's last token is
 * trained on the first token of the next window), counted iff
 * - a + 1 < L;
 * - `loss_mask[a + 1] == 1` when the dataset has a loss mask (docs/shard-format.md#reading-a-row-positions-and-segments: the mask is aligned
 *   with input_ids, 1 = this token is a target; the trainer shifts);
 * - under `document` attention, a and a + 1 are in the same segment (a document's first token is
 *   not predicted from the previous document, which it cannot attend to anyway).
 * Padding tokens get id 0, position 0, segment −1 (they attend only to padding) and no target.
 */
import type { Row } from '../shards/reader.js';
import type { Vocab } from './vocab.js';

/** One training window of `seqLen` tokens, ids still tokenizer ids. */
export interface Window {
  inputIds: Int32Array;
  positions: Int32Array;
  segments: Int32Array;
  /** Tokenizer id of each token's target (0 where there is none). */
  labels: Int32Array;
  /** 1 where the label counts, else 0. */
  weights: Float32Array;
  /** Real (non-padding) tokens. */
  tokens: number;
}

/** Segment id of padding tokens. */
export const PAD_SEGMENT = -1;

/** Cuts a row into windows of `seqLen` tokens (see the module comment for labels and padding). */
export function rowWindows(row: Row, seqLen: number, documentAttention: boolean): Window[] {
  const L = row.inputIds.length;
  const out: Window[] = [];
  for (let start = 0; start < L; start += seqLen) {
    const n = Math.min(seqLen, L - start);
    const w: Window = {
      inputIds: new Int32Array(seqLen),
      positions: new Int32Array(seqLen),
      segments: new Int32Array(seqLen).fill(PAD_SEGMENT),
      labels: new Int32Array(seqLen),
      weights: new Float32Array(seqLen),
      tokens: n,
    };
    w.inputIds.set(row.inputIds.subarray(start, start + n));
    w.positions.set(row.positionIds.subarray(start, start + n));
    w.segments.set(row.segmentIds.subarray(start, start + n));
    for (let t = 0; t < n; t++) {
      const a = start + t;
      if (a + 1 >= L) break;
      w.labels[t] = row.inputIds[a + 1]!;
      const masked = row.lossMask !== undefined && row.lossMask[a + 1] !== 1;
      const crosses = documentAttention && row.segmentIds[a + 1] !== row.segmentIds[a];
      w.weights[t] = masked || crosses ? 0 : 1;
    }
    out.push(w);
  }
  return out;
}

/** A batch of windows with ids mapped to model ids, as flat [B × T] arrays. */
export interface HostBatch {
  batch: number;
  seqLen: number;
  inputIds: Int32Array;
  positions: Int32Array;
  segments: Int32Array;
  labels: Int32Array;
  weights: Float32Array;
  /** Real tokens in the batch. */
  tokens: number;
  /** Counted targets (sum of weights). */
  targets: number;
}

/** Stacks windows (all of one length) into a batch, mapping tokenizer ids to model ids. */
export function makeBatch(windows: readonly Window[], vocab: Vocab): HostBatch {
  if (windows.length === 0) throw new RangeError('makeBatch: no windows');
  const T = windows[0]!.inputIds.length;
  const B = windows.length;
  const b: HostBatch = {
    batch: B,
    seqLen: T,
    inputIds: new Int32Array(B * T),
    positions: new Int32Array(B * T),
    segments: new Int32Array(B * T),
    labels: new Int32Array(B * T),
    weights: new Float32Array(B * T),
    tokens: 0,
    targets: 0,
  };
  windows.forEach((w, i) => {
    if (w.inputIds.length !== T) throw new RangeError(`makeBatch: window ${i} has ${w.inputIds.length} tokens, expected ${T}`);
    const o = i * T;
    for (let t = 0; t < T; t++) {
      b.inputIds[o + t] = t < w.tokens ? vocab.toModel(w.inputIds[t]!) : 0;
      b.labels[o + t] = w.weights[t] ? vocab.toModel(w.labels[t]!) : 0;
    }
    b.positions.set(w.positions, o);
    b.segments.set(w.segments, o);
    b.weights.set(w.weights, o);
    b.tokens += w.tokens;
    for (let t = 0; t < T; t++) b.targets += w.weights[t]!;
  });
  return b;
}
