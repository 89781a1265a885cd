import type { Rng } from '../../util/rng.js';

/** The symbols of a chunk ID, in the reference's order (`string.ascii_letters + string.digits`). */
export const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Characters per chunk ID (the UtK reference's `generate_random_string(6)`). */
export const ID_LENGTH = 6;

/** One random chunk ID: {@link ID_LENGTH} symbols drawn uniformly from {@link ID_ALPHABET}. */
export function randomChunkId(rng: Rng): string {
  let s = '';
  for (let i = 0; i < ID_LENGTH; i++) s += ID_ALPHABET[rng.int(0, ID_ALPHABET.length - 1)];
  return s;
}

/** Token ids of the five backtracing markers `<D> </D> <S> <s> </S>`. */
export interface SortMarkerIds {
  open: number;
  close: number;
  summaryOpen: number;
  summarySep: number;
  summaryClose: number;
}

/** Length in tokens of the header `<D> id </D>`. */
export function headerLength(id: Int32Array): number {
  return id.length + 2;
}

/** Writes the header `<D> id </D>` at `out[at]`; returns the offset after it. */
export function writeHeader(out: Int32Array, at: number, id: Int32Array, m: SortMarkerIds): number {
  out[at++] = m.open;
  out.set(id, at);
  at += id.length;
  out[at++] = m.close;
  return at;
}

/** Length in tokens of the summary `<S> id₀ <s> id₁ … </S>` over `ids`. */
export function summaryLength(ids: readonly Int32Array[]): number {
  let n = 2 + Math.max(0, ids.length - 1);
  for (const id of ids) n += id.length;
  return n;
}

/**
 * Writes the backtracing summary `<S> id₀ <s> id₁ <s> … </S>` at `out[at]`, the IDs of one
 * document's chunks in their *original* order; returns the offset after it.
 */
export function writeSummary(out: Int32Array, at: number, ids: readonly Int32Array[], m: SortMarkerIds): number {
  out[at++] = m.summaryOpen;
  ids.forEach((id, k) => {
    if (k > 0) out[at++] = m.summarySep;
    out.set(id, at);
    at += id.length;
  });
  out[at++] = m.summaryClose;
  return at;
}
