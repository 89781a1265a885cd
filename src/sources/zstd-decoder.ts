import { createRequire } from 'node:module';
import type * as ZstdBinding from 'zstd-napi/binding.js';
import type { ByteReader } from './byte-reader.js';
import { DecodeError } from './decode-error.js';

const binding = createRequire(import.meta.url)('zstd-napi/binding') as typeof ZstdBinding;

/** Largest window the zstd format lets a 64-bit decoder use (ZSTD_WINDOWLOG_MAX_64 = 31): 2 GiB. */
export const ZSTD_WINDOW_LIMIT = 2 ** 31;
/** Default maximum window skein accepts: the format's maximum, so `zstd --long=31` files read. */
export const DEFAULT_MAX_ZSTD_WINDOW = ZSTD_WINDOW_LIMIT;

const FRAME_MAGIC = 0xfd2fb528;
const BLOCK_MAX = 128 * 1024;
/** Output buffer per decoder call (ZSTD_DStreamOutSize: one full block). */
const OUT_BYTES = binding.dStreamOutSize();
/** Output slab the per-call buffers are carved from. */
const SLAB_BYTES = 1 << 20;

/** Whether four little-endian bytes are a skippable-frame magic number (0x184D2A50..0x184D2A5F). */
export function isSkippableMagic(m: number): boolean {
  return (m & 0xfffffff0) >>> 0 === 0x184d2a50;
}

