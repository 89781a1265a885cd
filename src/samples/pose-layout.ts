/**
 * PoSE layouts (docs/recipes.md#pose, and LongRecipe's variant in docs/recipes.md#longrecipe): which tokens of a document form the training window and
 * which positions of the target window they take. Each variant has a draw function (all the
 * randomness, from an {@link Rng}) and a construction function (pure: draws → layout), so that
 * tests can inject the draws of a worked example.
 *
 * A layout is a list of chunks; chunk i holds document tokens `start … start+length−1` at
 * positions `position … position+length−1`. Chunks are in document order and in position order.
 */
import type { Rng } from '../util/rng.js';

/** One chunk of a PoSE sample: `length` document tokens from `start`, at positions from `position`. */
export interface PoseChunk {
  start: number;
  length: number;
  position: number;
}

/** Draws of the reference two-chunk form (PoSE's `train_preprocess_function_pose`, docs/recipes.md#pose). */
export interface ReferencePoseDraws {
  /** End of chunk 0 (exclusive): chunk 0 = tokens `[0, r1)`, `r1 ∈ 1 … ⌊(lenChunk+1)/2⌋`. */
  r1: number;
  /** End of chunk 1 in the document: `r2 ∈ lenChunk … len` (the content skip is `r2 − lenChunk`). */
  r2: number;
  /** Skip bias of chunk 1: `u ∈ 0 … Lt − lenChunk`. */
  u: number;
}

/** Throws a RangeError unless `lo ≤ v ≤ hi` and v is an integer. */
function checkDraw(name: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`PoSE draw ${name} = ${v} outside ${lo} … ${hi}`);
}

/** Throws unless `len ≥ 1` and `1 ≤ lc ≤ lt`. */
function checkLengths(len: number, lc: number, lt: number): void {
  if (!Number.isInteger(len) || len < 1) throw new RangeError(`PoSE: document length ${len} must be a positive integer`);
  if (!Number.isInteger(lc) || lc < 1 || !Number.isInteger(lt) || lt < lc) throw new RangeError(`PoSE: need 1 ≤ Lc (${lc}) ≤ Lt (${lt})`);
}

/**
 * Draws the reference form for a document of `len` tokens (already cut to the reference's
 * `5 × Lc` window), original window `lc`, target window `lt`:
 * `r1 ~ U{1 … (lenChunk+1)//2}`, `r2 ~ U{lenChunk … len}`, `u ~ U{0 … lt − lenChunk}`, in this order.
 */
export function drawReferencePose(rng: Rng, len: number, lc: number, lt: number): ReferencePoseDraws {
  checkLengths(len, lc, lt);
  const lenChunk = Math.min(len, lc);
  const r1 = rng.int(1, (lenChunk + 1) >> 1);
  const r2 = rng.int(lenChunk, len);
  const u = rng.int(0, lt - lenChunk);
  return { r1, r2, u };
}

/**
 * The reference layout from its draws: chunk 0 = tokens `[0, r1)` at positions `0 … r1−1`;
 * chunk 1 = tokens `[r2 − (lenChunk − r1), r2)` at positions `r1 + u … lenChunk − 1 + u`.
 * A document shorter than `lc` has `lenChunk = len`, `r2 = len` (contiguous content) and a bias
 * range of `lt − len`. Chunk 1 is left out when empty (`lenChunk = 1`).
 */
export function referencePoseLayout(len: number, lc: number, lt: number, d: ReferencePoseDraws): PoseChunk[] {
  checkLengths(len, lc, lt);
  const lenChunk = Math.min(len, lc);
  checkDraw('r1', d.r1, 1, (lenChunk + 1) >> 1);
  checkDraw('r2', d.r2, lenChunk, len);
  checkDraw('u', d.u, 0, lt - lenChunk);
  const chunks: PoseChunk[] = [{ start: 0, length: d.r1, position: 0 }];
  const l1 = lenChunk - d.r1;
  if (l1 > 0) chunks.push({ start: d.r2 - l1, length: l1, position: d.r1 + d.u });
  return chunks;
}

/** Draws of the paper's N-chunk form (the PoSE paper, §3.2). */
export interface PaperPoseDraws {
  /** Chunk lengths `l₀ … l_{N−1}`, each ≥ 1, summing to `lenChunk = min(len, Lc)`. */
  lengths: number[];
  /** Skip biases `u₀ = 0 ≤ u₁ ≤ … ≤ Lt − lenChunk`. */
  biases: number[];
  /** Content skips `v₀ = 0 ≤ v₁ ≤ … ≤ len − lenChunk`. */
  skips: number[];
}

/**
 * Draws the paper's form with `n` chunks (fewer when the window has fewer than `n` tokens):
 * the window `lenChunk = min(len, lc)` is divided at `n − 1` distinct random cut points (a
 * uniformly random composition into positive lengths), then the biases
 * `uᵢ ~ U{uᵢ₋₁ … lt − lenChunk}` and the content skips `vᵢ ~ U{vᵢ₋₁ … len − lenChunk}`, with
 * `u₀ = v₀ = 0` (so the first chunk starts at position 0 with the document's first token).
 */
