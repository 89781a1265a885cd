import { ByteReader } from './byte-reader.js';
import { gunzipStream } from './gzip-decoder.js';
import type { InputCompression } from './input-format.js';
import type { StreamDecoders } from './stream-decoders.js';
import { DEFAULT_MAX_ZSTD_WINDOW, isSkippableMagic, zstdStream } from './zstd-decoder.js';

/**
 * The compression the first bytes of a stream show: gzip `1f 8b`; zstd `28 b5 2f fd`, or a
 * skippable frame `5X 2a 4d 18` (pzstd and some tools start with one); else `none`.
 */
export function sniffCompression(head: Uint8Array): InputCompression {
  if (head.length >= 4) {
    const magic = Buffer.from(head.buffer, head.byteOffset, 4).readUInt32LE(0);
    if (magic === 0xfd2fb528 || isSkippableMagic(magic)) return 'zstd';
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  return 'none';
}

/** Whether the first bytes look like the start of JSON text (BOM, whitespace or `{`/`[`). */
function looksLikeText(head: Uint8Array): boolean {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0d || head[i] === 0x0a)) i++;
  return i >= head.length || head[i] === 0x7b || head[i] === 0x5b;
}

/** The decoded bytes of a JSONL input, or why it cannot be decoded at all. */
export type Decoded =
  | {
      ok: true;
      /** The compression actually used (from the magic bytes; the file name only breaks ties). */
      compression: InputCompression;
      /**
       * Decoded chunks. A fault of the compressed data is thrown as a `DecodeError` after every
       * byte decoded before it was yielded; an error of the byte source itself is thrown as it is.
       */
      chunks: AsyncGenerator<Buffer>;
      /** The error of the byte source itself (I/O), as opposed to a decoding error; undefined if none. */
      sourceError(): unknown;
      /** Compressed bytes taken from the source so far. */
      compressedOffset(): number;
    }
  | { ok: false; detail: string };

/** Options of {@link decompress}. */
export interface DecompressOptions {
  /** Called with the size of each raw (compressed) chunk as it is consumed. */
  onRaw?: (n: number) => void;
  /** Receives one-line notes about an input that reads but is not what its name says. */
  onWarning?: (message: string) => void;
  /** Largest zstd window accepted (see `zstdStream`). */
  maxZstdWindow?: number;
  /** Decompress on these threads instead of this one (same output, counts and faults). */
  decoders?: StreamDecoders;
}

/**
 * Prepares the decoded byte stream of a JSONL input. The decoder is chosen by the magic bytes,
 * so a file with a wrong extension still reads; a file named `.gz`/`.zst` that is neither
 * compressed nor text gives `ok: false` with a message. A file named `.gz`/`.zst` that is plain
 * text, or empty, is read as it is with one warning.
 */
export async function decompress(source: AsyncIterable<Uint8Array>, declared: InputCompression, opts: DecompressOptions = {}): Promise<Decoded> {
  let sourceError: unknown;
  // Raw bytes are counted here as the decoder takes them, or, once a thread decodes, by the thread.
  let countHere = true;
  const bytes = new ByteReader(
    counted(
      source,
      (n) => {
        if (countHere) opts.onRaw?.(n);
      },
      (err) => {
        sourceError = err;
      },
    ),
  );
  const headLength = await bytes.fill(4);
  const head = bytes.peek(64);
  const sniffed = sniffCompression(head);
  const warn = opts.onWarning ?? (() => {});
  if (sniffed === 'none' && declared !== 'none') {
    if (headLength === 0) warn(`the file is empty (0 bytes), although its name says ${declared}; it holds no documents`);
    else if (looksLikeText(head)) warn(`the file is not ${declared}-compressed although its name says so: it is read as plain JSON text`);
    else {
      const magic = declared === 'gzip' ? '1f 8b' : '28 b5 2f fd';
      const found = [...head.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      return {
        ok: false,
        detail: `the name says ${declared} but the file does not start with the ${declared} magic bytes ${magic} (found ${found}) and is not JSON text; check the file or its extension`,
      };
    }
  }
  const maxZstdWindow = opts.maxZstdWindow ?? DEFAULT_MAX_ZSTD_WINDOW;
  let decoder: AsyncGenerator<Buffer, unknown>;
  if (sniffed !== 'none' && opts.decoders) {
    countHere = false;
    decoder = opts.decoders.decode(bytes, bytes.available, sniffed, { ...(opts.onRaw ? { onRaw: opts.onRaw } : {}), onWarning: warn, maxZstdWindow });
  } else decoder = sniffed === 'gzip' ? gunzipStream(bytes, warn) : sniffed === 'zstd' ? zstdStream(bytes, maxZstdWindow) : plain(bytes);
  const chunks = closing(decoder, bytes);
  return { ok: true, compression: sniffed, chunks, sourceError: () => sourceError, compressedOffset: () => bytes.offset };
}

/** Runs `decoder` and closes the byte source when it ends, fails or is stopped early. */
async function* closing(decoder: AsyncGenerator<Buffer, unknown>, bytes: ByteReader): AsyncGenerator<Buffer> {
  try {
    yield* decoder;
  } finally {
    await bytes.close();
  }
}

/** The source's chunks as they came (a line blocker adopts a whole chunk's buffer instead of copying it). */
async function* plain(bytes: ByteReader): AsyncGenerator<Buffer> {
  for (;;) {
    const c = await bytes.takeChunk();
    if (!c) return;
    yield c;
  }
}

async function* counted(
  source: AsyncIterable<Uint8Array>,
  onRaw: ((n: number) => void) | undefined,
  onError: (err: unknown) => void,
): AsyncGenerator<Buffer, void, undefined> {
  try {
    for await (const chunk of source) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      onRaw?.(buf.length);
      yield buf;
    }
  } catch (err) {
    onError(err);
    throw err;
  }
}
