import { open, type FileHandle } from 'node:fs/promises';
import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { Doc } from './doc.js';
import { isFatalReadError } from './env-error.js';
import { dottedKeyHint, topLevelKey } from './field-path.js';
import { fileRangeBuffer, type FileRangeBuffer } from './file-range-buffer.js';
import { locate, type ReaderContext } from './reader-context.js';
import { recordToDoc } from './record-to-doc.js';
import { strictStringFromBytes } from './strict-utf8.js';

/** String values are decoded strictly so invalid UTF-8 is reported, never replaced silently. */
const parsers = { stringFromBytes: strictStringFromBytes };

/**
 * Reads a Parquet file as documents, one row group at a time (memory is bounded by the largest
 * row group, never by the file), reading only the top-level columns the field map needs
 * (`meta` for `meta.redpajama_set_name`). Every codec of hyparquet-compressors is supported
 * (snappy, gzip, zstd, brotli, lz4), v1 and v2 pages, nested columns.
 *
 * Row locations and stable ids (`file#row`) use the 0-based row index in the file. An unreadable
 * footer is reported as `corrupt_input` (counted as 1 lost document, since the row count is
 * unknown; nothing else is read; `truncated_input` when
 * the file starts with `PAR1` but does not end with it, i.e. it was cut short); a row group that
 * fails to decode is reported as `corrupt_input` at its first row, losing its rows, and the next
 * row group is tried. A text column absent from the schema is reported once as `missing_text`
 * for all rows of the file (of the selected row groups, when `ctx.rowGroups` limits the read to
 * part of the file, as a rank of a scaled-out build does). Per-row field errors follow {@link recordToDoc}.
 *
 * `ctx.onBytes` receives, per row group, its compressed size on disk (all columns, whether read
 * or not) so progress advances in proportion to the file; `ctx.report.bytes` counts the bytes
 * actually read.
 */
export async function* readParquetFile(path: string | Buffer, ctx: ReaderContext): AsyncGenerator<Doc> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    yield* readParquetHandle(handle, size, ctx);
  } finally {
    await handle.close();
  }
}

/** {@link readParquetFile} over an open file of `size` bytes (a ZIP member's temporary copy); the caller closes it. */
export async function* readParquetHandle(handle: FileHandle, size: number, ctx: ReaderContext): AsyncGenerator<Doc> {
  yield* readParquetRanges(fileRangeBuffer(handle, size), ctx);
}

/**
 * {@link readParquetFile} over any source of byte ranges (a local file, a remote object read by
 * HTTP Range requests): the footer first, then one row group at a time, only the columns needed.
 * A fault of the environment or of a remote server (a {@link UserError} after its retries) ends
 * the read; it is never counted as a corrupt file.
 */
