/** A piece of input that goes to exactly one rank: a whole file, or one Parquet row group. */
export interface WorkUnit {
  /** Position in the global read order (inputs in config order, files sorted, row groups ascending). */
  order: number;
  /** Size on disk, the load to balance. */
  bytes: number;
}

/**
 * Assigns units to `worldSize` ranks, deterministically and balanced by bytes (longest
 * processing time first: the largest unit goes to the least loaded rank; ties go to the smaller
 * order and the lower rank). Returns the rank of each unit, parallel to `units`. Every unit gets
 * exactly one rank, so the ranks together read every input exactly once.
 */
export function assignUnits(units: readonly WorkUnit[], worldSize: number): number[] {
  if (!Number.isInteger(worldSize) || worldSize < 1) throw new RangeError(`worldSize must be a positive integer, got ${worldSize}`);
  const ranks = new Array<number>(units.length).fill(0);
  if (worldSize === 1) return ranks;
  const load = new Array<number>(worldSize).fill(0);
  const byLoad = units.map((u, i) => ({ u, i })).sort((a, b) => b.u.bytes - a.u.bytes || a.u.order - b.u.order);
  for (const { u, i } of byLoad) {
    let best = 0;
    for (let r = 1; r < worldSize; r++) if (load[r]! < load[best]!) best = r;
    ranks[i] = best;
    load[best]! += u.bytes;
  }
  return ranks;
}
