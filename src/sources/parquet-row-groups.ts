import { open } from 'node:fs/promises';
import { parquetMetadataAsync, type AsyncBuffer } from 'hyparquet';
import { isFatalReadError } from './env-error.js';
import { fileRangeBuffer } from './file-range-buffer.js';

/**
 * The compressed size on disk of each row group of a Parquet file (the sum of its column
 * chunks), read from the footer only. Returns undefined when the footer cannot be read: the
 * file is then treated as one unit, and reading it reports the problem as usual.
 */
export async function parquetRowGroupSizes(path: string | Buffer): Promise<number[] | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const { size } = await handle.stat();
    return await rowGroupSizesOf(fileRangeBuffer(handle, size));
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/**
 * {@link parquetRowGroupSizes} over any byte-range source (a remote object: one or two range
 * requests for the footer). Faults of the source itself (a remote server that refuses or
 * vanishes: a `UserError`) are thrown; a footer that cannot be parsed gives undefined.
 */
export async function rowGroupSizesOf(file: AsyncBuffer): Promise<number[] | undefined> {
  let metadata;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    if (isFatalReadError(err)) throw err;
    return undefined;
  }
  return metadata.row_groups.map((g) => g.columns.reduce((n, c) => n + Number(c.meta_data?.total_compressed_size ?? 0n), 0));
}
