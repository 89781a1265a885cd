import type { Sample } from './sample.js';

/**
 * Accumulates document pieces into one row: the tokens, the piece lengths and their sources.
 * Shared by the builders so that every row is assembled (and its invariants kept) in one place.
 */
export class RowAssembler {
  private readonly buf: Int32Array;
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

  /** Appends a piece (it must fit). */
  add(tokens: Int32Array, source: string): void {
    if (tokens.length > this.free) throw new Error(`RowAssembler: piece of ${tokens.length} tokens does not fit in ${this.free}`);
    this.buf.set(tokens, this.fill);
    this.fill += tokens.length;
    this.lengths.push(tokens.length);
    this.sources.push(source);
  }

  /** Emits the row (copying its tokens, with its sources) and empties the assembler. */
  take(): Sample & { docSources: string[] } {
    const s = { inputIds: this.buf.slice(0, this.fill), docLengths: Int32Array.from(this.lengths), docSources: this.sources };
    this.fill = 0;
    this.lengths = [];
    this.sources = [];
    return s;
  }
}
