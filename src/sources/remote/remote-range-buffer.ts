import type { FileRangeBuffer } from '../file-range-buffer.js';
import type { RangeReader } from './range-reader.js';

/**
 * A hyparquet `AsyncBuffer` over a remote object: each `slice` is one Range request (retried and
 * checked by the {@link RangeReader}). hyparquet asks for the footer first (the last 512 KiB,
 * more only when the footer is larger), then per row group for the byte span of the columns read
 * (chunks closer than a few KiB are merged into one request), so a row group costs one request
 * or a few. The tail fetched for the footer is kept while the file is read: slices inside it (a
 * small file's row groups, the last row group of a large one) cost no request (at most 512 KiB
 * held, one file at a time).
 */
export function remoteRangeBuffer(reader: RangeReader): FileRangeBuffer {
  let bytesRead = 0;
  let tail: { start: number; bytes: Uint8Array } | undefined;
  return {
    byteLength: reader.size,
    get bytesRead() {
      return bytesRead;
    },
    async slice(start: number, end: number = reader.size): Promise<ArrayBuffer> {
      if (tail && start >= tail.start && end <= reader.size && start <= end) {
        // A copy: hyparquet may keep or transfer what it is given.
        return tail.bytes.slice(start - tail.start, end - tail.start).buffer as ArrayBuffer;
      }
      const bytes = await reader.read(start, end);
      bytesRead += bytes.length;
      if (end === reader.size && (!tail || start < tail.start)) tail = { start, bytes };
      return bytes.slice().buffer as ArrayBuffer;
    },
  };
}
