import type { FileRangeBuffer } from '../file-range-buffer.js';
import type { RangeReader } from './range-reader.js';

/**
 * A hyparquet `AsyncBuffer` over a remote object: each `slice` is one Range request (retried and
 * checked by the {@link RangeReader}). hyparquet asks for the footer (the last 512 KiB, more only
 * when the footer is larger), then per row group for the byte span of the columns read (chunks
 * closer than a few KiB are merged into one request), so a row group costs one request or a few.
 */
export function remoteRangeBuffer(reader: RangeReader): FileRangeBuffer {
  let bytesRead = 0;
  return {
    byteLength: reader.size,
    get bytesRead() {
      return bytesRead;
    },
    async slice(start: number, end: number = reader.size): Promise<ArrayBuffer> {
      const bytes = await reader.read(start, end);
      bytesRead += bytes.length;
      return bytes.buffer as ArrayBuffer;
    },
  };
}
