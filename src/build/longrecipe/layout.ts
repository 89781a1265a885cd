/**
 * One LongRecipe sample from one document (LR-CODE `FSProcessor` + `preprocess_data.py`,
 * setting `LongRecipe`; algorithms.md §3.2–3.4): sentence selection, FS-PI positions and the
 * right point. {@link drawLongRecipe} makes every random draw; {@link longRecipeLayout} builds
 * the sample from the draws (pure), so tests can inject the draws of a worked example.
 */
import type { Rng } from '../../util/rng.js';
import type { LayoutResult } from '../per-document.js';
import { drawSlots, fsPiLiteral, fsPiPositions } from './fs-pi.js';

/**
 * Which tokens the FS-PI positions are computed on. `kept`: on the kept sentences (the intended
 * alignment: gaps fall between kept sentences). `literal`: on the unfiltered document and then
 * indexed by the kept tokens' ordinal, as the reference code does.
 */
export type LongRecipeAlignment = 'kept' | 'literal';

/** Settings of one LongRecipe sample. */
export interface LongRecipeSettings {
  /** The base (training) length: documents are cut to it, and it is the row length. */
  base: number;
  /** The target length: every position is below it; `target − base` unit gaps are spread between sentences. */
  target: number;
  alignment: LongRecipeAlignment;
}

/** Every random draw of one LongRecipe sample. */
export interface LongRecipeDraws {
  /** Per sentence of the (cut) document: kept or not. */
  keep: boolean[];
  /** FS-PI slots: sorted distinct indices of `[0, (target − base) + count)`, one per positioned sentence (kept ones, or all under `literal`). */
  slots: number[];
  /** The right point `r ∈ 1 … (base+1)//2`: the first r tokens keep natural positions. Absent: no right point. */
  rightPoint?: number;
}

/**
 * Draws a sample's randomness, in this order: one keep draw per sentence without a digit
 * (kept with probability `keepProbability`; sentences with a digit are always kept), the FS-PI
 * slots, then the right point (when `rightPoint` is on).
 */
export function drawLongRecipe(rng: Rng, hasDigit: readonly boolean[], s: LongRecipeSettings & { keepProbability: number; rightPoint: boolean }): LongRecipeDraws {
  const keep = hasDigit.map((d) => d || rng.float() < s.keepProbability);
  const count = s.alignment === 'kept' ? keep.filter(Boolean).length : keep.length;
  const slots = drawSlots(rng, count, s.target - s.base);
  const out: LongRecipeDraws = { keep, slots };
  if (s.rightPoint) out.rightPoint = rng.int(1, (s.base + 1) >> 1);
  return out;
}

/**
 * Builds the sample of a document cut to `base` tokens, whose sentences end at `ends`, from its
 * draws. The kept sentences are the tokens; their positions are the FS-PI list `PI` (on the
 * kept sentences, or under `literal` on all sentences and indexed by kept ordinal); with a right
 * point r the positions are `[0 … r−1] ++ PI[r : L]` (L = kept tokens). Drops: `empty_selection`
 * (no sentence kept), `empty_positions` (under `literal`, the PI list of a one-token document is
 * empty), `position_mismatch` (under `literal`, r > L: the reference's lengths disagree and it
 * drops the sample; under `kept` r is capped at L).
 */
export function longRecipeLayout(ends: readonly number[], d: LongRecipeDraws, s: LongRecipeSettings): LayoutResult {
  if (d.keep.length !== ends.length) throw new RangeError(`LongRecipe: ${d.keep.length} keep draws for ${ends.length} sentences`);
  const lengths: number[] = [];
  const keptLengths: number[] = [];
  const spans: number[] = [];
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const len = ends[i]! - start;
    lengths.push(len);
    if (d.keep[i]) {
      keptLengths.push(len);
      if (spans.length > 0 && spans[spans.length - 1] === start) spans[spans.length - 1] = ends[i]!;
      else spans.push(start, ends[i]!);
    }
    start = ends[i]!;
  }
  if (start > s.base) throw new RangeError(`LongRecipe: document of ${start} tokens longer than base ${s.base}`);
  let l = 0;
  for (const len of keptLengths) l += len;
  if (l === 0) return { drop: 'empty_selection' };
  const gaps = s.target - s.base;
  const count = s.alignment === 'kept' ? keptLengths.length : lengths.length;
  for (const slot of d.slots) if (slot < 0 || slot >= gaps + count) throw new RangeError(`LongRecipe: slot ${slot} outside [0, ${gaps + count})`);
  const pi = s.alignment === 'kept' ? fsPiPositions(keptLengths, d.slots) : fsPiLiteral(lengths, d.slots);
  if (pi.length < l) return { drop: 'empty_positions' };
  const positions = pi.slice(0, l);
  if (d.rightPoint !== undefined) {
    if (!Number.isInteger(d.rightPoint) || d.rightPoint < 1 || d.rightPoint > (s.base + 1) >> 1) throw new RangeError(`LongRecipe: right point ${d.rightPoint} outside 1 … ${(s.base + 1) >> 1}`);
    if (s.alignment === 'literal' && d.rightPoint > l) return { drop: 'position_mismatch' };
    const r = Math.min(d.rightPoint, l);
    for (let i = 0; i < r; i++) positions[i] = i;
  }
  return { spans, positions };
}
