import type { Rng } from '../../util/rng.js';
import { randomChunkId } from './backtrace.js';
import { cutPoints, drawChunkCount } from './chunking.js';
import type { UtkOptions } from './config.js';
import { interleaveChunks, shuffleChunks, type Placement } from './placement.js';

/** Every random decision UtK makes for one row, drawn before any token moves. */
export interface UtkPlan {
  /** Index of the chunking variant drawn for the row. */
  variant: number;
  /** Per document piece: the cut offsets inside it (empty: the piece stays one chunk). */
  cuts: number[][];
  placement: Placement;
  /** Per output slot, its chunk ID string (backtracing only; drawn for every slot as the reference does). */
  ids: string[] | null;
}

/**
 * Draws the plan of one row whose documents are the pieces of `docLengths` (docs/recipes.md#utk),
 * in the reference's order: the variant (once per row), then per document its chunk count and
 * cut points, then the placement (global shuffle with the last chunk pinned, or the round-robin
 * baseline), then one 6-character ID per slot when backtracing is on.
 */
export function planRow(docLengths: ArrayLike<number>, rng: Rng, o: UtkOptions): UtkPlan {
  const variant = rng.weighted(o.variantProbs);
  const chunkWeights = o.variants[variant]!;
  const cuts: number[][] = [];
  for (let d = 0; d < docLengths.length; d++) {
    const n = drawChunkCount(chunkWeights, rng);
    cuts.push(cutPoints(docLengths[d]!, n, o.useLengthSampler, rng));
  }
  const counts = cuts.map((c) => c.length + 1);
  const placement = o.skyworkInterleave ? interleaveChunks(counts) : shuffleChunks(counts, rng, o.preservePartialOrder);
  const ids = o.addSortTask && !o.skyworkInterleave ? placement.order.map(() => randomChunkId(rng)) : null;
  return { variant, cuts, placement, ids };
}

/** Whether document `d` of a plan is cut into more than one chunk (only those get headers and a summary). */
export function isChunked(plan: UtkPlan, d: number): boolean {
  return plan.cuts[d]!.length > 0;
}

/** The ID strings that will appear in the row (those of chunked documents' slots), by slot; the rest are null. */
export function usedIds(plan: UtkPlan): Array<string | null> {
  if (!plan.ids) return [];
  return plan.placement.order.map(([d], slot) => (isChunked(plan, d) ? plan.ids![slot]! : null));
}
