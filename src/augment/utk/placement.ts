import type { Rng } from '../../util/rng.js';

/** Where the chunks of a row go: the output order and, per document, the slot of each chunk. */
export interface Placement {
  /** `order[slot] = [document, chunk]`: the chunk emitted at each output slot. */
  order: Array<[number, number]>;
  /** `slots[document][chunk]`: the output slot of each chunk, chunks in original order. */
  slots: number[][];
}

/**
 * The global shuffle of the UtK reference code (`shuffle_preserve_partial_order_multi_hop`): all chunks of all
 * documents are permuted together, except the last chunk of the last document, which stays at
 * the end. A random permutation of the free slots is dealt to the documents in order, `counts[d]`
 * slots each (one fewer for the last document); with `preservePartialOrder` each document's
 * slots are sorted so its chunks keep their relative order.
 *
 * Fixed reference bug (docs/recipes.md#utk, "Bug fixed"): the reference records the pinned chunk of the last
 * document by its *chunk index* where every other entry is a *slot index*, so that document's
 * summary lands after the wrong chunk and names another chunk's ID. Here it is recorded by slot.
 */
export function shuffleChunks(counts: readonly number[], rng: Rng, preservePartialOrder: boolean): Placement {
  const docs = counts.length;
  if (docs === 0) return { order: [], slots: [] };
  let free = 0;
  for (let d = 0; d < docs; d++) free += counts[d]! - (d === docs - 1 ? 1 : 0);
  const perm = Array.from({ length: free }, (_, i) => i);
  rng.shuffle(perm);
  const order: Array<[number, number]> = new Array(free + 1);
  const slots: number[][] = [];
  let at = 0;
  for (let d = 0; d < docs; d++) {
    const n = counts[d]! - (d === docs - 1 ? 1 : 0);
    const mine = perm.slice(at, at + n);
    at += n;
    if (preservePartialOrder) mine.sort((a, b) => a - b);
    mine.forEach((slot, c) => (order[slot] = [d, c]));
    slots.push(mine);
  }
  const last = docs - 1;
  order[free] = [last, counts[last]! - 1];
  slots[last]!.push(free);
  return { order, slots };
}

/**
 * The `skywork_interleave` baseline (the UtK reference's `interleaved_skywork`): chunk 0 of every
 * document in document order, then chunk 1 of every document that has one, and so on. No
 * randomness, nothing pinned.
 */
export function interleaveChunks(counts: readonly number[]): Placement {
  const order: Array<[number, number]> = [];
  const slots: number[][] = counts.map(() => []);
  const most = counts.reduce((a, b) => Math.max(a, b), 0);
  for (let c = 0; c < most; c++) {
    for (let d = 0; d < counts.length; d++) {
      if (c < counts[d]!) {
        slots[d]!.push(order.length);
        order.push([d, c]);
      }
    }
  }
  return { order, slots };
}
