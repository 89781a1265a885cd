import { rngFor } from '../util/rng.js';

/**
 * The rank of a document in a seeded random order: `priority` from `rngFor(seed, 'subset', key)`
 * (the key holds the input index and the document id), and a `tie` string, unique per record,
 * that orders documents with equal priorities (duplicate ids). Smaller comes first.
 */
export interface SubsetRank {
  priority: number;
  tie: string;
}

/** Compares two ranks: priority, then tie. */
export function compareRank(a: SubsetRank, b: SubsetRank): number {
  if (a.priority !== b.priority) return a.priority < b.priority ? -1 : 1;
  return a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0;
}

/** The rank of document `docId` of input `inputIndex` (the tie string is the record's location). */
export function subsetRank(seed: number, inputIndex: number, docId: string, tie: string): SubsetRank {
  return { priority: rngFor(seed, 'subset', `${inputIndex}\u0000${docId}`).float(), tie };
}

/**
 * Keeps the `n` smallest ranks seen (a bounded max-heap: memory O(n), never O(corpus)). After a
 * pass over an input, {@link threshold} is the n-th smallest rank: the documents whose rank is at
 * most the threshold are exactly the `n` of a seeded random subset (priority sampling; the same
 * seed gives the same subset, whatever the order or the partition of the files).
 */
export class SmallestRanks {
  private readonly heap: SubsetRank[] = [];
  /** Documents offered. */
  seen = 0;

  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`subset size must be a non-negative integer, got ${n}`);
  }

  /** Offers one document's rank. */
  offer(r: SubsetRank): void {
    this.seen++;
    const h = this.heap;
    if (h.length < this.n) {
      h.push(r);
      this.up(h.length - 1);
    } else if (this.n > 0 && compareRank(r, h[0]!) < 0) {
      h[0] = r;
      this.down(0);
    }
  }

  /** The largest kept rank, or null when fewer than `n` documents were seen (all are selected). */
  threshold(): SubsetRank | null {
    if (this.n === 0) return { priority: -1, tie: '' };
    return this.heap.length < this.n ? null : { ...this.heap[0]! };
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (compareRank(h[i]!, h[p]!) <= 0) return;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && compareRank(h[l]!, h[m]!) > 0) m = l;
      if (r < h.length && compareRank(h[r]!, h[m]!) > 0) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

/** Whether a rank is inside a subset whose threshold is `t` (null: everything is inside). */
export function inSubset(r: SubsetRank, t: SubsetRank | null): boolean {
  return t === null || compareRank(r, t) <= 0;
}

/**
 * Splits the `[N]` suffix off an input path (the Llama-3-80K notation `train.json[5000]`,
 * docs/configuration.md#inputs-with-n-seeded-subsets): `{ path: 'train.json', subset: 5000 }`. Only a trailing bracket holding
 * digits (underscores allowed: `[10_000]`) is a subset; anything else, such as a glob character
 * class `part-[0-9]`, is left in the path.
 */
export function parseSubsetSuffix(p: string): { path: string; subset?: number } {
  const m = /\[([\d_]+)\]$/.exec(p);
  if (!m || !/\d/.test(m[1]!)) return { path: p };
  return { path: p.slice(0, m.index), subset: Number(m[1]!.replace(/_/g, '')) };
}
