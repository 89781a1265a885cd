import { Readable } from 'node:stream';
import yauzl, { type ZipFile } from 'yauzl';
import type { RangeReader } from './range-reader.js';

/** Size of the blocks small reads are served from. */
const BLOCK = 256 * 1024;
/** Blocks kept (1 MiB in all). */
const BLOCKS_KEPT = 4;

/**
 * A yauzl `RandomAccessReader` over a remote object. yauzl reads the end of the archive, then
 * each central-directory record and local header with a small read of its own (two per member):
 * served one by one that would be a request per read, so small reads come from 256 KiB blocks
 * (four kept, fetched once each), and a whole central directory of thousands of members costs a
 * few requests. Member data is streamed by one Range request per member (resumed if it drops),
 * or copied from the blocks when they already hold it (a small archive is fetched once).
 */
class RemoteZipReader extends yauzl.RandomAccessReader {
  private blocks = new Map<number, Promise<Uint8Array>>();

  constructor(private readonly reader: RangeReader) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    // A member lying in blocks already fetched (a small archive) costs no request.
    const first = Math.floor(start / BLOCK);
    const last = Math.floor((end - 1) / BLOCK);
    let cached = end > start;
    for (let i = first; i <= last && cached; i++) cached = this.blocks.has(i);
    if (cached) {
      const out = Buffer.alloc(end - start);
      return Readable.from(
        (async function* (self: RemoteZipReader) {
          await self.fromBlocks(out, 0, out.length, start);
          yield out;
        })(this),
        { objectMode: false },
      );
    }
    return Readable.from(this.reader.stream(start, end), { objectMode: false });
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    this.readInto(buffer, offset, length, position).then(
      () => callback(null),
      (err: unknown) => callback(err as Error),
    );
  }

  private async readInto(buffer: Buffer, offset: number, length: number, position: number): Promise<void> {
    if (length > BLOCK) buffer.set(await this.reader.read(position, position + length), offset);
    else await this.fromBlocks(buffer, offset, length, position);
  }

  /** Copies bytes `[position, position + length)` out of the blocks (fetching those not held). */
  async fromBlocks(buffer: Buffer, offset: number, length: number, position: number): Promise<void> {
    let at = 0;
    while (at < length) {
      const pos = position + at;
      const index = Math.floor(pos / BLOCK);
      const block = await this.block(index);
      const from = pos - index * BLOCK;
      const n = Math.min(length - at, block.length - from);
      if (n <= 0) throw new RangeError(`read past the end of the archive (byte ${pos} of ${this.reader.size})`);
      buffer.set(block.subarray(from, from + n), offset + at);
      at += n;
    }
  }

  private block(index: number): Promise<Uint8Array> {
    let b = this.blocks.get(index);
    if (b) {
      // Most recently used last.
      this.blocks.delete(index);
      this.blocks.set(index, b);
      return b;
    }
    b = this.reader.read(index * BLOCK, Math.min(this.reader.size, (index + 1) * BLOCK));
    b.catch(() => this.blocks.delete(index));
    this.blocks.set(index, b);
    while (this.blocks.size > BLOCKS_KEPT) this.blocks.delete(this.blocks.keys().next().value!);
    return b;
  }
}

/** Opens a remote ZIP archive with yauzl (lazy entries; the reader is never closed by yauzl). */
export function openRemoteZip(reader: RangeReader): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromRandomAccessReader(new RemoteZipReader(reader), reader.size, { lazyEntries: true, autoClose: false }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}
