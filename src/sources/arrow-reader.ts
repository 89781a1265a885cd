import { createReadStream, type PathLike } from 'node:fs';
import { MapRow, RecordBatchReader, StructRow, Vector, type RecordBatch } from 'apache-arrow';
import type { Doc } from './doc.js';
import { isFatalReadError } from './env-error.js';
import { dottedKeyHint, topLevelKey } from './field-path.js';
import { locate, type ReaderContext } from './reader-context.js';
import { recordToDoc } from './record-to-doc.js';

/**
 * Reads an Arrow IPC file (stream or file format, e.g. the `data-NNNNN-of-NNNNN.arrow` files of
 * a Hugging Face `save_to_disk` folder) as documents, one record batch at a time (memory is
 * bounded by the largest batch, as `datasets` writes them: 1,000 rows by default), converting
 * only the top-level columns the field map needs. Rows are located by their 0-based index in
 * the file (`file#row` ids, as Parquet).
 *
 * A text column absent from the schema is reported once as `missing_text` for the whole file,
 * listing the columns; a file that cannot be read as Arrow (or breaks off in a batch) is
 * `corrupt_input` counting one document (the rows after the fault cannot be counted), after
 * every row of the batches before it.
 */
export async function* readArrowFile(path: PathLike, ctx: ReaderContext): AsyncGenerator<Doc> {
  const stream = createReadStream(path);
  try {
    yield* readArrowBytes(stream as AsyncIterable<Buffer>, ctx);
  } finally {
    stream.destroy();
  }
}

/** {@link readArrowFile} over a stream of the file's bytes (a remote object read in order); the caller closes the source. */
export async function* readArrowBytes(source: AsyncIterable<Uint8Array>, ctx: ReaderContext): AsyncGenerator<Doc> {
  const { report } = ctx;
  report.rows ??= 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const c of source) {
      report.bytes += c.length;
      ctx.onBytes?.(c.length);
      yield c;
    }
  }
  let row = 0;
  let columns: string[] | undefined;
  try {
    const reader = await RecordBatchReader.from(counted());
    await reader.open();
    if (!reader.schema) throw new Error('no Arrow schema found: not an Arrow IPC stream or file');
    const present = reader.schema.fields.map((f) => f.name);
    const textColumn = topLevelKey(ctx.fields.text || 'text');
    const messagesColumn = ctx.fields.messages ? topLevelKey(ctx.fields.messages) : undefined;
    if (!present.includes(textColumn) && !(messagesColumn && present.includes(messagesColumn))) {
      const hint = dottedKeyHint(ctx.fields.text || 'text', present) ?? 'name the text column with --text-field or inputs[].fields.text';
      let rows = 0;
      for await (const batch of reader as AsyncIterable<RecordBatch>) rows += batch.numRows;
      if (rows > 0) {
        ctx.rejects.reject('missing_text', locate(ctx, { row: 0 }), `no column "${textColumn}" (columns: ${present.join(', ')}); ${hint}; all ${rows} rows are lost`, rows);
      }
      return;
    }
    columns = [...new Set([ctx.fields.text || 'text', ctx.fields.messages, ctx.fields.id || 'id', ctx.fields.source].filter((p): p is string => !!p).map(topLevelKey))].filter((c) =>
      present.includes(c),
    );
    for await (const batch of reader as AsyncIterable<RecordBatch>) {
      ctx.signal?.throwIfAborted();
      const vectors = columns.map((c) => [c, batch.getChild(c)] as const);
      for (let i = 0; i < batch.numRows; i++) {
        const record: Record<string, unknown> = {};
        for (const [name, vec] of vectors) record[name] = plain(vec?.get(i));
        report.rows++;
        const doc = recordToDoc(record, ctx, { row: row++ });
        if (doc) {
          report.documents++;
          yield doc;
        }
      }
    }
  } catch (err) {
    if (isFatalReadError(err, ctx.signal)) throw err;
    report.status = 'corrupt';
    ctx.rejects.reject(
      'corrupt_input',
      locate(ctx, { row }),
      `cannot read the Arrow file (${(err as Error).message}) after ${row} rows; the rows after it cannot be counted`,
      1,
    );
  }
}

/** An Arrow value as plain JavaScript: structs and maps as objects, lists as arrays. */
function plain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof StructRow || v instanceof MapRow) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries((v as StructRow).toJSON() as Record<string, unknown>)) out[String(k)] = plain(x);
    return out;
  }
  if (v instanceof Vector) return Array.from(v as Vector, plain);
  return v;
}
