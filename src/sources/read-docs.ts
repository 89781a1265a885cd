import { stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { UserError } from '../util/errors.js';
import type { RejectSink } from '../util/reject-sink.js';
import type { BlockProcessor } from './block-records.js';
import type { JsonlPrefetch } from './jsonl-prefetch.js';
import type { Doc, FieldMap } from './doc.js';
import { environmentError, isEnvironmentError } from './env-error.js';
import type { InputFile } from './expand-inputs.js';
import { detectFormat, inputName } from './input-format.js';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from './input-limits.js';
import { readJsonlFile } from './jsonl-reader.js';
import { readParquetFile } from './parquet-reader.js';
import { readArrowFile } from './arrow-reader.js';
import type { FileReport, ReaderContext } from './reader-context.js';
import { readZipFile } from './zip-reader.js';
import { RemoteAccess } from './remote/remote-access.js';
import { readRemoteFile, remoteFileName } from './remote/read-remote.js';
import { isRemotePath } from './remote/remote-url.js';

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
  /** Limits on one record (line length, zstd window); default {@link DEFAULT_INPUT_LIMITS}. */
  limits?: InputLimits;
  /** Receives one-line warnings about an input (`file` is its display path, with `!member` inside ZIPs). */
  onWarning?: (file: string, message: string) => void;
  /** Reads remote inputs (URLs); default: one made from `process.env`. */
  remote?: RemoteAccess;
  /** Reads the records of JSON lines files in line blocks elsewhere (tokenizer workers, which encode them too). */
  blocks?: BlockProcessor;
  /** Small JSON lines files read ahead of their turn (with `blocks`). */
  prefetch?: JsonlPrefetch;
}

/** The path shown for a file: relative to `root`, with `/` separators; a URL as it is. */
export function displayPathOf(path: string, root: string): string {
  if (isRemotePath(path)) return path;
  const rel = relative(root, path) || path;
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/**
 * Reads input files in the given order and yields their documents, one file after the other,
 * each through the reader of its format (JSONL plain/gzip/zstd, JSON arrays, Parquet, Arrow, ZIP).
 * Memory is bounded by one chunk, one line (at most `limits.maxLineBytes`) or one Parquet row
 * group / Arrow record batch, never by a file. Bad records go to `opts.rejects`; under `skip` a
 * truncated or corrupt file is reported and the next file read.
 *
 * Each file is read as it was when it was listed: a file whose size changed since (still being
 * written, replaced) is refused with a {@link UserError} naming it, and a JSONL file is never
 * read past that size. A fault of the environment while reading (a file deleted during the build,
 * a permission, an I/O error, a full temporary disk) is a one-line {@link UserError} naming the
 * file, the system's error code and the fix: it is never counted as bad input.
 */
export async function* readDocs(files: InputFile[], opts: ReadOptions): AsyncGenerator<Doc> {
  const root = opts.displayRoot ?? process.cwd();
  for (const file of files) {
    opts.signal?.throwIfAborted();
    const displayPath = displayPathOf(file.path, root);
    const report: FileReport = { path: displayPath, format: file.format, bytes: 0, documents: 0, status: 'ok' };
    if (file.remote) {
      const { size, etag, lastModified } = file.remote;
      report.remote = { size, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
    }
    if (file.rowGroups) report.rowGroups = [...file.rowGroups];
    opts.reports?.push(report);
    let reported = 0;
    const ctx: ReaderContext = {
      displayPath,
      fields: opts.fields,
      sourceName: opts.name ?? inputName(file.remote ? remoteFileName(file.remote) : file.path),
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
      limits: opts.limits ?? DEFAULT_INPUT_LIMITS,
      ...(opts.blocks ? { blocks: opts.blocks } : {}),
      ...(opts.prefetch ? { prefetch: opts.prefetch } : {}),
      onWarning: opts.onWarning ? (m) => opts.onWarning!(ctx.member !== undefined ? `${displayPath}!${ctx.member}` : displayPath, m) : undefined,
    };
    const path = file.rawPath ?? file.path;
    try {
      if (!file.remote) await checkUnchanged(path, file, displayPath);
      const reader = file.remote
        ? readRemoteFile({ ...file, remote: file.remote }, ctx, (opts.remote ??= new RemoteAccess()))
        : file.format === 'parquet'
          ? readParquetFile(path, ctx)
          : file.format === 'zip'
            ? readZipFile(path, ctx)
            : file.format === 'arrow'
              ? readArrowFile(path, ctx)
              : readJsonlFile(path, file.compression, ctx, { size: file.size, arrays: /^\.json(\.|$)/.test(detectFormat(file.path)?.extension ?? '') });
      yield* reader;
    } catch (err) {
      if (isEnvironmentError(err)) throw environmentError(err, `cannot read input ${displayPath}`);
      throw err;
    }
    // Bytes no reader consumed (Parquet footer and unread columns, ZIP headers, a truncated
    // tail): count them now so progress reaches the total.
    if (opts.onBytes && reported < file.size) opts.onBytes(file.size - reported);
  }
}

/** Refuses a file whose size is not the one it had when the inputs were listed. */
async function checkUnchanged(path: string | Buffer, file: InputFile, displayPath: string): Promise<void> {
  const now = await stat(path);
  if (!now.isFile()) throw new UserError(`input ${displayPath} is no longer a regular file; restore it and rerun`);
  if (now.size !== file.size) {
    const how = now.size > file.size ? 'grew' : 'shrank';
    throw new UserError(
      `input ${displayPath} ${how} from ${file.size} to ${now.size} bytes since the build listed it (is it still being written?); rerun when it is complete`,
    );
  }
}

/**
 * {@link readDocs} as an object-mode Readable (backpressure included), for `stream.pipeline`.
 */
export function docStream(files: InputFile[], opts: ReadOptions): Readable {
  return Readable.from(readDocs(files, opts), { objectMode: true });
}
