/**
 * Error kinds that decide how skein reports a failure and with which exit code.
 *
 * - {@link UserError}: something the user can fix (bad config, missing file, bad record under
 *   `on_error: fail`). The CLI prints one line and exits 1.
 * - anything else is an internal error: the CLI prints the stack and exits 2.
 */

/** Where a record or byte came from, precise enough for a user to open the file and look. */
export interface RecordLocation {
  /** Path of the input file as given (or the archive, when `member` is set). */
  file: string;
  /** Member name inside a ZIP archive. */
  member?: string;
  /** 1-based line number (JSONL). */
  line?: number;
  /** 0-based row index in the file (Parquet). */
  row?: number;
  /** Byte offset in the (decompressed) stream, when no line or row applies. */
  offset?: number;
}

/** Formats a location as `file[!member][:line N | row N | offset N]`. */
export function formatLocation(loc: RecordLocation): string {
  let s = loc.member ? `${loc.file}!${loc.member}` : loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  else if (loc.row !== undefined) s += ` row ${loc.row}`;
  else if (loc.offset !== undefined) s += ` at byte ${loc.offset}`;
  return s;
}

/**
 * Makes a message one line: line breaks and other control characters (which a parser's message
 * may quote from the input) are written as escapes (`\n`, `\u0000`).
 */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** A problem the user caused and can fix; the message is one line naming the problem and the fix. */
export class UserError extends Error {
  override name = 'UserError';
}

/**
 * A build or run stopped by a signal (SIGINT, SIGTERM) or by losing its output lock: a
 * {@link UserError} whose one line says what was kept and how to continue. The CLI exits with
 * 128 + the signal's number (130, 143), as a shell reports a process a signal ended.
 */
export class Interrupted extends UserError {
  override name = 'Interrupted';
  constructor(
    message: string,
    /** The signal, when one stopped it. */
    readonly signal?: 'SIGINT' | 'SIGTERM',
  ) {
    super(message);
  }
}

/**
 * Reasons a document (or a whole input) is dropped. They are the keys of the manifest's
 * `documents.dropped` table and of `rejects.jsonl`.
 */
export type DropReason =
  | 'malformed_json'
  | 'invalid_utf8'
  | 'missing_text'
  | 'non_string_text'
  | 'empty'
  | 'truncated_input'
  | 'corrupt_input'
  | 'remainder'
  | (string & {});

/** A bad record in an input: carries the drop reason and the exact location. */
export class RecordError extends UserError {
  override name = 'RecordError';
  constructor(
    readonly reason: DropReason,
    readonly location: RecordLocation,
    readonly detail: string,
  ) {
    super(oneLine(`${formatLocation(location)}: ${detail} (${reason}); fix the input or run with --on-error skip to drop and count such records`));
  }
}
