/**
 * One LongRecipe sample from one document (LongRecipe's `FSProcessor` + `preprocess_data.py`,
 * setting `LongRecipe`; docs/recipes.md#longrecipe): sentence selection, FS-PI positions and the
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

/**
 * Where the right point r is drawn. `kept`: `r ~ U{1 … min((base+1)//2, L − 1)}` with L the kept
 * row's length, so every row of two or more tokens has tokens past the natural prefix (the
 * extension the recipe intends; it is the reference's draw conditioned on the row being long
 * enough). `base`: `r ~ U{1 … (base+1)//2}` as the reference draws it; a row shorter than r is
 * dropped (`position_mismatch`), as the reference does.
 */
export type RightPointRange = 'kept' | 'base';

/** Settings of one LongRecipe sample. */
export interface LongRecipeSettings {
  /** The base (training) length: documents are cut to it, and it is the row length. */
  base: number;
  /** The target length: every position is below it; `target − base` unit gaps are spread between sentences. */
  target: number;
  alignment: LongRecipeAlignment;
  /** Where the right point is drawn (see {@link RightPointRange}); default `kept`. */
  rightPointRange?: RightPointRange;
}

/** Every random draw of one LongRecipe sample. */
export interface LongRecipeDraws {
  /** Per sentence of the (cut) document: kept or not. */
  keep: boolean[];
  /** FS-PI slots: sorted distinct indices of `[0, (target − base) + count)`, one per positioned sentence (kept ones, or all under `literal`). */
  slots: number[];
  /** The right point r (see {@link rightPointMax}): the first r tokens keep natural positions. Absent: no right point. */
  rightPoint?: number;
}

/**
 * The largest right point of a row of `kept` tokens: `(base+1)//2` under range `base`; under
 * `kept` also at most `kept − 1` (and at least 1), so that a row of two or more tokens keeps
 * tokens past its natural prefix.
 */
export function rightPointMax(base: number, kept: number, range: RightPointRange = 'kept'): number {
  const half = (base + 1) >> 1;
  return range === 'base' ? half : Math.max(1, Math.min(half, kept - 1));
}

/**
 * Draws a sample's randomness, in this order: one keep draw per sentence without a digit
 * (kept with probability `keepProbability`; sentences with a digit are always kept), the FS-PI
 * slots, then the right point (when `rightPoint` is on) in `1 … rightPointMax`. `ends` are the
 * sentences' end offsets (the kept length bounds the right point under range `kept`).
 */
export function drawLongRecipe(rng: Rng, ends: readonly number[], hasDigit: readonly boolean[], s: LongRecipeSettings & { keepProbability: number; rightPoint: boolean }): LongRecipeDraws {
  if (ends.length !== hasDigit.length) throw new RangeError(`LongRecipe: ${hasDigit.length} digit flags for ${ends.length} sentences`);
  const keep = hasDigit.map((d) => d || rng.float() < s.keepProbability);
  const count = s.alignment === 'kept' ? keep.filter(Boolean).length : keep.length;
  const slots = drawSlots(rng, count, s.target - s.base);
  const out: LongRecipeDraws = { keep, slots };
  if (s.rightPoint) {
    let kept = 0;
    for (let i = 0; i < ends.length; i++) if (keep[i]) kept += ends[i]! - (i === 0 ? 0 : ends[i - 1]!);
    out.rightPoint = rng.int(1, rightPointMax(s.base, kept, s.rightPointRange));
  }
  return out;
}

/**
 * Builds the sample of a document cut to `base` tokens, whose sentences end at `ends`, from its
 * draws. The kept sentences are the tokens; their positions are the FS-PI list `PI` (on the
 * kept sentences, or under `literal` on all sentences and indexed by kept ordinal); with a right
 * point r the positions are `[0 … r−1] ++ PI[r : L]` (L = kept tokens). Drops: `empty_selection`
 * (no sentence kept), `empty_positions` (under `literal`, the PI list of a one-token document is
 * empty), `position_mismatch` (range `base`, r > L: the reference's lengths disagree and it
 * drops the sample). Under range `kept` a right point past {@link rightPointMax} is a bad draw.
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
    const max = rightPointMax(s.base, l, s.rightPointRange);
    if (!Number.isInteger(d.rightPoint) || d.rightPoint < 1 || d.rightPoint > max) throw new RangeError(`LongRecipe: right point ${d.rightPoint} outside 1 … ${max}`);
    if (d.rightPoint > l) return { drop: 'position_mismatch' };
    for (let i = 0; i < d.rightPoint; i++) positions[i] = i;
  }
  return { spans, positions };
}
