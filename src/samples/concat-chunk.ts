import type { TokDoc } from '../tokenize/tok-doc.js';
import type { Transform } from 'node:stream';
import { builderStage, emptyBuilderStats, recordRow, type BuilderCarry, type SampleBuilder, checkSeqLen } from './builder.js';
import { RowAssembler, type RowAssemblerState } from './row-assembler.js';
import type { Sample } from './sample.js';

/** Options of {@link ConcatChunkBuilder}. */
export interface ConcatChunkOptions {
  /** Row length in tokens. */
  seqLen: number;
  /** The incomplete last row: dropped (Fu et al.; its documents are counted as `remainder`) or kept shorter. */
  remainder: 'drop' | 'keep';
  /** Record `doc_sources` per row. */
  withSources: boolean;
}

/**
 * `concat-chunk`: documents (each already `[BOS] + tokens` by the tokenize policy) are
 * concatenated in order and cut into rows of exactly `seqLen` tokens; a document straddling a cut
 * continues at the start of the next row (the Fu et al. / LCEG layout, docs/recipes.md#lceg--fu-et-al-per-source-upsampling).
 * Each row records the lengths and sources of its document pieces.
 *
 * Difference from the reference packer: Fu et al. emit `seqLen` inputs plus one extra next
 * token as a label; skein rows hold `seqLen` tokens and the trainer shifts inside the row.
 */
export class ConcatChunkBuilder implements SampleBuilder {
  readonly name = 'concat-chunk';
  readonly stats = emptyBuilderStats();
  private readonly row: RowAssembler;
  /** Whether each piece in the current row is its document's first piece (for remainder accounting). */
  private firstPieces: boolean[] = [];

  constructor(private readonly opts: ConcatChunkOptions) {
    checkSeqLen(opts.seqLen);
    this.row = new RowAssembler(opts.seqLen);
  }

  push(doc: TokDoc): Sample[] {
    const out: Sample[] = [];
    const st = this.stats;
    st.documents++;
    st.tokensIn += doc.tokens.length;
    let off = 0;
    let pieces = 0;
    while (off < doc.tokens.length) {
      const n = Math.min(this.row.free, doc.tokens.length - off);
      this.row.add(doc.tokens.subarray(off, off + n), doc.source, doc.lossMask?.subarray(off, off + n));
      this.firstPieces.push(off === 0);
      off += n;
      pieces++;
      if (this.row.free === 0) out.push(this.emit(off < doc.tokens.length));
    }
    if (pieces > 1) st.splitDocuments++;
    return out;
  }

  finish(): Sample[] {
    if (this.row.length === 0) return [];
    if (this.opts.remainder === 'keep') return [this.emit(false)];
    const st = this.stats;
    const dropped = this.row.take();
    st.tokensDropped += dropped.inputIds.length;
    const whole = this.firstPieces.filter(Boolean).length;
    if (whole > 0) st.dropped.remainder = (st.dropped.remainder ?? 0) + whole;
    this.firstPieces = [];
    return [];
  }

  /** The row being filled and which of its pieces start a document (see `SampleBuilder.snapshot`). */
  snapshot(): BuilderCarry {
    return { row: this.row.snapshot(), firstPieces: [...this.firstPieces] };
  }

  /** Restores a value of {@link snapshot} into a fresh builder. */
  restore(carry: BuilderCarry): void {
    const c = carry as { row: RowAssemblerState; firstPieces: boolean[] };
    this.row.restore(c.row);
    this.firstPieces = [...c.firstPieces];
  }

  /** Emits the full row; `continues`: its last piece's document goes on in the next row. */
  private emit(continues: boolean): Sample {
    const st = this.stats;
    for (const first of this.firstPieces) if (first) st.written++;
    this.firstPieces = [];
    const row = recordRow(st, this.row.take(), this.opts.withSources);
    if (continues) row.continues = true;
    return row;
  }
}

/** The concat-chunk stage as a Node Transform (TokDoc → Sample). */
export function concatChunk(opts: ConcatChunkOptions): Transform {
  return builderStage(new ConcatChunkBuilder(opts));
}
