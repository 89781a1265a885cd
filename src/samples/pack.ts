import type { TokDoc } from '../tokenize/tok-doc.js';
import type { Transform } from 'node:stream';
import { truncateMiddle } from './truncate-middle.js';
import { builderStage, emptyBuilderStats, recordRow, type BuilderCarry, type SampleBuilder, checkSeqLen, fitOrDrop } from './builder.js';
import { RowAssembler, type RowAssemblerState } from './row-assembler.js';
import type { Sample } from './sample.js';

/** Options of {@link PackBuilder}. */
export interface PackOptions {
  /** Row capacity in tokens. */
  seqLen: number;
  /**
   * `greedy`: documents fill the open row in order; one that does not fit closes it.
   * `best-fit`: up to `openRows` rows stay open and each document goes to the fullest row it
   * fits in (best-fit decreasing's online form; fewer wasted tokens, order less preserved).
   */
  algorithm: 'greedy' | 'best-fit';
  /** Rows kept open by `best-fit` (memory: openRows × seqLen tokens). */
  openRows: number;
  /**
   * Documents longer than `seqLen`: `split` into full rows plus a packed tail piece, `truncate`
   * to their first `seqLen` tokens, `truncate-middle` to their first and last `seqLen / 2`
   * tokens (Index-1.9B-32K), or `drop` (counted as `too_long`).
   */
  longDocuments: 'split' | 'truncate' | 'truncate-middle' | 'drop';
  /** Record `doc_sources` per row. */
  withSources: boolean;
}

/**
 * `pack`: whole documents placed into rows of at most `seqLen` tokens, boundaries kept in
 * `doc_lengths` (Index-1.9B / ProLong style). Rows are not padded; the manifest reports the fill
 * ratio. Deterministic: the same documents in the same order give the same rows.
 */
export class PackBuilder implements SampleBuilder {
  readonly name = 'pack';
  readonly stats = emptyBuilderStats();
  /** Open rows, oldest first. */
  private rows: RowAssembler[] = [];

  constructor(private readonly opts: PackOptions) {
    checkSeqLen(opts.seqLen);
    if (!Number.isInteger(opts.openRows) || opts.openRows < 1) throw new Error(`openRows must be a positive integer, got ${opts.openRows}`);
  }

  push(doc: TokDoc): Sample[] {
    const st = this.stats;
    const { seqLen } = this.opts;
    st.documents++;
    st.tokensIn += doc.tokens.length;
    const out: Sample[] = [];
    let tokens = doc.tokens;
    let mask = doc.lossMask;
    if (tokens.length > seqLen) {
      const policy = this.opts.longDocuments;
      if (policy === 'drop' || policy === 'truncate') {
        const fit = fitOrDrop(st, tokens, mask, seqLen, policy);
        if (!fit) return out;
        ({ tokens, mask } = fit);
      } else if (policy === 'truncate-middle') {
        st.tokensDropped += tokens.length - seqLen;
        tokens = truncateMiddle(tokens, seqLen);
        mask = mask && truncateMiddle(mask, seqLen);
      } else {
        st.splitDocuments++;
        if (this.opts.algorithm === 'greedy') {
          // Greedy keeps document order: the open row goes out before this document's full rows.
          for (const r of this.rows) out.push(recordRow(st, r.take(), this.opts.withSources));
          this.rows = [];
        }
        let off = 0;
        for (; tokens.length - off >= seqLen; off += seqLen) {
          const full = new RowAssembler(seqLen);
          full.add(tokens.subarray(off, off + seqLen), doc.source, mask?.subarray(off, off + seqLen));
          out.push(recordRow(st, full.take(), this.opts.withSources));
        }
        tokens = tokens.subarray(off);
        mask = mask?.subarray(off);
        st.written++;
        if (tokens.length === 0) return out;
        this.place(tokens, doc.source, mask, out);
        return out;
      }
    }
    st.written++;
    this.place(tokens, doc.source, mask, out);
    return out;
  }

  finish(): Sample[] {
    const out = this.rows.map((r) => recordRow(this.stats, r.take(), this.opts.withSources));
    this.rows = [];
    return out;
  }

  /** The open rows, oldest first (see `SampleBuilder.snapshot`). */
  snapshot(): BuilderCarry {
    return { rows: this.rows.map((r) => r.snapshot()) };
  }

  /** Restores a value of {@link snapshot} into a fresh builder. */
  restore(carry: BuilderCarry): void {
    const c = carry as { rows: RowAssemblerState[] };
    this.rows = c.rows.map((s) => {
      const r = new RowAssembler(this.opts.seqLen);
      r.restore(s);
      return r;
    });
  }

  /** Puts a piece of at most seqLen tokens into an open row, closing rows as the algorithm says. */
  private place(tokens: Int32Array, source: string, mask: Uint8Array | undefined, out: Sample[]): void {
    let target: RowAssembler | undefined;
    if (this.opts.algorithm === 'greedy') {
      target = this.rows[0];
      if (target && target.free < tokens.length) {
        out.push(recordRow(this.stats, target.take(), this.opts.withSources));
        this.rows = [];
        target = undefined;
      }
    } else {
      for (const r of this.rows) if (r.free >= tokens.length && (!target || r.free < target.free)) target = r;
      if (!target && this.rows.length >= this.opts.openRows) {
        // Close the fullest open row (the oldest among equals) to make room.
        let fullest = 0;
        for (let i = 1; i < this.rows.length; i++) if (this.rows[i]!.free < this.rows[fullest]!.free) fullest = i;
        out.push(recordRow(this.stats, this.rows[fullest]!.take(), this.opts.withSources));
        this.rows.splice(fullest, 1);
      }
    }
    if (!target) {
      target = new RowAssembler(this.opts.seqLen);
      this.rows.push(target);
    }
    target.add(tokens, source, mask);
    if (target.free === 0) {
      out.push(recordRow(this.stats, target.take(), this.opts.withSources));
      this.rows.splice(this.rows.indexOf(target), 1);
    }
  }
}

/** The pack stage as a Node Transform (TokDoc → Sample). */
export function pack(opts: PackOptions): Transform {
  return builderStage(new PackBuilder(opts));
}
