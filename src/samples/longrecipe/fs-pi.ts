/**
 * LongRecipe's FS-PI position transformation (the reference's `FSProcessor`, docs/recipes.md#longrecipe), in
 * the "one sentence per segment" setting (`min_num = max_num = 1`): the sentences keep their
 * internal contiguity and `gaps` empty unit slots are spread at random between them.
 *
 * The reference builds an array of `gaps + count` slots, puts sentence 0 in slot 0 and sentence
 * i ≥ 1 in slot `pick[i]` (`pick` = sorted sample of `count` distinct slots; `pick[0]` is
 * ignored), flattens it (a sentence expands to its tokens, an empty slot to one filler) and
 * takes each token's index in the flat array as its position. That is computed here in O(count)
 * without the array: sentence i ≥ 1 starts at position `(tokens before it) + pick[i] − i`.
 */
import type { Rng } from '../../util/rng.js';

/** The slot draw: `count` sorted distinct slot indices of `[0, gaps + count)`. */
export function drawSlots(rng: Rng, count: number, gaps: number): number[] {
  if (!Number.isInteger(count) || count < 0 || !Number.isInteger(gaps) || gaps < 0) throw new RangeError(`drawSlots: bad count ${count} or gaps ${gaps}`);
  return rng.sample(gaps + count, count).sort((a, b) => a - b);
}

/** Throws unless `slots` is strictly increasing, one per sentence, with `slots[i] ≥ i`. */
function checkSlots(lengths: readonly number[], slots: readonly number[]): void {
  if (slots.length !== lengths.length) throw new RangeError(`FS-PI: ${slots.length} slots for ${lengths.length} sentences`);
  for (let i = 1; i < slots.length; i++) {
    if (!Number.isInteger(slots[i]) || slots[i]! <= slots[i - 1]! || slots[i]! < i) throw new RangeError(`FS-PI: slots must be strictly increasing distinct integers (slot ${i} = ${slots[i]})`);
  }
}

/**
 * FS-PI positions of sentences of the given lengths placed at `slots` (the flat-array index of
 * every token): sentence 0 at `0 …`, sentence i ≥ 1 from `(Σ_{j<i} lengthⱼ) + slots[i] − i`.
 * Strictly increasing, contiguous inside a sentence; with `gaps + count` slots the last
 * position is at most `Σ lengths − 1 + gaps`.
 */
export function fsPiPositions(lengths: readonly number[], slots: readonly number[]): Int32Array {
  checkSlots(lengths, slots);
  let n = 0;
  for (const l of lengths) n += l;
  const out = new Int32Array(n);
  let at = 0;
  for (let i = 0; i < lengths.length; i++) {
    const first = i === 0 ? 0 : at + slots[i]! - i;
    for (let k = 0; k < lengths[i]!; k++) out[at + k] = first + k;
    at += lengths[i]!;
  }
  return out;
}

/**
 * The reference's literal PI list: the flat array holds token *indices*, and the reference keeps
 * the flat positions whose value is not 0 (`flat[k] != 0`), which drops empty slots and token 0
 * alike, then re-adds `PI[0] − 1` in front for token 0. When sentence 0 has two or more tokens
 * this equals {@link fsPiPositions}; when it has one, token 0 lands just before sentence 1. A
 * one-token document gives an empty list (the reference would fail on it).
 */
export function fsPiLiteral(lengths: readonly number[], slots: readonly number[]): Int32Array {
  const p = fsPiPositions(lengths, slots);
  if (p.length < 2) return new Int32Array(0);
  p[0] = p[1]! - 1;
  return p;
}
