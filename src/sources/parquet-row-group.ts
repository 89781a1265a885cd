import { open } from 'node:fs/promises';
import { parquetMetadataAsync, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { recordingContext, type BlockContext, type RowGroupRecords, type RowGroupTask } from './block-records.js';
import type { Doc } from './doc.js';
import { isFatalReadError } from './env-error.js';
import { fileRangeBuffer, type FileRangeBuffer } from './file-range-buffer.js';
import { fetchedRangeBuffer, OutsideFetchedRanges, type GroupRows } from './parquet-group-bytes.js';
import { recordToDoc } from './record-to-doc.js';
import { strictStringFromBytes } from './strict-utf8.js';

/** String values are decoded strictly so invalid UTF-8 is reported, never replaced silently. */
export const PARQUET_PARSERS = { stringFromBytes: strictStringFromBytes };

/**
 * Decodes the rows `[rowStart, rowEnd)` (one row group) of `file` with hyparquet, reading only
 * `columns`; throws what hyparquet throws, and an error when it returns another number of rows.
 */
export async function decodeRowGroup(file: FileRangeBuffer, metadata: FileMetaData, task: GroupRows): Promise<Record<string, unknown>[]> {
  const rows = await parquetReadObjects({ file, metadata, rowStart: task.rowStart, rowEnd: task.rowEnd, columns: task.columns, compressors, parsers: PARQUET_PARSERS });
  if (rows.length !== task.rowEnd - task.rowStart) throw new Error(`decoded ${rows.length} rows, expected ${task.rowEnd - task.rowStart}`);
  return rows;
}

/** The documents of decoded rows (row `rowStart + i` is `rows[i]`), with their rejects recorded. */
export function rowRecords(rows: readonly Record<string, unknown>[], rowStart: number, bctx: BlockContext): { docs: Doc[]; rejects: RowGroupRecords['rejects'] } {
  const { ctx, sink } = recordingContext(bctx);
  const docs: Doc[] = [];
  for (let i = 0; i < rows.length; i++) {
    const doc = recordToDoc(rows[i]!, ctx, { row: rowStart + i });
    if (doc) {
      docs.push(doc);
      sink.docs++;
    }
  }
  return { docs, rejects: sink.recorded };
}

/**
 * Reads one row group where it is called (a tokenizer worker): from its `fetched` bytes, with no
 * I/O, or else by opening the local file and reading its footer again (the reader already checked
 * it); decodes the group and maps its rows, recording rejects. A group that cannot be decoded
 * comes back as `error`; a fault of the environment as `fault` (an Error does not keep its `code`
 * across threads). With `fetched`, `bytes` is 0: the reader counted the bytes when it fetched them.
 */
export async function readRowGroupRecords(task: RowGroupTask, bctx: BlockContext): Promise<RowGroupRecords> {
  if (task.fetched) {
    // The fetched metadata holds this group alone: its rows are 0..n there, rowStart.. in the file.
    const rows = { rowStart: 0, rowEnd: task.rowEnd - task.rowStart, columns: task.columns };
    return { ...(await decodedRecords(fetchedRangeBuffer(task.fetched), task.fetched.metadata, rows, task.rowStart, bctx)), bytes: 0 };
  }
  let handle;
  try {
    handle = await open(typeof task.path === 'string' ? task.path : Buffer.from(task.path), 'r');
    const metadata = await parquetMetadataAsync(fileRangeBuffer(handle, task.size));
    return await decodedRecords(fileRangeBuffer(handle, task.size), metadata, task, task.rowStart, bctx);
  } catch (err) {
    if (!isFatalReadError(err)) throw err;
    const e = err as NodeJS.ErrnoException;
    return { docs: [], rejects: [], bytes: 0, fault: { message: e.message, ...(e.code ? { code: e.code } : {}), ...(e.syscall ? { syscall: e.syscall } : {}), ...(typeof e.path === 'string' ? { path: e.path } : {}) } };
  } finally {
    await handle?.close();
  }
}

/**
 * Decodes `rows` of `file` and maps them to documents (the first is row `rowStart` of the file);
 * `bytes`: what `file` read. An error decoding is the group's `error`; a fault of the environment
 * and an internal error (a read outside a fetched group's bytes) are thrown.
 */
async function decodedRecords(file: FileRangeBuffer, metadata: FileMetaData, rows: GroupRows, rowStart: number, bctx: BlockContext): Promise<RowGroupRecords> {
  let decoded: Record<string, unknown>[];
  try {
    decoded = await decodeRowGroup(file, metadata, rows);
  } catch (err) {
    if (isFatalReadError(err) || err instanceof OutsideFetchedRanges) throw err;
    return { docs: [], rejects: [], bytes: file.bytesRead, error: (err as Error).message };
  }
  return { ...rowRecords(decoded, rowStart, bctx), bytes: file.bytesRead };
}

/** The error a {@link RowGroupRecords} `fault` stands for, with its code, to throw on the reader's side. */
export function faultError(fault: NonNullable<RowGroupRecords['fault']>): Error {
  return Object.assign(new Error(fault.message), fault);
}
