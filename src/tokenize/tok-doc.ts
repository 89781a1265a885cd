/** A tokenized document (docs/architecture.md#items-between-stages): the tokens of one document including any BOS/EOS added by policy. */
export interface TokDoc {
  id: string;
  source: string;
  tokens: Int32Array;
  /** 1 = prediction target, aligned with `tokens` (chat documents only). */
  lossMask?: Uint8Array;
}
