import type { UtkMarkerIds } from './assemble.js';

/**
 * UtK's extra loss masking (docs/recipes.md#utk; the reference's `__getitem__`), in skein's
 * label-aligned convention: `mask[j] = 1` means token `j` is a prediction target (predicted from
 * the tokens before it). Zeroes entries of `mask` in place; never sets one.
 *
 * The reference works on Megatron's input-aligned mask, where entry `p` weighs the prediction
 * of token `p + 1` from tokens `≤ p`; a rule on "input token `p`" is therefore a rule on skein
 * entry `j = p + 1`, and a rule on "label `p`" (= token `p + 1`) is a rule on entry `j` itself:
 *
 * | reference (input-aligned)                      | skein (label-aligned)                              |
 * |------------------------------------------------|----------------------------------------------------|
 * | input is a knot → 0                            | the token after a knot is not a target             |
 * | label is a knot → 0                            | a knot is not a target                             |
 * | inputs from `<D>` through `</D>` → 0           | ID tokens, `</D>` and the token after `</D>` are not targets |
 * | unclosed last `<D>` (truncated) → 0 to the end | from the ID after `<D>` to the row's end           |
 * | label `<D>` → 0                                | `<D>` is not a target                              |
 * | input `</S>` → 0                               | the token after `</S>` is not a target             |
 * | label `<S>` → 0                                | `<S>` is not a target                              |
 *
 * So headers and knots are context only, while the summary's IDs, its `<s>` separators and
 * `</S>` are targets (the backtracing loss). Entry 0 (the row's first token, which no token
 * predicts) follows the label-side rules only. Markers are recognised by id; document text
 * never encodes to them.
 */
export function maskUtkMarkers(ids: Int32Array, mask: Uint8Array, markers: UtkMarkerIds): void {
  const knots = new Set<number>(markers.knots);
  const sort = markers.sort;
  let lo = Infinity;
  let hi = -Infinity;
  for (const k of knots) {
    lo = Math.min(lo, k);
    hi = Math.max(hi, k);
  }
  if (sort) {
    for (const k of [sort.open, sort.close, sort.summaryOpen, sort.summarySep, sort.summaryClose]) {
      lo = Math.min(lo, k);
      hi = Math.max(hi, k);
    }
  }
  const L = ids.length;
  /** Inside a header: entries up to and including `headerEnd` are zeroed (Infinity until `</D>` is seen). */
  let headerEnd = -1;
  let prevKnot = false;
  let prevSummaryClose = false;
  for (let j = 0; j < L; j++) {
    const t = ids[j]!;
    const marker = t >= lo && t <= hi;
    const knot = marker && knots.has(t);
    if (knot || prevKnot) mask[j] = 0;
    prevKnot = knot;
    if (sort) {
      if (marker && t === sort.open) headerEnd = Infinity;
      if (j <= headerEnd) mask[j] = 0;
      if (marker && t === sort.close && headerEnd === Infinity) headerEnd = j + 1;
      if ((marker && t === sort.summaryOpen) || prevSummaryClose) mask[j] = 0;
      prevSummaryClose = marker && t === sort.summaryClose;
    }
  }
}
