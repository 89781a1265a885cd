import { constants } from 'node:buffer';
import { DEFAULT_MAX_ZSTD_WINDOW } from './zstd-decoder.js';

/** Limits on what one input record may need, so memory stays bounded whatever the input holds. */
export interface InputLimits {
  /**
   * Longest JSON line (or JSON array element) in bytes. A longer one is never assembled: it is
   * a `line_too_long` reject (skipped under `skip`, an error under `fail`).
   */
  maxLineBytes: number;
  /** Largest zstd window (bytes) a frame may ask for; a larger one is `unsupported_compression`. */
  maxZstdWindow: number;
}

/** Default `max_line_bytes`: 64 MiB, far above any real document, small enough that a line's copies fit in memory. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 2 ** 20;
/**
 * The largest `max_line_bytes` skein accepts: V8's longest string (`buffer.constants.
 * MAX_STRING_LENGTH`, 2^29 - 24 UTF-16 units on 64-bit), since a line is decoded to one string
 * before `JSON.parse`; a longer line could not even be decoded.
 */
export const MAX_LINE_BYTES_CEILING = constants.MAX_STRING_LENGTH;

/** The limits in force when none are configured. */
export const DEFAULT_INPUT_LIMITS: InputLimits = { maxLineBytes: DEFAULT_MAX_LINE_BYTES, maxZstdWindow: DEFAULT_MAX_ZSTD_WINDOW };
