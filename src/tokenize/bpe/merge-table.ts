/**
 * The merge rules of a byte-pair encoding as a flat open-addressing hash table:
 * (left id, right id) → (rank, merged id).
 *
 * Hand-written instead of a `Map`: a pair key does not fit a small integer (two ids of up to
 * 18 bits each), so a `Map<number, …>` would allocate a heap number per look-up in the hottest
 * loop of the tokenizer; four typed arrays probed linearly allocate nothing.
 */
export class MergeTable {
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly ranks: Int32Array;
  private readonly merged: Int32Array;
  private readonly mask: number;
  private count = 0;

  /** @param capacity the most rules that will be added (the table sizes itself for it). */
  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.mask = size - 1;
    this.left = new Int32Array(size).fill(-1);
    this.right = new Int32Array(size);
    this.ranks = new Int32Array(size);
    this.merged = new Int32Array(size);
  }

  /** Number of rules. */
  get size(): number {
    return this.count;
  }

  private slot(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) >>> 0;
  }

  /**
   * Adds the rule (a, b) → `merged` at `rank`. A pair already present takes the new rule: Hugging
   * Face's loader collects the merge list into a hash map, so of duplicate pairs the last wins.
   */
  set(a: number, b: number, rank: number, merged: number): void {
    if (this.count * 2 >= this.mask) throw new Error('MergeTable is full; give a larger capacity');
    let i = this.slot(a, b) & this.mask;
    while (this.left[i] !== -1) {
      if (this.left[i] === a && this.right[i] === b) {
        this.ranks[i] = rank;
        this.merged[i] = merged;
        return;
      }
      i = (i + 1) & this.mask;
    }
    this.left[i] = a;
    this.right[i] = b;
    this.ranks[i] = rank;
    this.merged[i] = merged;
    this.count++;
  }

  /** The slot of the rule for (a, b), or -1 when the pair does not merge. */
  find(a: number, b: number): number {
    let i = this.slot(a, b) & this.mask;
    for (;;) {
      const l = this.left[i]!;
      if (l === -1) return -1;
      if (l === a && this.right[i] === b) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** The rank of the rule in `slot` (from {@link find}). */
  rankAt(slot: number): number {
    return this.ranks[slot]!;
  }

  /** The merged id of the rule in `slot` (from {@link find}). */
  mergedAt(slot: number): number {
    return this.merged[slot]!;
  }
}
