import { relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { RejectSink } from '../util/reject-sink.js';
import type { Doc, FieldMap } from './doc.js';
import type { InputFile } from './expand-inputs.js';
import { inputName } from './input-format.js';
import { readJsonlFile } from './jsonl-reader.js';
import { readParquetFile } from './parquet-reader.js';
import type { FileReport, ReaderContext } from './reader-context.js';
import { readZipFile } from './zip-reader.js';

/** Options of {@link readDocs}. */
export interface ReadOptions {
  /** Where to find text, id and source in a record. */
  fields: FieldMap;
  /** Source name for records without one. Default: each file's name without its extensions. */
  name?: string;
  /** Bad-input policy: rejects throw under `fail`, are counted and logged under `skip`. */
  rejects: RejectSink;
  /**
   * Progress: called with input bytes as they are consumed. For each input read to its end
   * (or given up under `skip`) the calls add up to the file's size on disk.
   */
  onBytes?: (n: number) => void;
  /** Paths in ids and locations are relative to this folder. Default `process.cwd()`. */
  displayRoot?: string;
  /** Stops reading (the generator throws the abort reason). */
  signal?: AbortSignal;
  /**
   * Receives one {@link FileReport} per input (and per ZIP member), pushed when the input is
   * opened and updated while it is read.
   */
  reports?: FileReport[];
}

/** The path shown for a file: relative to `root`, with `/` separators. */
export function displayPathOf(path: string, root: string): string {
  const rel = relative(root, path) || path;
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/**
 * Reads input files in the given order and yields their documents, one file after the other,
 * each through the reader of its format (JSONL plain/gzip/zstd, Parquet, ZIP). Memory is bounded
 * by one chunk, one line or one Parquet row group, never by a file. Bad records go to
 * `opts.rejects`; under `skip` a truncated or corrupt file is reported and the next file read.
 */
export async function* readDocs(files: InputFile[], opts: ReadOptions): AsyncGenerator<Doc> {
  const root = opts.displayRoot ?? process.cwd();
  for (const file of files) {
    opts.signal?.throwIfAborted();
    const displayPath = displayPathOf(file.path, root);
    const report: FileReport = { path: displayPath, format: file.format, bytes: 0, documents: 0, status: 'ok' };
    if (file.rowGroups) report.rowGroups = [...file.rowGroups];
    opts.reports?.push(report);
    let reported = 0;
    const ctx: ReaderContext = {
      displayPath,
      fields: opts.fields,
      sourceName: opts.name ?? inputName(file.path),
      rejects: opts.rejects,
      onBytes: opts.onBytes
        ? (n) => {
            reported += n;
            opts.onBytes!(n);
          }
        : undefined,
      signal: opts.signal,
      report,
      reports: opts.reports,
      rowGroups: file.rowGroups ? new Set(file.rowGroups) : undefined,
    };
    const reader =
      file.format === 'parquet'
        ? readParquetFile(file.path, ctx)
        : file.format === 'zip'
          ? readZipFile(file.path, ctx)
          : readJsonlFile(file.path, file.compression, ctx);
    yield* reader;
    // Bytes no reader consumed (Parquet footer and unread columns, ZIP headers, a truncated
    // tail): count them now so progress reaches the total.
    if (opts.onBytes && reported < file.size) opts.onBytes(file.size - reported);
  }
}

/**
 * {@link readDocs} as an object-mode Readable (backpressure included), for `stream.pipeline`.
 */
export function docStream(files: InputFile[], opts: ReadOptions): Readable {
  return Readable.from(readDocs(files, opts), { objectMode: true });
}
