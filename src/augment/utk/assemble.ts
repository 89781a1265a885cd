import type { Sample } from '../../samples/sample.js';
import { headerLength, summaryLength, writeHeader, writeSummary, type SortMarkerIds } from './backtrace.js';
import type { UtkOptions } from './config.js';
import { isChunked, type UtkPlan } from './plan.js';

/** Token ids of the markers a UtK row may contain. */
export interface UtkMarkerIds {
  /** Knot markers `[end_1, start_1, end_2, start_2, …]`. */
  knots: Int32Array;
  /** Backtracing markers, when backtracing is on. */
  sort: SortMarkerIds | null;
}

/** A row rebuilt by UtK before truncation back to its length. */
export interface AssembledRow {
  inputIds: Int32Array;
  /** One piece per output slot: header, start knot, chunk text, end knot, summary. */
  docLengths: number[];
  /** Source of each piece (its document's), when the input row had sources. */
  docSources?: string[];
  /** The input row's loss mask carried along with its tokens (inserted tokens 1), when it had one. */
  lossMask?: Uint8Array;
  /** Marker and ID tokens inserted (knots, headers, summaries). */
  inserted: number;
}

/**
 * Emits the row a plan describes (as the UtK reference code does: docs/recipes.md#utk): slot by slot, chunk `c` of document
 * `d` becomes `[<D> id </D>] [start knot c] text [end knot c+1] [<S> ids… </S>]`, where
 *
 * - knots mark the boundaries between a document's chunks: chunk `c > 0` starts with
 *   `knots[2c − 1]` and every chunk but the last ends with `knots[2c]` (none in the interleave
 *   baseline);
 * - with backtracing, every chunk of a document cut into several chunks gets the header with its
 *   slot's ID, and the document's *last-appearing* chunk is followed by the summary listing the
 *   IDs of its chunks in original order; a document left whole gets neither.
 *
 * `ids[slot]` holds the tokens of each slot's ID (needed for chunked documents' slots only).
 */
export function assembleRow(row: Pick<Sample, 'inputIds' | 'docLengths' | 'docSources' | 'lossMask'>, plan: UtkPlan, markers: UtkMarkerIds, ids: ReadonlyArray<Int32Array | null>, o: Pick<UtkOptions, 'skyworkInterleave' | 'addSortTask'>): AssembledRow {
  const docs = row.docLengths.length;
  const docStart = new Array<number>(docs);
  for (let d = 0, at = 0; d < docs; d++) {
    docStart[d] = at;
    at += row.docLengths[d]!;
  }
  const knotsOn = !o.skyworkInterleave;
  const sort = o.addSortTask && !o.skyworkInterleave ? markers.sort : null;
  const { order, slots } = plan.placement;
  const lastSlot = slots.map((s) => s.reduce((a, b) => Math.max(a, b), -1));
  const idOf = (slot: number): Int32Array => {
    const id = ids[slot];
    if (!id) throw new Error(`UtK: no ID tokens for slot ${slot}`);
    return id;
  };

  // Pass 1: piece lengths.
  const lengths = new Array<number>(order.length);
  let total = 0;
  for (let slot = 0; slot < order.length; slot++) {
    const [d, c] = order[slot]!;
    const cuts = plan.cuts[d]!;
    const n = cuts.length + 1;
    const from = c === 0 ? 0 : cuts[c - 1]!;
    const to = c === n - 1 ? row.docLengths[d]! : cuts[c]!;
    let len = to - from;
    if (knotsOn && c > 0) len++;
    if (knotsOn && c < n - 1) len++;
    if (sort && isChunked(plan, d)) {
      len += headerLength(idOf(slot));
      if (slot === lastSlot[d]) len += summaryLength(slots[d]!.map(idOf));
    }
    lengths[slot] = len;
    total += len;
  }

  // Pass 2: tokens (and the carried loss mask).
  const out = new Int32Array(total);
  const mask = row.lossMask ? new Uint8Array(total).fill(1) : undefined;
  const sources = row.docSources ? new Array<string>(order.length) : undefined;
  let at = 0;
  let content = 0;
  for (let slot = 0; slot < order.length; slot++) {
    const [d, c] = order[slot]!;
    const cuts = plan.cuts[d]!;
    const n = cuts.length + 1;
    const from = docStart[d]! + (c === 0 ? 0 : cuts[c - 1]!);
    const to = docStart[d]! + (c === n - 1 ? row.docLengths[d]! : cuts[c]!);
    const chunked = isChunked(plan, d);
    if (sort && chunked) at = writeHeader(out, at, idOf(slot), sort);
    if (knotsOn && c > 0) out[at++] = markers.knots[2 * c - 1]!;
    out.set(row.inputIds.subarray(from, to), at);
    if (mask) mask.set(row.lossMask!.subarray(from, to), at);
    at += to - from;
    content += to - from;
    if (knotsOn && c < n - 1) out[at++] = markers.knots[2 * c]!;
    if (sort && chunked && slot === lastSlot[d]) at = writeSummary(out, at, slots[d]!.map(idOf), sort);
    if (sources) sources[slot] = row.docSources![d]!;
  }
  if (at !== total) throw new Error(`UtK: assembled ${at} tokens, planned ${total}`);
  const r: AssembledRow = { inputIds: out, docLengths: lengths, inserted: total - content };
  if (sources) r.docSources = sources;
  if (mask) r.lossMask = mask;
  return r;
}

/**
 * Cuts an assembled row back to `length` tokens (the UtK reference's `tokens[:sequence_length]`): pieces
 * past the cut are dropped and the piece it falls in is shortened. The tail lost is usually the
 * pinned last chunk of the last document.
 */
export function truncateRow(a: AssembledRow, length: number): Sample {
  const n = Math.min(length, a.inputIds.length);
  const lengths: number[] = [];
  const sources: string[] = [];
  let at = 0;
  for (let k = 0; k < a.docLengths.length && at < n; k++) {
    const len = Math.min(a.docLengths[k]!, n - at);
    lengths.push(len);
    if (a.docSources) sources.push(a.docSources[k]!);
    at += len;
  }
  const s: Sample = { inputIds: n === a.inputIds.length ? a.inputIds : a.inputIds.slice(0, n), docLengths: Int32Array.from(lengths) };
  if (a.docSources) s.docSources = sources;
  if (a.lossMask) s.lossMask = n === a.lossMask.length ? a.lossMask : a.lossMask.slice(0, n);
  return s;
}