export async function* readParquetRanges(file: FileRangeBuffer, ctx: ReaderContext): AsyncGenerator<Doc> {
  const { report, signal } = ctx;
  const size = file.byteLength;
  report.rows ??= 0;
  let counted = 0;
  const countRead = (): void => {
    report.bytes += file.bytesRead - counted;
    counted = file.bytesRead;
  };
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    if (isFatalReadError(err, signal)) throw err;
    // Starts with PAR1 but does not end with it: cut short. Otherwise the footer is bad.
    const shape = await footerShape(file);
    countRead();
    const truncated = shape.head && !shape.tail;
    report.status = truncated ? 'truncated' : 'corrupt';
    ctx.rejects.reject(
      truncated ? 'truncated_input' : 'corrupt_input',
      locate(ctx, { offset: shape.footerOffset ?? size }),
      truncated
        ? `Parquet file is truncated: it starts with PAR1 but does not end with it (${(err as Error).message}); re-download or re-export it`
        : size < 12
          ? `the file is ${size} bytes, too small to be Parquet (at least 12: PAR1, a footer length, PAR1)`
          : `cannot read the Parquet footer (${(err as Error).message}); the file is corrupt or not Parquet`,
      1,
    );
    return;
  }
  countRead();
  const inconsistent = footerInconsistency(metadata);
  if (inconsistent) {
    report.status = 'corrupt';
    ctx.rejects.reject('corrupt_input', locate(ctx, { offset: size }), `the Parquet footer is inconsistent (${inconsistent}); the file is corrupt`, 1);
    return;
  }
  const selected = ctx.rowGroups;
  const wanted = (g: number): boolean => selected === undefined || selected.has(g);
  let totalRows = 0;
  metadata.row_groups.forEach((group, g) => {
    if (wanted(g)) totalRows += Number(group.num_rows);
  });
  const present = new Set(parquetSchema(metadata).children.map((c) => c.element.name));
  const textPath = ctx.fields.text || 'text';
  const textColumn = topLevelKey(textPath);
  const messagesColumn = ctx.fields.messages ? topLevelKey(ctx.fields.messages) : undefined;
  if (!present.has(textColumn) && !(messagesColumn && present.has(messagesColumn))) {
    if (totalRows > 0) {
      ctx.rejects.reject(
        'missing_text',
        locate(ctx, { row: 0 }),
        `no column "${textColumn}" for text field "${textPath}" (columns: ${[...present].join(', ')}); ${dottedKeyHint(textPath, present) ?? 'name the text column with --text-field or inputs[].fields.text'}; all ${totalRows} rows are lost`,
        totalRows,
      );
    }
    return;
  }
  const columns = present.has(textColumn) ? [textColumn] : [];
  for (const p of [ctx.fields.messages, ctx.fields.id || 'id', ctx.fields.source]) {
    if (!p) continue;
    const top = topLevelKey(p);
    if (present.has(top) && !columns.includes(top)) columns.push(top);
  }

  let rowStart = 0;
  for (let g = 0; g < metadata.row_groups.length; g++) {
    signal?.throwIfAborted();
    const group = metadata.row_groups[g];
    const groupRows = Number(group.num_rows);
    const rowEnd = rowStart + groupRows;
    if (groupRows === 0) continue;
    if (!wanted(g)) {
      rowStart = rowEnd;
      continue;
    }
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd, columns, compressors, parsers });
      if (rows.length !== groupRows) throw new Error(`decoded ${rows.length} rows, expected ${groupRows}`);
    } catch (err) {
      if (isFatalReadError(err, signal)) throw err;
      countRead();
      ctx.onBytes?.(groupDiskBytes(group.columns));
      report.status = 'corrupt';
      report.rows += groupRows;
      ctx.rejects.reject(
        'corrupt_input',
        locate(ctx, { row: rowStart }),
        `row group ${g} (rows ${rowStart}-${rowEnd - 1}) cannot be decoded: ${(err as Error).message}`,
        groupRows,
      );
      rowStart = rowEnd;
      continue;
    }
    countRead();
    ctx.onBytes?.(groupDiskBytes(group.columns));
    for (let i = 0; i < rows.length; i++) {
      const row = rowStart + i;
      report.rows++;
      const doc = recordToDoc(rows[i], ctx, { row });
      if (doc) {
        report.documents++;
        yield doc;
      }
    }
    rowStart = rowEnd;
  }
}

/** A count from the footer as a number, or undefined when it is not a non-negative safe integer. */
function count(v: unknown): number | undefined {
  const n = typeof v === 'bigint' || typeof v === 'number' ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * What is wrong with footer metadata that parsed but cannot be true (a damaged footer that still
 * decodes): a row count that is not a count, row groups that do not add up to the file's rows,
 * or a column chunk with fewer values than its row group has rows (every row has at least one
 * value or null entry per column). Undefined when it is consistent. Without this check a flipped
 * bit in a row count became NaN or 2^50 "lost documents".
 */
export function footerInconsistency(metadata: FileMetaData): string | undefined {
  let sum = 0;
  for (const [g, group] of metadata.row_groups.entries()) {
    const rows = count(group.num_rows);
    if (rows === undefined) return `row group ${g} has row count ${String(group.num_rows)}`;
    sum += rows;
    for (const chunk of group.columns) {
      const values = chunk.meta_data ? count(chunk.meta_data.num_values) : rows;
      if (values === undefined || values < rows) return `row group ${g} has ${rows} rows but a column chunk with ${String(chunk.meta_data?.num_values)} values`;
    }
  }
  const total = count(metadata.num_rows);
  if (total !== sum) return `the file says ${String(metadata.num_rows)} rows, its row groups hold ${sum}`;
  return undefined;
}

/** Whether the file starts and ends with the magic `PAR1`, and where its footer would start. */
async function footerShape(file: FileRangeBuffer): Promise<{ head: boolean; tail: boolean; footerOffset?: number }> {
  const size = file.byteLength;
  if (size < 12) return { head: false, tail: false };
  try {
    const head = new Uint8Array(await file.slice(0, 4));
    const end = new DataView(await file.slice(size - 8, size));
    const magic = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x41 && b[2] === 0x52 && b[3] === 0x31; // PAR1
    const tail = magic(new Uint8Array(end.buffer, 4, 4));
    const footerLength = end.getUint32(0, true);
    const footerOffset = tail && footerLength <= size - 12 ? size - 8 - footerLength : undefined;
    return { head: magic(head), tail, footerOffset };
  } catch {
    return { head: false, tail: false };
  }
}

/** Compressed bytes of a row group on disk: the sum of its column chunks. */
function groupDiskBytes(chunks: FileMetaData['row_groups'][number]['columns']): number {
  let n = 0;
  for (const c of chunks) n += Number(c.meta_data?.total_compressed_size ?? 0n);
  return n;
}
