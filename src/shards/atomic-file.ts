import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { withPath } from '../util/environment-error.js';

/**
 * The temporary name a file is written under before it is renamed to `path`: a hidden
 * `.NAME.tmp` in the same folder, so the rename is atomic (same filesystem) and readers and
 * globs for `*.arrow` / `*.json` never see a partial file (docs/architecture.md#errors-and-files).
 */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp`);
}

/**
 * Flushes a folder's entries to disk so that a rename inside it survives a crash. Best effort:
 * platforms that cannot open or fsync a directory (Windows) are skipped silently.
 */
export async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw err;
  } finally {
    await fh?.close();
  }
}

/**
 * Writes `data` to `path` atomically: to {@link tempPathFor}(path), fsync'd, renamed over `path`,
 * then the folder fsync'd. A crash leaves either the old file or the new one, never a truncated
 * one. Hand-written because no dependency of skein provides it (write-file-atomic is not one).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(path);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw withPath(err, tmp);
  }
  await fh.close();
  await rename(tmp, path);
  await syncDir(dirname(path));
}

/** Serializes a value the way skein writes every JSON file: 2-space indent, trailing newline. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
