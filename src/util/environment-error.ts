import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Errors of the environment (a full disk, a read-only or missing folder, permissions, too many
 * open files) are not skein's bugs: the CLI reports them in one line naming the path and the
 * fix, with exit code 1, whatever command met them.
 */

/** The fix for each system error code skein treats as the environment's. */
const FIXES: Readonly<Record<string, { what: string; fix: string }>> = {
  ENOSPC: { what: 'no space left on the device', fix: 'free space (or choose another --output) and run the same command again; a build resumes from its last checkpoint' },
  EDQUOT: { what: 'disk quota exceeded', fix: 'free space within your quota and run the same command again; a build resumes from its last checkpoint' },
  EROFS: { what: 'the file system is read-only', fix: 'choose a writable folder (e.g. --output)' },
  EACCES: { what: 'permission denied', fix: 'check the permissions of the path, or choose another' },
  EPERM: { what: 'operation not permitted', fix: 'check the permissions of the path, or choose another' },
  ENOTDIR: { what: 'a part of the path is a file, not a folder', fix: 'give a path whose folders are folders' },
  EISDIR: { what: 'it is a folder where a file was expected', fix: 'give a file path' },
  ENOENT: { what: 'no such file or folder (it may have been deleted or moved while skein ran)', fix: 'check the path, restore the file and run the same command again' },
  EEXIST: { what: 'it already exists', fix: 'remove it or choose another path' },
  ENAMETOOLONG: { what: 'the path is too long', fix: 'choose a shorter path' },
  ELOOP: { what: 'too many levels of symbolic links', fix: 'fix the link loop in the path' },
  EMFILE: { what: 'too many open files', fix: 'raise the limit (ulimit -n) or use fewer --workers' },
  ENFILE: { what: 'too many open files on the system', fix: 'raise the system limit or use fewer --workers' },
  EIO: { what: 'input/output error (the disk or network file system failed)', fix: 'check the device and run the same command again' },
  EXDEV: { what: 'the paths are on different file systems', fix: 'use paths on one file system' },
  ESTALE: { what: 'stale network file handle', fix: 'check the network file system and run the same command again' },
  ETXTBSY: { what: 'the file is busy', fix: 'wait for the program using it and try again' },
  EBUSY: { what: 'the resource is busy', fix: 'wait for the program using it and try again' },
  EFBIG: { what: 'the file is too large for this file system or your file size limit', fix: 'raise the limit (ulimit -f), use smaller --shard-tokens, or choose another file system' },
  ENXIO: { what: 'the device behind the file is gone', fix: 'check the mount and run the same command again' },
  ENODEV: { what: 'the device behind the file is gone', fix: 'check the mount and run the same command again' },
  ETIMEDOUT: { what: 'the network file system timed out', fix: 'check the mount and run the same command again' },
  ECONNRESET: { what: 'the network file system dropped the connection', fix: 'check the mount and run the same command again' },
  EAGAIN: { what: 'the resource is temporarily unavailable', fix: 'run the same command again' },
  ENOMEM: { what: 'the system is out of memory', fix: 'use fewer --workers or a larger machine' },
  EOVERFLOW: { what: 'the file is too large for this platform', fix: 'split the file' },
};

/** What a system error code means and its fix, when skein treats the code as the environment's. */
export function environmentFault(code: string | undefined): { what: string; fix: string } | undefined {
  return code !== undefined && Object.hasOwn(FIXES, code) ? FIXES[code] : undefined;
}

/** Whether `e` is an error of the environment (a system error whose code is in the table): never a bad input. */
export function isEnvironmentError(e: unknown): e is NodeJS.ErrnoException {
  return describeEnvironmentError(e) !== undefined;
}

/** A Node system error (`fs`, `net`): code, syscall and path. */
interface SystemError extends Error {
  code?: string;
  syscall?: string;
  path?: string;
  dest?: string;
}

/**
 * One line for an error the environment caused, or undefined when `e` is not one: `cannot
 * <syscall> <path>: <what> (<CODE>); <fix>`.
 */
export function describeEnvironmentError(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const err = e as SystemError;
  if (typeof err.code !== 'string' || !Object.hasOwn(FIXES, err.code) || typeof err.syscall !== 'string') return undefined;
  const { what, fix } = FIXES[err.code]!;
  const where = err.path ? ` ${err.path}${err.dest ? ` → ${err.dest}` : ''}` : '';
  return `cannot ${err.syscall}${where}: ${what} (${err.code}); ${fix}`;
}

/**
 * Gives a system error the path it concerns when Node left it out (writes through a file
 * handle report no path), so the one-line report names the file. Returns the error.
 */
export function withPath<E>(e: E, path: string): E {
  const err = e as SystemError;
  if (err instanceof Error && typeof err.code === 'string' && err.path === undefined) err.path = path;
  return e;
}

/**
 * `mkdir -p` that reports the real cause: Node's recursive mkdir says ENOENT where a folder on
 * the way cannot be made (a read-only file system, no permission); this retries the missing
 * folders one by one so that the error is EROFS or EACCES, naming the folder.
 */
export async function makeFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    return;
  } catch (e) {
    if ((e as SystemError).code !== 'ENOENT') throw e;
  }
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    const st = await stat(d).catch(() => undefined);
    if (st || dirname(d) === d) break;
    missing.unshift(d);
  }
  for (const d of missing) await mkdir(d);
}
