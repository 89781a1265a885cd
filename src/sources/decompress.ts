import type { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DecompressStream } from 'zstd-napi';
import type { InputCompression } from './input-format.js';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** The compression the first bytes of a stream show (gzip `1f 8b`, zstd `28 b5 2f fd`), else `none`. */
export function sniffCompression(head: Uint8Array): InputCompression {
  if (startsWith(head, ZSTD_MAGIC)) return 'zstd';
  if (startsWith(head, GZIP_MAGIC)) return 'gzip';
  return 'none';
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  if (bytes.length < magic.length) return false;
  return magic.every((b, i) => bytes[i] === b);
}

/** Whether the first bytes look like the start of JSON lines text (BOM, whitespace or `{`/`[`). */
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
      /** Decoded chunks; throws the decoder's error after yielding everything decoded before it. */
      chunks: AsyncGenerator<Buffer>;
      /** The error of the byte source itself (I/O), as opposed to a decoding error; undefined if none. */
      sourceError(): unknown;
    }
  | { ok: false; detail: string };

/**
 * Prepares the decoded byte stream of a JSONL input. The decoder is chosen by the magic bytes,
 * so a file with a wrong extension still reads; a file named `.gz`/`.zst` that is neither
 * compressed nor text gives `ok: false` with a message. `onRaw` is called with the size of
 * each raw (compressed) chunk as it is consumed.
 */
export async function decompress(
  source: AsyncIterable<Uint8Array>,
  declared: InputCompression,
  onRaw?: (n: number) => void,
): Promise<Decoded> {
  let sourceError: unknown;
  const raw = counted(source, onRaw, (err) => {
    sourceError = err;
  });
  // Peek until the magic bytes can be told (or the input ends).
  const head: Buffer[] = [];
  let headLength = 0;
  for (;;) {
    const r = await raw.next();
    if (r.done) break;
    head.push(r.value);
    headLength += r.value.length;
    if (headLength >= 4) break;
  }
  const headBytes = Buffer.concat(head, headLength);
  const sniffed = sniffCompression(headBytes);
  if (sniffed === 'none' && declared !== 'none' && headLength > 0 && !looksLikeText(headBytes.subarray(0, 64))) {
    await raw.return(undefined);
    const magic = declared === 'gzip' ? '1f 8b' : '28 b5 2f fd';
    const found = [...headBytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    return {
      ok: false,
      detail: `the name says ${declared} but the file does not start with the ${declared} magic bytes ${magic} (found ${found}) and is not JSON text; check the file or its extension`,
    };
  }
  const all = prepend(head, raw);
  const chunks = sniffed === 'none' ? all : decodeChunks(all, sniffed === 'gzip' ? createGunzip() : new DecompressStream());
  return { ok: true, compression: sniffed, chunks, sourceError: () => sourceError };
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

async function* prepend(head: Buffer[], rest: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  try {
    for (const chunk of head) yield chunk;
    yield* rest;
  } finally {
    await rest.return(undefined);
  }
}

/**
 * Runs raw chunks through a decompressing Transform one chunk at a time and yields every output
 * chunk the decoder produced, then throws the decoder's error if it failed (truncated or corrupt
 * input). Hand-written because async iteration of a Transform drops the output still buffered
 * when the decoder errors, so the documents kept from a truncated file would depend on timing;
 * here they depend only on the input. The decoder runs in flowing mode and backpressure acts on
 * the input side: the next raw chunk is written only after the consumer took the output of the
 * previous one.
 */
export async function* decodeChunks(raw: AsyncIterable<Buffer>, decoder: Transform): AsyncGenerator<Buffer> {
  const out: Buffer[] = [];
  let failed: unknown;
  decoder.on('data', (c: Buffer) => out.push(c));
  const errored = new Promise<never>((_, reject) => decoder.once('error', reject));
  errored.catch(() => {});
  const ended = new Promise<void>((resolve) => decoder.once('end', resolve));
  const settle = async (p: Promise<void>): Promise<void> => {
    try {
      await Promise.race([p, errored]);
    } catch (err) {
      failed ??= err;
    }
  };
  try {
    for await (const chunk of raw) {
      await settle(new Promise<void>((resolve, reject) => decoder.write(chunk, (err) => (err ? reject(err) : resolve()))));
      while (out.length > 0) yield out.shift()!;
      if (failed !== undefined) throw failed;
    }
    decoder.end();
    await settle(ended);
    while (out.length > 0) yield out.shift()!;
    if (failed !== undefined) throw failed;
  } finally {
    decoder.removeAllListeners('data');
    decoder.on('error', () => {});
    decoder.destroy();
  }
}
