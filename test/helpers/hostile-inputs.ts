// Generators of hostile compressed inputs for tests and benchmarks, made in memory in
// milliseconds: one zstd frame of a 64 MiB run repeated as many times as needed (a stream may
// hold any number of frames), so gigabytes of decoded output cost a few kilobytes on disk.
import { constants, deflateRawSync, gzipSync } from 'node:zlib';
import { crc32 } from '../../src/sources/crc32.js';
import { compress as zstdCompress } from 'zstd-napi';

const RUN = 64 << 20;
const frames = new Map<number, Buffer>();

/** One zstd frame holding 64 MiB of the byte `b`. */
function runFrame(b: number): Buffer {
  let f = frames.get(b);
  if (!f) {
    f = zstdCompress(Buffer.alloc(RUN, b), { compressionLevel: 3 });
    frames.set(b, f);
  }
  return f;
}

/**
 * A zstd stream that decodes to `prefix`, then `bytes` (rounded up to 64 MiB) of the byte `b`,
 * then `suffix`: a "newline bomb" with `b` = `\n`, one endless line with `b` = `a`.
 */
export function zstdRun(b: number, bytes: number, prefix = '', suffix = ''): Buffer {
  const parts: Buffer[] = [];
  if (prefix) parts.push(zstdCompress(Buffer.from(prefix)));
  for (let n = 0; n < bytes; n += RUN) parts.push(runFrame(b));
  if (suffix) parts.push(zstdCompress(Buffer.from(suffix)));
  return Buffer.concat(parts);
}

/** The size a {@link zstdRun} of `bytes` decodes to, prefix and suffix excluded. */
export function runBytes(bytes: number): number {
  return Math.ceil(bytes / RUN) * RUN;
}

/**
 * A raw deflate stream of `bytes` (rounded up to 64 MiB, at most 4 GiB - 1 for a plain ZIP) of
 * the byte `b`, with its CRC-32 and size: 64 MiB blocks ended by full flushes (so they are
 * independent and can repeat), then an empty final block.
 */
export function deflateRun(b: number, bytes: number): { body: Buffer; crc: number; size: number } {
  const block = Buffer.alloc(RUN, b);
  const piece = deflateRawSync(block, { level: 1, finishFlush: constants.Z_FULL_FLUSH });
  const parts: Buffer[] = [];
  let crc = 0;
  let size = 0;
  for (let n = 0; n < bytes; n += RUN) {
    parts.push(piece);
    crc = crc32(block, crc);
    size += RUN;
  }
  parts.push(Buffer.from([0x03, 0x00])); // a final, empty, fixed-Huffman block
  return { body: Buffer.concat(parts), crc, size };
}

/** A gzip stream of `bytes` (rounded up to 64 MiB) of the byte `b`: one 64 MiB member, repeated. */
export function gzipRun(b: number, bytes: number): Buffer {
  const member = gzipSync(Buffer.alloc(RUN, b), { level: 1 });
  const parts: Buffer[] = [];
  for (let n = 0; n < bytes; n += RUN) parts.push(member);
  return Buffer.concat(parts);
}
