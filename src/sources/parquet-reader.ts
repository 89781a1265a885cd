import { open, type FileHandle } from 'node:fs/promises';
import { parquetMetadataAsync, parquetSchema, type FileMetaData } from 'hyparquet';
import { replayRejects, type BlockContext, type RowGroupRecords, type RowGroupTask } from './block-records.js';
import type { Doc } from './doc.js';
import { isFatalReadError } from './env-error.js';
import { dottedKeyHint, topLevelKey } from './field-path.js';
import { fileRangeBuffer, type FileRangeBuffer } from './file-range-buffer.js';
import { locate, type ReaderContext } from './reader-context.js';
import { fetchRowGroup } from './parquet-group-bytes.js';
import { decodeRowGroup, faultError, rowRecords } from './parquet-row-group.js';

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
    // A local file's row groups can be read by the workers (they open it themselves).
    yield* readParquetRanges(fileRangeBuffer(handle, size), ctx, { path });
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
 *
 * With a processor of row groups in `ctx.blocks`, the row groups are decoded, mapped and encoded
 * by tokenizer workers, several at once, and their documents and rejects replayed here in order:
 * every count and reject is the one this reader makes itself. A `local` file (its path) is opened
 * by the workers; any other's groups (a remote object, a ZIP member) are fetched here, each
 * group's byte ranges through `file`, and their bytes handed over: the workers do no I/O.
 */
export async function* readParquetRanges(file: FileRangeBuffer, ctx: ReaderContext, local?: { path: string | Buffer }): AsyncGenerator<Doc> {
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

  const bctx: BlockContext = { displayPath: ctx.displayPath, ...(ctx.member !== undefined ? { member: ctx.member } : {}), fields: ctx.fields, sourceName: ctx.sourceName, maxLineBytes: 0 };
  const elsewhere = ctx.blocks?.processRowGroup ? ctx.blocks : undefined;
  /*
   * A file the processor cannot open (a remote object, a ZIP member's unlinked copy) has each
   * group's bytes fetched here, through `file` (so a remote object's retries and version checks
   * apply as before), one group at a time in file order (so each group's count of bytes read is
   * its own), and sent with the group. Once the read ends (done, stopped, or failed), groups not
   * yet fetched are not.
   */
  let turn: Promise<unknown> = Promise.resolve();
  let ended = false;
  const readFetched = async (task: RowGroupTask): Promise<RowGroupRecords> => {
    const next = turn.then(() => {
      signal?.throwIfAborted();
      if (ended) throw new Error('the Parquet read ended before this row group was fetched');
      return fetchRowGroup(file, metadata, task.group, task);
    });
    turn = next.catch(() => undefined);
    const f = await next;
    if (!f.fetched) {
      // A range that cannot be read loses the group, as when hyparquet reads it here.
      if (isFatalReadError(f.error, signal)) throw f.error;
      return { docs: [], rejects: [], bytes: f.bytes, error: (f.error as Error).message };
    }
    const r = await elsewhere!.processRowGroup!({ ...task, fetched: f.fetched }, bctx);
    return { ...r, bytes: r.bytes + f.bytes };
  };
  /** Reads one row group: in a worker when there is a processor for it, else here, from `file`. */
  const readGroup = async (task: RowGroupTask): Promise<RowGroupRecords> => {
    if (elsewhere) return local ? elsewhere.processRowGroup!(task, bctx) : readFetched(task);
    const before = file.bytesRead;
    try {
      const rows = await decodeRowGroup(file, metadata, task);
      return { ...rowRecords(rows, task.rowStart, bctx), bytes: file.bytesRead - before };
    } catch (err) {
      if (isFatalReadError(err, signal)) throw err;
      return { docs: [], rejects: [], bytes: file.bytesRead - before, error: (err as Error).message };
    }
  };
  /*
   * Row groups in flight: several in workers (each decoded there), one at a time here. Memory:
   * at most `depth` groups are in flight; a local file's hold nothing here (the worker reads
   * them), a fetched group holds its selected columns' compressed chunks until a worker has
   * decoded it, so the bytes held are at most `depth` times the largest row group's selected
   * columns (plus the 512 KiB footer tail a remote buffer keeps), whatever the file's size.
   */
  const depth = elsewhere ? elsewhere.depth : 1;
  const queue: Array<{ task: RowGroupTask; records: Promise<RowGroupRecords> }> = [];
  let next = 0;
  let rowStart = 0;
  const fill = (): void => {
    while (queue.length < depth && next < metadata.row_groups.length) {
      const g = next++;
      const groupRows = Number(metadata.row_groups[g]!.num_rows);
      const task: RowGroupTask = { path: local?.path ?? '', size, group: g, rowStart, rowEnd: rowStart + groupRows, columns };
      rowStart += groupRows;
      if (groupRows === 0 || !wanted(g)) continue;
      const records = readGroup(task);
      records.catch(() => undefined); // awaited in order below; never an unhandled rejection meanwhile
      queue.push({ task, records });
    }
  };
  try {
    for (;;) {
      signal?.throwIfAborted();
      fill();
      const head = queue.shift();
      if (!head) break;
      const { task } = head;
      const g = task.group;
      const groupRows = task.rowEnd - task.rowStart;
      const r = await head.records;
      if (r.fault) throw faultError(r.fault);
      report.bytes += r.bytes;
      counted = file.bytesRead;
      ctx.onBytes?.(groupDiskBytes(metadata.row_groups[g]!.columns));
      if (r.error !== undefined) {
        report.status = 'corrupt';
        report.rows = (report.rows ?? 0) + groupRows;
        ctx.rejects.reject('corrupt_input', locate(ctx, { row: task.rowStart }), `row group ${g} (rows ${task.rowStart}-${task.rowEnd - 1}) cannot be decoded: ${r.error}`, groupRows);
        continue;
      }
      const rowsBefore: number = report.rows ?? 0;
      let at = 0;
      for (let i = 0; i < r.docs.length; i++) {
        at = replayRejects(r.rejects, at, i, ctx.rejects);
        const doc = r.docs[i]!;
        report.rows = rowsBefore + doc.loc.row! - task.rowStart + 1;
        report.documents++;
        yield doc;
      }
      replayRejects(r.rejects, at, undefined, ctx.rejects);
      report.rows = rowsBefore + groupRows;
    }
  } finally {
    ended = true;
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