export function drawPaperPose(rng: Rng, len: number, lc: number, lt: number, n: number): PaperPoseDraws {
  checkLengths(len, lc, lt);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`PoSE: chunk count ${n} must be a positive integer`);
  const lenChunk = Math.min(len, lc);
  const k = Math.min(n, lenChunk);
  const cuts = rng
    .sample(lenChunk - 1, k - 1)
    .map((c) => c + 1)
    .sort((a, b) => a - b);
  const lengths: number[] = [];
  let prev = 0;
  for (const c of cuts) {
    lengths.push(c - prev);
    prev = c;
  }
  lengths.push(lenChunk - prev);
  const biases = [0];
  const skips = [0];
  for (let i = 1; i < k; i++) biases.push(rng.int(biases[i - 1]!, lt - lenChunk));
  for (let i = 1; i < k; i++) skips.push(rng.int(skips[i - 1]!, len - lenChunk));
  return { lengths, biases, skips };
}

/**
 * The paper's layout from its draws: chunk i, starting at `stᵢ = Σ_{j<i} lⱼ` in the window,
 * holds tokens `vᵢ + stᵢ …` at positions `uᵢ + stᵢ …`.
 */
export function paperPoseLayout(len: number, lc: number, lt: number, d: PaperPoseDraws): PoseChunk[] {
  checkLengths(len, lc, lt);
  const lenChunk = Math.min(len, lc);
  const k = d.lengths.length;
  if (k < 1 || d.biases.length !== k || d.skips.length !== k) throw new RangeError('PoSE: lengths, biases and skips must have the same, positive count');
  if (d.biases[0] !== 0 || d.skips[0] !== 0) throw new RangeError('PoSE: the first bias and skip must be 0');
  const chunks: PoseChunk[] = [];
  let st = 0;
  for (let i = 0; i < k; i++) {
    checkDraw(`lengths[${i}]`, d.lengths[i]!, 1, lenChunk);
    if (i > 0) {
      checkDraw(`biases[${i}]`, d.biases[i]!, d.biases[i - 1]!, lt - lenChunk);
      checkDraw(`skips[${i}]`, d.skips[i]!, d.skips[i - 1]!, len - lenChunk);
    }
    chunks.push({ start: d.skips[i]! + st, length: d.lengths[i]!, position: d.biases[i]! + st });
    st += d.lengths[i]!;
  }
  if (st !== lenChunk) throw new RangeError(`PoSE: chunk lengths sum to ${st}, not ${lenChunk}`);
  return chunks;
}

/** Draws of LongRecipe's own PoSE variant (LongRecipe's `utils/preprocess_data.py`, setting `pose`). */
export interface LongRecipePoseDraws {
  /** Split point `lt ~ U{0 … Lt − L}`. */
  lt: number;
  /** Skip `rt ~ U{lt … Lt − L}`. */
  rt: number;
}

/** Draws LongRecipe's PoSE variant for a window of `l` tokens and target `target`: `lt`, then `rt`. */
export function drawLongRecipePose(rng: Rng, l: number, target: number): LongRecipePoseDraws {
  checkLengths(l, l, target);
  const lt = rng.int(0, target - l);
  const rt = rng.int(lt, target - l);
  return { lt, rt };
}

/**
 * LongRecipe's PoSE layout over the first `l` tokens (contiguous content, no content skip):
 * positions `[0 … lt−1] ++ [lt+rt … l−1+rt]`, cut to `l`. When `lt ≥ l` there is no skip at
 * all; when `lt = 0` the whole window is shifted by `rt`.
 */
export function longRecipePoseLayout(l: number, target: number, d: LongRecipePoseDraws): PoseChunk[] {
  checkLengths(l, l, target);
  checkDraw('lt', d.lt, 0, target - l);
  checkDraw('rt', d.rt, d.lt, target - l);
  if (d.lt >= l) return [{ start: 0, length: l, position: 0 }];
  const chunks: PoseChunk[] = [];
  if (d.lt > 0) chunks.push({ start: 0, length: d.lt, position: 0 });
  chunks.push({ start: d.lt, length: l - d.lt, position: d.lt + d.rt });
  return chunks;
}

/** A layout as flat `[start, end)` spans and per-token positions. */
export function chunksToLayout(chunks: readonly PoseChunk[]): { spans: number[]; positions: Int32Array } {
  let n = 0;
  for (const c of chunks) n += c.length;
  const positions = new Int32Array(n);
  const spans: number[] = [];
  let at = 0;
  for (const c of chunks) {
    spans.push(c.start, c.start + c.length);
    for (let k = 0; k < c.length; k++) positions[at++] = c.position + k;
  }
  return { spans, positions };
}
