import { markOwned } from './owned-arrays.js';
import type { Sample } from './sample.js';

/** A row in progress as saved in a checkpoint: its tokens, piece lengths and sources, and its loss mask when it has one. */
export interface RowAssemblerState {
  [key: string]: Int32Array | Uint8Array | number[] | string[] | null;
  tokens: Int32Array;
  lengths: number[];
  sources: string[];
  mask: Uint8Array | null;
}

/**
 * Accumulates document pieces into one row: the tokens, the piece lengths, their sources and,
 * when any piece carries one, the loss mask (pieces without a mask count as all targets).
 * Shared by the builders so that every row is assembled (and its invariants kept) in one place.
 */
export class RowAssembler {
  private readonly buf: Int32Array;
  private mask: Uint8Array | undefined;
  private masked = false;
  private fill = 0;
  private lengths: number[] = [];
  private sources: string[] = [];

  constructor(readonly capacity: number) {
    this.buf = new Int32Array(capacity);
  }

  /** Tokens in the row so far. */
  get length(): number {
    return this.fill;
  }

  /** Room left in the row. */
  get free(): number {
    return this.capacity - this.fill;
  }

  /** Number of pieces in the row. */
  get pieces(): number {
    return this.lengths.length;
  }

  /** Appends a piece (it must fit), with its loss mask (parallel to `tokens`) if it has one. */
  add(tokens: Int32Array, source: string, lossMask?: Uint8Array): void {
    if (tokens.length > this.free) throw new Error(`RowAssembler: piece of ${tokens.length} tokens does not fit in ${this.free}`);
    if (lossMask && lossMask.length !== tokens.length) throw new Error(`RowAssembler: loss mask of ${lossMask.length} for ${tokens.length} tokens`);
    this.buf.set(tokens, this.fill);
    if (lossMask || this.masked) {
      this.mask ??= new Uint8Array(this.capacity);
      if (!this.masked) this.mask.fill(1, 0, this.fill);
      this.masked = true;
      if (lossMask) this.mask.set(lossMask, this.fill);
      else this.mask.fill(1, this.fill, this.fill + tokens.length);
    }
    this.fill += tokens.length;
    this.lengths.push(tokens.length);
    this.sources.push(source);
  }

  /** The row so far, copied (for a resume checkpoint; see `SampleBuilder.snapshot`). */
  snapshot(): RowAssemblerState {
    return {
      tokens: this.buf.slice(0, this.fill),
      lengths: [...this.lengths],
      sources: [...this.sources],
      mask: this.masked ? this.mask!.slice(0, this.fill) : null,
    };
  }

  /** Refills an empty assembler with a row taken by {@link snapshot}: the same pieces, sources and mask. */
  restore(s: RowAssemblerState): void {
    if (this.fill !== 0) throw new Error('RowAssembler.restore: the assembler is not empty');
    let off = 0;
    for (let i = 0; i < s.lengths.length; i++) {
      const n = s.lengths[i]!;
      this.add(s.tokens.subarray(off, off + n), s.sources[i]!, s.mask?.subarray(off, off + n));
      off += n;
    }
  }

  /** Emits the row (copying its tokens, with its sources and loss mask) and empties the assembler. */
  take(): Sample & { docSources: string[] } {
    // Fresh arrays of this row alone: the shard writer may move them to its thread (owned-arrays.ts).
    const s: Sample & { docSources: string[] } = { inputIds: markOwned(this.buf.slice(0, this.fill)), docLengths: markOwned(Int32Array.from(this.lengths)), docSources: this.sources };
    if (this.masked) s.lossMask = markOwned(this.mask!.slice(0, this.fill));
    this.fill = 0;
    this.masked = false;
    this.lengths = [];
    this.sources = [];
    return s;
  }
}
