import type { RecordLocation } from '../util/errors.js';
import type { BlockProcessor } from './block-records.js';
import type { JsonlPrefetch } from './jsonl-prefetch.js';
import type { RejectSink } from '../util/reject-sink.js';
import type { FieldMap } from './doc.js';
import type { InputFormat } from './input-format.js';
import type { DEFAULT_INPUT_LIMITS, InputLimits } from './input-limits.js';

/**
 * What one reader did with one input (a file, or a member of a ZIP archive). Readers update it
 * while they run; the pipeline copies it into the manifest.
 */
export interface FileReport {
  /** Path of the input as shown in ids and locations (relative to the display root). */
  path: string;
  /** Member name inside a ZIP archive (the archive itself has its own report without it). */
  member?: string;
  /** How the input was read. */
  format: InputFormat;
  /** Bytes consumed from disk (compressed bytes; for Parquet the column chunks read plus the footer). */
  bytes: number;
  /** Documents yielded (not counting dropped ones). */
  documents: number;
  /** JSONL: lines seen, blank ones included. */
  lines?: number;
  /** Parquet: rows seen. */
  rows?: number;
  /** Parquet: the row groups read, when only part of the file was (a rank's share). */
  rowGroups?: number[];
  /** ZIP: members skipped because they are directories or have unsupported names. */
  skippedMembers?: number;
  /** `truncated`: a compressed stream ended early; `corrupt`: unreadable data (footer, row group, archive). */
  status: 'ok' | 'truncated' | 'corrupt';
  /**
   * After a fault of a compressed stream: the compressed bytes from the fault to the end of the
   * input, which were not decoded (the documents in them cannot be counted).
   */
  lostBytes?: number;
  /** One-line notes about the input (trailing garbage ignored, a `.gz` that is plain text, skipped ZIP members). */
  notes?: string[];
  /** A remote input: the version it was read at (size, ETag, Last-Modified, from its listing). */
  remote?: { size: number; etag?: string; lastModified?: string };
}

/** Everything a format reader needs to turn one input into documents. */
export interface ReaderContext {
  /** Path of the input as shown in ids and locations (for ZIP members: the archive's). */
  displayPath: string;
  /** Member name, when the input is a member of a ZIP archive. */
  member?: string;
  /** Where to find text, id and source in a record. */
  fields: FieldMap;
  /** Source name used when a record has none. */
  sourceName: string;
  /** Bad-input policy. */
  rejects: RejectSink;
  /** Called with the number of input bytes consumed, as they are consumed (progress). */
  onBytes?: (n: number) => void;
  /** Stops reading when aborted. */
  signal?: AbortSignal;
  /** The reader's own report, updated as it reads. */
  report: FileReport;
  /** Where a ZIP reader pushes the reports of its members. */
  reports?: FileReport[];
  /** Parquet: read only these row groups (see `InputFile.rowGroups`); all when absent. */
  rowGroups?: ReadonlySet<number>;
  /** Limits on one record (default {@link DEFAULT_INPUT_LIMITS}). */
  limits?: InputLimits;
  /** Receives one-line warnings about the input (without its name: the caller adds it). */
  onWarning?: (message: string) => void;
  /** JSON lines files: read their records in line blocks, elsewhere (tokenizer workers); see {@link BlockProcessor}. */
  blocks?: BlockProcessor;
  /** Small JSON lines files already opened and handed to the workers ahead of their turn. */
  prefetch?: JsonlPrefetch;
}

/** Records a note on the input's report and passes it to `ctx.onWarning`. */
export function warn(ctx: ReaderContext, message: string): void {
  (ctx.report.notes ??= []).push(message);
  ctx.onWarning?.(message);
}

/** The location of a record in the input of `ctx` (adds the ZIP member when there is one). */
export function locate(ctx: ReaderContext, at: Omit<RecordLocation, 'file' | 'member'>): RecordLocation {
  return ctx.member !== undefined ? { file: ctx.displayPath, member: ctx.member, ...at } : { file: ctx.displayPath, ...at };
}

/** The stable id of a record without an id field: `file:line`, `file#row`, with `!member` inside ZIPs. */
export function stableId(ctx: ReaderContext, at: { line: number } | { row: number }): string {
  const base = ctx.member !== undefined ? `${ctx.displayPath}!${ctx.member}` : ctx.displayPath;
  return 'line' in at ? `${base}:${at.line}` : `${base}#${at.row}`;
}
