import type { FileHandle } from 'node:fs/promises';
import type { AsyncBuffer } from 'hyparquet';

/** A hyparquet {@link AsyncBuffer} over an open file that counts the bytes it reads. */
export interface FileRangeBuffer extends AsyncBuffer {
  /** Bytes read from disk so far. */
  readonly bytesRead: number;
}

/**
 * Makes an {@link AsyncBuffer} that reads byte ranges of an open file on demand, so a Parquet
 * file is never read whole (hyparquet's own `asyncBufferFromFile` opens a read stream per
 * slice; one handle is cheaper). A range past the end of the file is an error, which a reader
 * reports as a corrupt file.
 */
export function fileRangeBuffer(handle: FileHandle, byteLength: number): FileRangeBuffer {
  let bytesRead = 0;
  return {
    byteLength,
    get bytesRead() {
      return bytesRead;
    },
    async slice(start: number, end: number = byteLength): Promise<ArrayBuffer> {
      if (start < 0 || end > byteLength || start > end) {
        throw new RangeError(`byte range ${start}-${end} is outside the file (${byteLength} bytes)`);
      }
      const length = end - start;
      const out = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead: n } = await handle.read(out, filled, length - filled, start + filled);
        if (n === 0) throw new RangeError(`file ended at byte ${start + filled} while reading bytes ${start}-${end}`);
        filled += n;
      }
      bytesRead += length;
      return out.buffer;
    },
  };
}
