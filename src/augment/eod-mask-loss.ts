import type { Sample } from '../samples/sample.js';
import type { Augmenter } from './augmenter.js';
import { lossMaskOf } from './augmenter.js';

/** The document delimiter token(s) of a build, from its BOS/EOS policy. */
export interface DocumentDelimiter {
  /** EOS appended to every document (Megatron's EOD), if any. */
  eos?: number;
  /** BOS prepended to every document, if any. */
  bos?: number;
}

/**
 * Megatron's `eod_mask_loss` in skein's label-aligned convention (docs/configuration.md#eod-mask-loss-megatron-eod_mask_loss): do not
 * train the prediction across a document boundary. Zeroes entries of `mask` in place.
 *
 * Megatron zeroes input position `p` where `tokens[p] == EOD`, i.e. the prediction of the token
 * *after* the EOD; label-aligned that is `mask[j] = 0` where `ids[j − 1] == EOS`. The EOD itself
 * stays a target (a document learns to end). When documents carry no EOS but a BOS (the Llama
 * layout `[BOS] + tokens`), the boundary prediction is that of the next document's BOS, so
 * `mask[j] = 0` where `ids[j] == BOS`. Token-based like Megatron's, so it stays right after
 * augmenters that move tokens (UtK).
 */
export function maskDocumentBoundaries(ids: Int32Array, mask: Uint8Array, delim: DocumentDelimiter): void {
  if (delim.eos !== undefined) {
    const eos = delim.eos;
    for (let j = 1; j < ids.length; j++) if (ids[j - 1] === eos) mask[j] = 0;
  } else if (delim.bos !== undefined) {
    const bos = delim.bos;
    for (let j = 0; j < ids.length; j++) if (ids[j] === bos) mask[j] = 0;
  } else {
    throw new Error('maskDocumentBoundaries: the build adds neither BOS nor EOS, so documents have no delimiter token');
  }
}

/** The `eod-mask-loss` augmenter: {@link maskDocumentBoundaries} on every row; adds the `loss_mask` column. */
export class EodMaskLossAugmenter implements Augmenter {
  readonly name = 'eod-mask-loss';
  readonly stats = { rows: 0, masked_tokens: 0 };

  constructor(private readonly delim: DocumentDelimiter) {
    if (delim.eos === undefined && delim.bos === undefined) throw new Error('EodMaskLossAugmenter: documents have no delimiter token (no BOS or EOS)');
  }

  apply(row: Sample): Sample {
    const mask = row.lossMask ? row.lossMask.slice() : lossMaskOf(row);
    let before = 0;
    for (let j = 0; j < mask.length; j++) before += mask[j]!;
    maskDocumentBoundaries(row.inputIds, mask, this.delim);
    let after = 0;
    for (let j = 0; j < mask.length; j++) after += mask[j]!;
    this.stats.rows++;
    this.stats.masked_tokens += before - after;
    return { ...row, lossMask: mask };
  }
}
