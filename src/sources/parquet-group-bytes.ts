import type { FileMetaData } from 'hyparquet';
// Not re-exported from hyparquet's entry point; the package exports its `src/*.js` modules.
import { parquetPlan } from 'hyparquet/src/plan.js';
import type { FileRangeBuffer } from './file-range-buffer.js';

/**
 * The bytes of one Parquet row group, fetched where the file is read (the main thread, which
 * keeps the retries, credentials and version checks of a remote object) so that the group can be
 * decoded somewhere without any I/O (a tokenizer worker): the byte ranges hyparquet reads for it
 * and the footer metadata cut down to that group. Plain data and ArrayBuffers, so it travels to a
 * worker with the buffers moved, not copied ({@link fetchedBuffers}).
 */
export interface FetchedRowGroup {
  /** The file's metadata with only this row group in `row_groups`: its rows are then 0..num_rows. */
  metadata: FileMetaData;
  /** The file's size (offsets in `ranges` are the file's). */
  byteLength: number;
  /** The byte ranges `[start, start + bytes.byteLength)` of the file that hyparquet reads for the group. */
  ranges: Array<{ start: number; bytes: ArrayBuffer }>;
}

/** Where a row group's rows lie in the file, and the top-level columns to read. */
export interface GroupRows {
  rowStart: number;
  rowEnd: number;
  columns: string[];
}

/**
 * The byte ranges hyparquet reads to decode rows `[rowStart, rowEnd)` (one row group) of the
 * `columns`: its own read plan, so the ranges are the ones it will ask for — each selected
 * column chunk from its dictionary page (or first data page) over its compressed size, chunks
 * less than 8 KiB apart merged. Throws what hyparquet's planning throws (a column chunk without
 * metadata, a chunk in another file), as decoding the group would.
 */
export function rowGroupFetches(file: FileRangeBuffer, metadata: FileMetaData, rows: GroupRows): Array<{ startByte: number; endByte: number }> {
  return parquetPlan({ file, metadata, rowStart: rows.rowStart, rowEnd: rows.rowEnd, columns: rows.columns }).fetches;
}

/**
 * Fetches, through `file`, what decoding row group `group` (rows `rows`) needs: every range
 * hyparquet's plan names, all requested at once as hyparquet itself does. `bytes` is what `file`
 * read for them (a range served from a cache costs nothing); call it one group at a time, so
 * that the count is this group's. A range that cannot be read rejects with the first failure in
 * plan order, after every request has settled (the bytes of the others are counted, as when
 * hyparquet reads the group itself).
 */
export async function fetchRowGroup(file: FileRangeBuffer, metadata: FileMetaData, group: number, rows: GroupRows): Promise<{ fetched?: FetchedRowGroup; error?: unknown; bytes: number }> {
  const before = file.bytesRead;
  let plan: Array<{ startByte: number; endByte: number }>;
  try {
    plan = rowGroupFetches(file, metadata, rows);
  } catch (error) {
    return { error, bytes: 0 };
  }
  const settled = await Promise.allSettled(plan.map((r) => file.slice(r.startByte, r.endByte)));
  const bytes = file.bytesRead - before;
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) return { error: failed.reason, bytes };
  const ranges = settled.map((s, i) => ({ start: plan[i]!.startByte, bytes: (s as PromiseFulfilledResult<ArrayBuffer>).value }));
  const one = metadata.row_groups[group]!;
  return { fetched: { metadata: { ...metadata, row_groups: [one], num_rows: one.num_rows }, byteLength: file.byteLength, ranges }, bytes };
}

/** The buffers of a {@link FetchedRowGroup}, to transfer (move) with it to a worker. */
export function fetchedBuffers(f: FetchedRowGroup): ArrayBuffer[] {
  return f.ranges.map((r) => r.bytes);
}

/**
 * A hyparquet buffer over a fetched row group's ranges, read with no I/O. A slice that no
 * fetched range holds is a bug (the plan that chose the ranges and the decoder disagree), never
 * bad input: it throws an internal error instead of counting the group as corrupt.
 */
export function fetchedRangeBuffer(f: FetchedRowGroup): FileRangeBuffer {
  let bytesRead = 0;
  return {
    byteLength: f.byteLength,
    get bytesRead() {
      return bytesRead;
    },
    async slice(start: number, end: number = f.byteLength): Promise<ArrayBuffer> {
      const r = f.ranges.find((x) => x.start <= start && end <= x.start + x.bytes.byteLength);
      if (!r || start > end) throw new OutsideFetchedRanges(start, end, f.ranges);
      bytesRead += end - start;
      // The range itself when asked whole (hyparquet reads it and keeps no reference beyond the group), else a copy of the part.
      return start === r.start && end === r.start + r.bytes.byteLength ? r.bytes : r.bytes.slice(start - r.start, end - r.start);
    },
  };
}

/** An internal error: decoding a fetched row group asked for bytes that were not fetched. */
export class OutsideFetchedRanges extends Error {
  override name = 'OutsideFetchedRanges';
  constructor(start: number, end: number, ranges: FetchedRowGroup['ranges']) {
    const held = ranges.map((r) => `${r.start}-${r.start + r.bytes.byteLength}`).join(', ');
    super(`internal error: decoding a fetched Parquet row group read bytes ${start}-${end}, outside the ranges fetched for it (${held || 'none'})`);
  }
}
