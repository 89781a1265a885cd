import { open } from 'node:fs/promises';
import { parquetMetadataAsync } from 'hyparquet';
import { fileRangeBuffer } from './file-range-buffer.js';

/**
 * The compressed size on disk of each row group of a Parquet file (the sum of its column
 * chunks), read from the footer only. Returns undefined when the footer cannot be read: the
 * file is then treated as one unit, and reading it reports the problem as usual.
 */
export async function parquetRowGroupSizes(path: string | Buffer): Promise<number[] | undefined> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const metadata = await parquetMetadataAsync(fileRangeBuffer(handle, size));
    return metadata.row_groups.map((g) => g.columns.reduce((n, c) => n + Number(c.meta_data?.total_compressed_size ?? 0n), 0));
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}
