import type { MergeTable } from './merge-table.js';

/**
 * Applies byte-pair merges to one pre-token in O(n log n): a priority queue of candidate pairs
 * ordered by (rank, position), lazily invalidated — the algorithm of Hugging Face tokenizers'
 * `Word::merge_all`, reproduced step for step (including which stale entries still apply), so
 * the result is the reference's. With ranks equal to merged ids it is also tiktoken's
 * `byte_pair_merge` (lowest rank first, leftmost on ties).
 *
 * Hand-written because the JavaScript BPE engines rescan the whole word after every merge
 * (quadratic: 100,000 identical letters take seconds); this one stays near-linear on any input.
 * Scratch arrays are reused across calls and grow to the longest pre-token seen.
 */
export class PairMerger {
  private sym = new Int32Array(64);
  private prev = new Int32Array(64);
  private next = new Int32Array(64);
  private alive = new Uint8Array(64);
  private hRank = new Int32Array(192);
  private hPos = new Int32Array(192);
  private hNew = new Int32Array(192);
  private hSize = 0;
  /** Heap steps (pushes, pops and sift moves) since construction: a machine-independent cost measure for tests. */
  ops = 0;

  constructor(private readonly merges: MergeTable) {}

  private ensure(n: number): void {
    if (n <= this.sym.length) return;
    let size = this.sym.length;
    while (size < n) size *= 2;
    this.sym = new Int32Array(size);
    this.prev = new Int32Array(size);
    this.next = new Int32Array(size);
    this.alive = new Uint8Array(size);
    this.hRank = new Int32Array(size * 3);
    this.hPos = new Int32Array(size * 3);
    this.hNew = new Int32Array(size * 3);
  }

  /** Whether heap entry i orders before entry j: lower rank, then lower position. */
  private less(i: number, j: number): boolean {
    const ri = this.hRank[i]!;
    const rj = this.hRank[j]!;
    return ri < rj || (ri === rj && this.hPos[i]! < this.hPos[j]!);
  }

  private swap(i: number, j: number): void {
    const r = this.hRank[i]!;
    const p = this.hPos[i]!;
    const m = this.hNew[i]!;
    this.hRank[i] = this.hRank[j]!;
    this.hPos[i] = this.hPos[j]!;
    this.hNew[i] = this.hNew[j]!;
    this.hRank[j] = r;
    this.hPos[j] = p;
    this.hNew[j] = m;
  }

  private push(rank: number, pos: number, merged: number): void {
    let i = this.hSize++;
    this.hRank[i] = rank;
    this.hPos[i] = pos;
    this.hNew[i] = merged;
    this.ops++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
      this.ops++;
    }
  }

  /** Removes the top entry (its fields must have been read before). */
  private pop(): void {
    const last = --this.hSize;
    this.ops++;
    if (last === 0) return;
    this.hRank[0] = this.hRank[last]!;
    this.hPos[0] = this.hPos[last]!;
    this.hNew[0] = this.hNew[last]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const child = r < last && this.less(r, l) ? r : l;
      if (!this.less(child, i)) break;
      this.swap(i, child);
      i = child;
      this.ops++;
    }
  }

  /** Pushes the candidate merge of the symbol at `pos` with its right neighbour, if the pair has a rule. */
  private candidate(pos: number): void {
    const right = this.next[pos]!;
    if (right === -1) return;
    const slot = this.merges.find(this.sym[pos]!, this.sym[right]!);
    if (slot >= 0) this.push(this.merges.rankAt(slot), pos, this.merges.mergedAt(slot));
  }

  /**
   * Merges the symbol ids `ids[0..n)` (the pre-token's byte tokens) and appends the resulting
   * token ids to `out`.
   */
  merge(ids: ArrayLike<number>, n: number, out: number[]): void {
    if (n === 1) {
      out.push(ids[0]!);
      return;
    }
    this.ensure(n);
    const { sym, prev, next, alive, merges } = this;
    for (let i = 0; i < n; i++) {
      sym[i] = ids[i]!;
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
      alive[i] = 1;
    }
    this.hSize = 0;
    for (let i = 0; i + 1 < n; i++) this.candidate(i);
    while (this.hSize > 0) {
      const pos = this.hPos[0]!;
      const merged = this.hNew[0]!;
      this.pop();
      if (alive[pos] === 0) continue;
      const right = next[pos]!;
      if (right === -1) continue;
      // A stale entry applies only if the pair now at `pos` still merges into the same id.
      const slot = merges.find(sym[pos]!, sym[right]!);
      if (slot < 0 || merges.mergedAt(slot) !== merged) continue;
      sym[pos] = merged;
      alive[right] = 0;
      const after = next[right]!;
      next[pos] = after;
      if (after !== -1) prev[after] = pos;
      const before = prev[pos]!;
      if (before >= 0) this.candidate(before);
      this.candidate(pos);
    }
    for (let i = 0; i !== -1; i = next[i]!) out.push(sym[i]!);
  }
}
