/**
 * Per-token position ids and segment ids of a row, reconstructed from its `doc_lengths` and the
 * manifest's `positions` / `attention` modes. The trainer and the Python package (python/
 * skein_data/positions.py; a test compares them on every row) use exactly this reconstruction;
 * it follows Megatron-LM's
 * `get_ltor_masks_and_position_ids` (`reset_position_ids`, `reset_attention_mask`):
 *
 * - `doc_lengths` are the lengths of the consecutive document pieces of the row, each including
 *   its own end-of-document token: the EOD belongs to the piece it ends, and the token after it
 *   starts the next piece.
 * - positions `continuous`: `0, 1, …, L-1` over the whole row, ignoring document boundaries.
 * - positions `reset`: the position restarts at 0 at the first token of every document piece.
 * - positions `explicit`: the row's `position_ids` column is used as is (PoSE, RandPos, …).
 * - attention `causal`: every token is in segment 0; token i sees token j iff j ≤ i.
 * - attention `document`: the segment id of a token is the ordinal of its document piece in the
 *   row (0, 1, 2, …); token i sees token j iff j ≤ i and segment[i] == segment[j].
 *
 * Example, `doc_lengths = [3, 4, 1]`: reset positions `0 1 2 0 1 2 3 0`, document segments
 * `0 0 0 1 1 1 1 2`, continuous positions `0 1 2 3 4 5 6 7`, causal segments all 0.
 */

/** How positions are reconstructed when the row has no explicit `position_ids`. */
export type ReconstructedPositions = 'continuous' | 'reset';
/** The attention mode of a dataset (manifest `attention`). */
export type Attention = 'causal' | 'document';

/** Throws unless `docLengths` sums to `total` with no negative length. */
function checkLengths(docLengths: ArrayLike<number>, total: number): void {
  let sum = 0;
  for (let i = 0; i < docLengths.length; i++) {
    if (docLengths[i]! < 0) throw new RangeError(`doc_lengths[${i}] = ${docLengths[i]} is negative`);
    sum += docLengths[i]!;
  }
  if (sum !== total) throw new RangeError(`doc_lengths sum to ${sum} but the row has ${total} tokens`);
}

/**
 * Position ids of a row of `total` tokens: `continuous` counts 0…total-1, `reset` restarts at 0
 * at every document piece (Megatron `reset_position_ids`; see the module comment).
 */
export function positionIds(docLengths: ArrayLike<number>, mode: ReconstructedPositions, total: number): Int32Array {
  checkLengths(docLengths, total);
  const out = new Int32Array(total);
  if (mode === 'continuous') {
    for (let i = 0; i < total; i++) out[i] = i;
    return out;
  }
  let at = 0;
  for (let d = 0; d < docLengths.length; d++) {
    const len = docLengths[d]!;
    for (let p = 0; p < len; p++) out[at++] = p;
  }
  return out;
}

/**
 * Segment ids of a row: all 0 for `causal`; for `document`, the ordinal of each token's document
 * piece (Megatron `reset_attention_mask`): token i attends to token j iff j ≤ i and
 * segment[i] == segment[j].
 */
export function segmentIds(docLengths: ArrayLike<number>, attention: Attention): Int32Array {
  let total = 0;
  for (let i = 0; i < docLengths.length; i++) total += docLengths[i]!;
  checkLengths(docLengths, total);
  const out = new Int32Array(total);
  if (attention === 'causal') return out;
  let at = 0;
  for (let d = 0; d < docLengths.length; d++) {
    out.fill(d, at, at + docLengths[d]!);
    at += docLengths[d]!;
  }
  return out;
}
