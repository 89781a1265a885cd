/** The messages between the reader and a stream-decoding thread (see `StreamDecoders`). */

/** Which decoder a session runs: a gzip file, a zstd file, or the raw deflate data of a ZIP member. */
export type StreamDecoderKind = 'gzip' | 'zstd' | 'deflate-raw';

/** From the reader to the thread. */
export type ToDecoder =
  /** Starts session `id`. */
  | { op: 'start'; id: number; kind: StreamDecoderKind; maxZstdWindow: number }
  /**
   * The next raw chunk of session `id`, exactly as the byte source gave it (`counted`: the reader
   * already counted it, when it sniffed the compression); `end`: the source has ended;
   * `failed`: reading the source failed (the reader keeps that error and throws it).
   */
  | { op: 'raw'; id: number; chunk?: Uint8Array; counted?: boolean; end?: boolean; failed?: boolean }
  /** The reader took one `out` message of session `id` (room for another). */
  | { op: 'ack'; id: number }
  /** The reader stopped early: stop decoding and forget the session. */
  | { op: 'cancel'; id: number };

/**
 * Decoded output as the decoder yielded it, several chunks per message: `bytes` holds them back
 * to back, chunk i being `bytes[ends[i-1], ends[i])`. With each chunk come the raw bytes the
 * decoder consumed and the warnings it gave before yielding it, so that the reader counts and
 * notes them at the same points as a decoder running on its own thread would.
 */
export interface DecodedPieces {
  bytes: Uint8Array;
  ends: number[];
  raw: number[];
  warnings: string[][];
}

/** A decoding failure as it crosses threads (a `DecodeError`'s fields, or a plain error's message). */
export interface DecodeFailure {
  message: string;
  decode?: { kind: 'truncated' | 'corrupt' | 'unsupported'; offset: number; unreadFrom: number; endOfData: boolean };
}

/** From the thread to the reader. */
export type FromDecoder =
  | { op: 'need'; id: number }
  | { op: 'out'; id: number; pieces: DecodedPieces }
  /**
   * The decoder finished: `tail` holds the raw bytes it consumed and the warnings it gave after
   * its last chunk; `complete` is what a raw-deflate decoder returns (whether its data ended properly).
   */
  | { op: 'end'; id: number; pieces: DecodedPieces; tail: DecoderTail; complete: boolean }
  | { op: 'error'; id: number; pieces: DecodedPieces; tail: DecoderTail; failure: DecodeFailure };

/** What a decoder consumed and said after its last chunk. */
export interface DecoderTail {
  raw: number;
  warnings: string[];
}
