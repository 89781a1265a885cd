import { TextDecoder } from 'node:util';
import type { Doc } from './doc.js';
import { isBlank, type LongLine } from './line-splitter.js';
import { locate, type ReaderContext } from './reader-context.js';
import { describeType, recordToDoc } from './record-to-doc.js';
import { firstInvalidUtf8, isInvalidUtf8Error } from './strict-utf8.js';
import { formatBytes } from './zstd-decoder.js';

/** How {@link parseJsonRecord} reads one record. */
export interface ParseRecordOptions {
  /** `limits.maxLineBytes`, for the message of a {@link LongLine}. */
  maxLineBytes: number;
  /** The input is a `.json` file (an array on line 1 gets no "name it .json" hint). */
  arrays: boolean;
  /** A fatal UTF-8 decoder without BOM handling (one per reader, reused). */
  utf8: TextDecoder;
}

/** A fatal UTF-8 decoder that leaves a BOM in place (the readers strip it themselves). */
export function strictUtf8Decoder(): TextDecoder {
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
}

/**
 * Turns the bytes of one JSON line (or JSON array element) into a {@link Doc}, or reports why
 * it cannot to `ctx.rejects`: `line_too_long` (a {@link LongLine}: only its length was kept),
 * `invalid_utf8`, `malformed_json` (not JSON, or JSON but not an object), and the field errors of
 * {@link recordToDoc}. A UTF-8 BOM on line 1 (element 0) is removed; a blank line is no record.
 * The same function runs on the main thread (the streaming reader) and in tokenizer workers
 * (records of a line block), so a reject reads the same wherever it was found.
 */
export function parseJsonRecord(bytes: Buffer | LongLine, at: { line: number } | { row: number }, ctx: ReaderContext, opts: ParseRecordOptions): Doc | undefined {
  const what = 'line' in at ? 'line' : 'array element';
  if (!Buffer.isBuffer(bytes)) {
    ctx.rejects.reject(
      'line_too_long',
      locate(ctx, at),
      `${what} is ${bytes.bytes} bytes (${formatBytes(bytes.bytes)}), over max_line_bytes (${opts.maxLineBytes}); its bytes were counted and dropped, never held. Raise --max-line-bytes (limits.max_line_bytes) if such ${what}s are data`,
    );
    return undefined;
  }
  if (('line' in at ? at.line === 1 : at.row === 0) && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  if (isBlank(bytes)) return undefined;
  let text: string;
  try {
    text = opts.utf8.decode(bytes);
  } catch (err) {
    if (!isInvalidUtf8Error(err)) throw err;
    const i = firstInvalidUtf8(bytes);
    ctx.rejects.reject('invalid_utf8', locate(ctx, at), `${what} is not valid UTF-8 (first bad byte 0x${(bytes[i] ?? 0).toString(16).padStart(2, '0')} at byte ${i + 1} of the ${what})`);
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    ctx.rejects.reject('malformed_json', locate(ctx, at), `${what} is not valid JSON: ${(err as Error).message}`);
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const hint = Array.isArray(value) && 'line' in at && at.line === 1 && !opts.arrays ? '; a file holding one JSON array must be named .json' : '';
    ctx.rejects.reject('malformed_json', locate(ctx, at), `${what} is valid JSON but a ${describeType(value)}, not an object${hint}`);
    return undefined;
  }
  return recordToDoc(value as Record<string, unknown>, ctx, at);
}
