import type { Transform } from 'node:stream';
import type { TokDoc } from '../tokenize/tok-doc.js';
import { builderStage, emptyBuilderStats, recordRow, type SampleBuilder, checkSeqLen, fitOrDrop } from './builder.js';
import type { Sample } from './sample.js';

/** Options of {@link SingleBuilder}. */
export interface SingleOptions {
  /** The longest row (the reference's `max_length`). */
  seqLen: number;
  /**
   * Documents longer than `seqLen`: `truncate` to their first `seqLen` tokens (the Llama-3-80K
   * reference for plain-text rows) or `drop` them (counted as `too_long`).
   */
  longDocuments: 'truncate' | 'drop';
  /** Record `doc_sources` per row. */
  withSources: boolean;
}

/**
 * `single`: one document per row, never packed (SFT in the Llama-3-8B-Instruct-80K style,
 * docs/recipes.md#llama-3-8b-instruct-80k-chat-sft). Rows are as long as their document; the trainer pads its batch.
 * Conversations longer than `seqLen` never reach this builder: the tokenize stage drops them.
 */
export class SingleBuilder implements SampleBuilder {
  readonly name = 'single';
  readonly stats = emptyBuilderStats();

  constructor(private readonly opts: SingleOptions) {
    checkSeqLen(opts.seqLen);
  }

  push(doc: TokDoc): Sample[] {
    const st = this.stats;
    const { seqLen } = this.opts;
    st.documents++;
    st.tokensIn += doc.tokens.length;
    const fit = fitOrDrop(st, doc.tokens, doc.lossMask, seqLen, this.opts.longDocuments);
    if (!fit) return [];
    const { tokens, mask } = fit;
    st.written++;
    const row: Sample & { docSources: string[] } = { inputIds: tokens.slice(), docLengths: Int32Array.of(tokens.length), docSources: [doc.source] };
    if (mask) row.lossMask = mask.slice();
    return [recordRow(st, row, this.opts.withSources)];
  }

  finish(): Sample[] {
    return [];
  }
}

/** The single stage as a Node Transform (TokDoc → Sample). */
export function single(opts: SingleOptions): Transform {
  return builderStage(new SingleBuilder(opts));
}
