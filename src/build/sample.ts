/**
 * One training row (design.md §2 and §4): the unit builders emit and the shard writer stores.
 * Invariant: the sum of `docLengths` equals `inputIds.length`; `docSources`, when present, is
 * parallel to `docLengths`; `positionIds` and `lossMask`, when present, are parallel to `inputIds`.
 */
export interface Sample {
  inputIds: Int32Array;
  docLengths: Int32Array;
  positionIds?: Int32Array;
  lossMask?: Uint8Array;
  docSources?: string[];
}
