import { createInflateRaw, type InflateRaw } from 'node:zlib';
import type { ByteReader } from './byte-reader.js';
import { crc32 } from './crc32.js';
import { DecodeError } from './decode-error.js';

/** Decoded bytes per inflater output chunk (and the most produced ahead of the reader). */
const OUT_BYTES = 64 * 1024;
/** Raw bytes handed to the inflater per write. */
const WRITE_BYTES = 64 * 1024;
/** Longest FNAME/FCOMMENT/FEXTRA a header may carry before it is called corrupt (gzip sets no limit; real ones are short). */
const MAX_HEADER_FIELD = 1 << 20;

/**
 * Decodes a gzip stream (RFC 1952) member by member and yields the decoded bytes in chunks of at
 * most 64 KiB; a member is decoded only as fast as its output is taken (zlib's own
 * backpressure), so a small file that inflates to gigabytes never fills memory.
 *
 * Hand-written framing around `node:zlib`'s raw inflater (which runs on the libuv pool) because
 * `createGunzip` loses output: a checksum, length or header error discards what the failing
 * call had already decoded (all of a small file), and text after the last member fails the
 * whole chunk. Here the header and the trailer are read in JavaScript, so:
 *
 * - every byte the inflater produced is yielded before the stream's fault is thrown as a
 *   {@link DecodeError} (`truncated`: the stream ends inside a member; `corrupt`: a bad header,
 *   bad deflate data, or a CRC-32 / length that does not match the decoded bytes; an error
 *   inside the deflate data loses at most the last 64 KiB the inflater was producing);
 * - bytes after a complete member that are not another member are treated as `gzip -d` treats
 *   them: zeros are padding and ignored, anything else is reported through `onWarning`
 *   ("trailing garbage ignored") and skipped; everything decoded is kept.
 *
 * `bytes` is positioned at the first member's magic bytes.
 */
