import { open } from 'node:fs/promises';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { recordingContext, type BlockContext, type RowGroupRecords, type RowGroupTask } from './block-records.js';
import type { Doc } from './doc.js';
import { isFatalReadError } from './env-error.js';
import { fileRangeBuffer, type FileRangeBuffer } from './file-range-buffer.js';
import { recordToDoc } from './record-to-doc.js';
import { strictStringFromBytes } from './strict-utf8.js';

/** String values are decoded strictly so invalid UTF-8 is reported, never replaced silently. */
export const PARQUET_PARSERS = { stringFromBytes: strictStringFromBytes };

/**
 * Decodes the rows `[rowStart, rowEnd)` (one row group) of `file` with hyparquet, reading only
 * `columns`; throws what hyparquet throws, and an error when it returns another number of rows.
 */
export async function decodeRowGroup(file: FileRangeBuffer, metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>, task: Pick<RowGroupTask, 'rowStart' | 'rowEnd' | 'columns'>): Promise<Record<string, unknown>[]> {
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
 * Reads one row group of a local Parquet file where it is called (a tokenizer worker): opens
 * the file, reads its footer again (the reader already checked it), decodes the group and maps
 * its rows, recording rejects. A group that cannot be decoded comes back as `error`; a fault of
 * the environment as `fault` (an Error does not keep its `code` across threads).
 */
export async function readRowGroupRecords(task: RowGroupTask, bctx: BlockContext): Promise<RowGroupRecords> {
  let handle;
  try {
    handle = await open(typeof task.path === 'string' ? task.path : Buffer.from(task.path), 'r');
    const metadata = await parquetMetadataAsync(fileRangeBuffer(handle, task.size));
    const file = fileRangeBuffer(handle, task.size);
    let rows: Record<string, unknown>[];
    try {
      rows = await decodeRowGroup(file, metadata, task);
    } catch (err) {
      if (isFatalReadError(err)) throw err;
      return { docs: [], rejects: [], bytes: file.bytesRead, error: (err as Error).message };
    }
    return { ...rowRecords(rows, task.rowStart, bctx), bytes: file.bytesRead };
  } catch (err) {
    if (!isFatalReadError(err)) throw err;
    const e = err as NodeJS.ErrnoException;
    return { docs: [], rejects: [], bytes: 0, fault: { message: e.message, ...(e.code ? { code: e.code } : {}), ...(e.syscall ? { syscall: e.syscall } : {}), ...(typeof e.path === 'string' ? { path: e.path } : {}) } };
  } finally {
    await handle?.close();
  }
}

/** The error a {@link RowGroupRecords} `fault` stands for, with its code, to throw on the reader's side. */
export function faultError(fault: NonNullable<RowGroupRecords['fault']>): Error {
  return Object.assign(new Error(fault.message), fault);
}
