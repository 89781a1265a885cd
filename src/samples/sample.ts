/**
 * One training row (docs/architecture.md#items-between-stages, docs/shard-format.md#columns): the unit builders emit and the shard writer stores.
 * Invariant: the sum of `docLengths` equals `inputIds.length`; `docSources`, when present, is
 * parallel to `docLengths`; `positionIds` and `lossMask`, when present, are parallel to `inputIds`.
 */
export interface Sample {
  inputIds: Int32Array;
  docLengths: Int32Array;
  positionIds?: Int32Array;
  lossMask?: Uint8Array;
  docSources?: string[];
  /**
   * Set by a builder that cut a document at the end of this row (concat-chunk): the row's last
   * document piece continues as the first piece of the next row. Not stored in Arrow shards
   * (there every piece is a segment of its own row); the Megatron writer joins the two pieces
   * back into one document.
   */
  continues?: boolean;
}