/** Formats a byte count for messages (2 GiB, 128 MiB, 1.5 KiB). */
export function formatBytes(n: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} bytes`;
}

/**
 * Decodes a zstd stream (RFC 8878) and yields the decoded bytes in chunks of at most one block
 * (128 KiB), decoding only as fast as they are taken, so a small file that decodes to gigabytes
 * (runs of RLE blocks) never fills memory.
 *
 * The frames are walked in JavaScript and libzstd (zstd-napi's binding) decodes them one block
 * per call. Hand-written because zstd-napi's `DecompressStream` decodes a whole input chunk in
 * one go (unbounded output) and loses the output of the call that fails, so a bad checksum
 * dropped every line of a small file. Here:
 *
 * - skippable frames (magic 0x184D2A50..0x184D2A5F, as pzstd writes first) are skipped wherever
 *   they are, and any number of frames may follow each other;
 * - a frame's window may be anything up to `maxWindow` (default and maximum 2 GiB, which
 *   `zstd --long=31` uses); a frame asking for more is an `unsupported` {@link DecodeError} naming the
 *   window, before anything of it is decoded;
 * - every block decoded before a fault is yielded, then the fault is thrown as a
 *   {@link DecodeError}: `truncated` when the stream ends inside a frame, `corrupt` for a bad
 *   block, a checksum mismatch (the last block's bytes were already yielded) or bytes after a
 *   frame that start no frame, `unsupported` for a frame that needs a dictionary.
 *
 * `bytes` is positioned at the first frame.
 */
export async function* zstdStream(bytes: ByteReader, maxWindow: number = DEFAULT_MAX_ZSTD_WINDOW): AsyncGenerator<Buffer> {
  const dctx = new binding.DCtx();
  const windowLog = Math.min(31, Math.max(10, Math.ceil(Math.log2(maxWindow))));
  dctx.setParameter(binding.DParameter.windowLogMax, windowLog);
  // Output is carved from 1 MiB slabs: one allocation per slab, no copy per call.
  let slab = Buffer.allocUnsafe(SLAB_BYTES);
  let used = 0;
  /** Feeds exactly `src` to the decoder and yields what it produced. */
  function* feed(src: Buffer, at: number): Generator<Buffer> {
    for (;;) {
      if (SLAB_BYTES - used < OUT_BYTES) {
        slab = Buffer.allocUnsafe(SLAB_BYTES);
        used = 0;
      }
      const out = slab.subarray(used, used + OUT_BYTES);
      let r: [number, number, number];
      try {
        r = dctx.decompressStream(out, src) as [number, number, number];
      } catch (err) {
        const message = (err as Error).message;
        throw new DecodeError('corrupt', at, /checksum/i.test(message) ? `zstd frame checksum mismatch (${message}); the decoded data is damaged` : `zstd data is corrupt (${message})`);
      }
      const [, produced, consumed] = r;
      if (produced > 0) {
        used += produced;
        yield out.subarray(0, produced);
      }
      src = src.subarray(consumed);
      if (src.length === 0 && produced < out.length) return;
    }
  }
  /** Feeds the next `length` bytes, as they arrive (libzstd keeps a partial block), to the decoder. */
  async function* feedNext(length: number, at: number, cut: string): AsyncGenerator<Buffer> {
    let left = length;
    while (left > 0) {
      const piece = await bytes.takeSome(left);
      if (!piece) throw truncated(bytes, at, cut);
      left -= piece.length;
      yield* feed(piece, at);
    }
  }
  let frames = 0;
  for (;;) {
    const at = bytes.offset;
    const have = await bytes.fill(4);
    if (have === 0 && frames > 0) return;
    if (have < 4) throw truncated(bytes, at, 'zstd stream ends inside a frame magic number');
    const magic = bytes.peek(4).readUInt32LE(0);
    if (isSkippableMagic(magic)) {
      if ((await bytes.fill(8)) < 8) throw truncated(bytes, at, 'zstd stream ends inside a skippable frame header');
      const size = bytes.take(8).readUInt32LE(4);
      let left = size;
      while (left > 0) {
        const n = await bytes.fill(Math.min(left, 1 << 16));
        if (n === 0) throw truncated(bytes, bytes.offset, `zstd stream ends inside a skippable frame (${size} bytes announced)`);
        const k = Math.min(n, left);
        bytes.skip(k);
        left -= k;
      }
      frames++;
      continue;
    }
    if (magic !== FRAME_MAGIC) {
      throw new DecodeError('corrupt', at, frames === 0 ? 'not a zstd frame (bad magic number)' : `bytes after zstd frame ${frames} start no frame (magic 0x${magic.toString(16).padStart(8, '0')}); the data after it is unreadable`);
    }
    const header = await frameHeader(bytes, at);
    if (header.dictId !== 0) throw new DecodeError('unsupported', at, `zstd frame ${frames + 1} needs dictionary ${header.dictId}; decompress it with zstd -D <dictionary> first`);
    if (header.window > maxWindow) {
      throw new DecodeError('unsupported', at, `zstd frame ${frames + 1} needs a ${formatBytes(header.window)} window, above the maximum of ${formatBytes(maxWindow)}`);
    }
    yield* feed(header.bytes, at);
    for (;;) {
      const blockAt = bytes.offset;
      if ((await bytes.fill(3)) < 3) throw truncated(bytes, blockAt, `zstd stream ends inside frame ${frames + 1} (a block header is cut)`);
      const h = bytes.peek(3);
      const bh = h[0]! | (h[1]! << 8) | (h[2]! << 16);
      const last = (bh & 1) === 1;
      const type = (bh >> 1) & 3;
      const size = bh >>> 3;
      if (type === 3) throw new DecodeError('corrupt', blockAt, `zstd block of reserved type 3 in frame ${frames + 1}`);
      if (size > BLOCK_MAX) throw new DecodeError('corrupt', blockAt, `zstd block of ${size} bytes in frame ${frames + 1} (at most ${BLOCK_MAX})`);
      // One block per call (never bytes of the next one), so a bad block costs only itself.
      yield* feedNext(3 + (type === 1 ? 1 : size), blockAt, `zstd stream ends inside a block of frame ${frames + 1}`);
      if (last) break;
    }
    if (header.checksum) {
      const sumAt = bytes.offset;
      if ((await bytes.fill(4)) < 4) throw truncated(bytes, sumAt, `zstd stream ends inside the checksum of frame ${frames + 1}`);
      try {
        yield* feed(bytes.take(4), sumAt);
      } catch (err) {
        // A bad checksum: every block of the frame was decoded and yielded already.
        if (!(err instanceof DecodeError)) throw err;
        throw new DecodeError(err.kind, err.offset, err.message, err.unreadFrom, (await bytes.fill(1)) === 0);
      }
    }
    frames++;
  }
}

/** A `truncated` fault: found at the end of the stream, with the bytes from `from` on undecoded. */
function truncated(bytes: ByteReader, from: number, message: string): DecodeError {
  return new DecodeError('truncated', bytes.offset + bytes.available, message, from);
}

/** The parts of a frame header (RFC 8878 §3.1.1.1) the walker needs, and its bytes. */
interface FrameHeader {
  bytes: Buffer;
  window: number;
  dictId: number;
  checksum: boolean;
}

async function frameHeader(bytes: ByteReader, at: number): Promise<FrameHeader> {
  if ((await bytes.fill(5)) < 5) throw truncated(bytes, at, 'zstd stream ends inside a frame header');
  const fhd = bytes.peek(5)[4]!;
  const fcsFlag = fhd >> 6;
  const single = (fhd & 0x20) !== 0;
  if (fhd & 0x08) throw new DecodeError('corrupt', at, 'zstd frame header has its reserved bit set');
  const dictBytes = [0, 1, 2, 4][fhd & 3]!;
  const fcsBytes = [single ? 1 : 0, 2, 4, 8][fcsFlag]!;
  const length = 5 + (single ? 0 : 1) + dictBytes + fcsBytes;
  if ((await bytes.fill(length)) < length) throw truncated(bytes, at, 'zstd stream ends inside a frame header');
  const h = bytes.take(length);
  let p = 5;
  let window = 0;
  if (!single) {
    const wd = h[p++]!;
    const log = 10 + (wd >> 3);
    window = 2 ** log + (2 ** log / 8) * (wd & 7);
  }
  let dictId = 0;
  for (let i = 0; i < dictBytes; i++) dictId += h[p + i]! * 2 ** (8 * i);
  p += dictBytes;
  if (single) {
    let fcs = 0;
    for (let i = 0; i < fcsBytes; i++) fcs += h[p + i]! * 2 ** (8 * i);
    if (fcsBytes === 2) fcs += 256;
    window = fcs;
  }
  return { bytes: h, window, dictId, checksum: (fhd & 0x04) !== 0 };
}