export async function* gunzipStream(bytes: ByteReader, onWarning: (message: string) => void): AsyncGenerator<Buffer> {
  let members = 0;
  for (;;) {
    const start = bytes.offset;
    const have = await bytes.fill(2);
    if (have === 0 && members > 0) return;
    const head = bytes.peek(2);
    if (members > 0 && (have < 2 || head[0] !== 0x1f || head[1] !== 0x8b)) {
      await trailing(bytes, start, onWarning);
      return;
    }
    await readHeader(bytes);
    let crc = 0;
    let size = 0;
    const body = inflateRaw(bytes);
    let r = await body.next();
    while (!r.done) {
      crc = crc32(r.value, crc);
      size = (size + r.value.length) % 0x1_0000_0000;
      yield r.value;
      r = await body.next();
    }
    if (!r.value) throw new DecodeError('truncated', bytes.offset, `unexpected end of file: gzip member ${members + 1} ends before its deflate data is complete`);
    const trailerAt = bytes.offset;
    if ((await bytes.fill(8)) < 8) throw new DecodeError('truncated', bytes.offset + bytes.available, `gzip member ${members + 1} ends inside its 8-byte trailer (CRC-32 and length)`, trailerAt);
    const trailer = bytes.take(8);
    const mismatch =
      trailer.readUInt32LE(0) !== crc
        ? `CRC-32 mismatch (the trailer says ${hex(trailer.readUInt32LE(0))}, the decoded bytes give ${hex(crc)}); the decoded data is damaged`
        : trailer.readUInt32LE(4) !== size
          ? `length mismatch (the trailer says ${trailer.readUInt32LE(4)} bytes mod 2^32, ${size} were decoded)`
          : undefined;
    if (mismatch) {
      const last = (await bytes.fill(1)) === 0;
      throw new DecodeError('corrupt', trailerAt, `gzip member ${members + 1}: ${mismatch}`, trailerAt, last);
    }
    members++;
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** Skips what follows the last member: zero padding silently, anything else with a warning. */
async function trailing(bytes: ByteReader, start: number, onWarning: (message: string) => void): Promise<void> {
  let zeros = true;
  const n = await bytes.drain((c) => {
    if (zeros && c.some((b) => b !== 0)) zeros = false;
  });
  if (!zeros) onWarning(`${n} bytes of trailing garbage after the last gzip member (byte ${start} on) were ignored, as gzip -d does; every decoded line was kept`);
}

/** Reads and checks a member header (RFC 1952 §2.3), leaving `bytes` at the deflate data. */
async function readHeader(bytes: ByteReader): Promise<void> {
  const at = bytes.offset;
  if ((await bytes.fill(10)) < 10) throw new DecodeError('truncated', bytes.offset + bytes.available, 'gzip stream ends inside a member header', at);
  const h = bytes.take(10);
  if (h[0] !== 0x1f || h[1] !== 0x8b) throw new DecodeError('corrupt', at, 'not a gzip member header (magic 1f 8b expected)');
  if (h[2] !== 8) throw new DecodeError('corrupt', at, `gzip member uses compression method ${h[2]}, only deflate (8) exists`);
  const flags = h[3]!;
  if (flags & 0xe0) throw new DecodeError('corrupt', at, `gzip member header has reserved flag bits set (0x${flags.toString(16)})`);
  if (flags & 0x04) {
    if ((await bytes.fill(2)) < 2) throw new DecodeError('truncated', bytes.offset + bytes.available, 'gzip stream ends inside a member header', at);
    const xlen = bytes.take(2).readUInt16LE(0);
    if ((await bytes.fill(xlen)) < xlen) throw new DecodeError('truncated', bytes.offset + bytes.available, 'gzip stream ends inside a member header', at);
    bytes.skip(xlen);
  }
  for (const bit of [0x08, 0x10]) {
    if (!(flags & bit)) continue;
    // A zero-terminated name or comment.
    for (let n = 0; ; n++) {
      if (n > MAX_HEADER_FIELD) throw new DecodeError('corrupt', at, `gzip member header has a file name or comment over ${MAX_HEADER_FIELD} bytes`);
      if ((await bytes.fill(1)) < 1) throw new DecodeError('truncated', bytes.offset + bytes.available, 'gzip stream ends inside a member header', at);
      if (bytes.take(1)[0] === 0) break;
    }
  }
  if (flags & 0x02) {
    if ((await bytes.fill(2)) < 2) throw new DecodeError('truncated', bytes.offset + bytes.available, 'gzip stream ends inside a member header', at);
    bytes.skip(2);
  }
}

/**
 * Inflates raw deflate data (RFC 1951) from `bytes` with `node:zlib` (on the libuv pool), pulling
 * its output in chunks of at most 64 KiB (paused mode: zlib stops when its buffer is full, so a
 * bomb is decoded only as fast as it is read), and returns whether the deflate stream reached
 * its end (false: the input ended first). The inflater stops consuming at the end of the deflate
 * data; the bytes it did not take (a gzip trailer, what follows a ZIP member) are put back into
 * `bytes`. Bad deflate data is a `corrupt` {@link DecodeError}; the inflater is destroyed
 * whatever happens, so no error of it can surface later.
 */
export async function* inflateRaw(bytes: ByteReader): AsyncGenerator<Buffer, boolean> {
  const inflater = createInflateRaw({ chunkSize: OUT_BYTES });
  return yield* inflateBody(bytes, inflater);
}

async function* inflateBody(bytes: ByteReader, inflater: InflateRaw): AsyncGenerator<Buffer, boolean> {
  let error: Error | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  inflater.on('readable', notify);
  inflater.on('end', () => {
    ended = true;
    notify();
  });
  inflater.on('error', (e: Error) => {
    error ??= e;
    notify();
  });
  let written = 0;
  let writing = false;
  let last: Buffer | undefined;
  let inputDone = false;
  try {
    for (;;) {
      const woken = new Promise<void>((resolve) => (wake = resolve));
      let chunk: Buffer | null;
      while ((chunk = inflater.read() as Buffer | null) !== null) yield chunk;
      if (error) {
        // zlib's Z_FINISH on data that stops inside the deflate stream: the input ended first.
        if (inputDone && (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') return false;
        throw new DecodeError('corrupt', bytes.offset - (written - inflater.bytesWritten), `deflate data is corrupt (${error.message})`);
      }
      if (ended) {
        // The deflate data is complete (an incomplete one fails the final Z_FINISH instead); the
        // input the inflater did not take is the gzip trailer, the next member, or garbage.
        const left = written - inflater.bytesWritten;
        if (left > 0 && last) bytes.unshift(last.subarray(last.length - left));
        return true;
      }
      // Write the next bytes once the inflater has taken all of the last ones (when it stops
      // short, its stream has ended and the 'end' event is on its way).
      if (!writing && !inputDone && inflater.bytesWritten === written) {
        const next = await bytes.takeSome(WRITE_BYTES);
        if (!next) {
          inputDone = true;
          inflater.end();
          continue;
        }
        last = next;
        written += next.length;
        writing = true;
        inflater.write(next, () => {
          writing = false;
          notify();
        });
        continue;
      }
      await woken;
    }
  } finally {
    inflater.removeAllListeners();
    inflater.on('error', () => {});
    inflater.destroy();
  }
}
