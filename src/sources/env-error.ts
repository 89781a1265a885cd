import { UserError } from '../util/errors.js';

/**
 * What to do about each error code the operating system reports while skein reads inputs or
 * writes temporary files. These are faults of the environment (a full disk, a permission, a file
 * moved away), never of the input's content: a reader must not count them as a bad record.
 */
const FIXES: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full: free space there (for temporary files, or point TMPDIR at a larger disk) and rerun; the build resumes',
  EDQUOT: 'the disk quota is used up: free space (or point TMPDIR elsewhere) and rerun; the build resumes',
  EFBIG: 'the file is larger than the file system allows: point TMPDIR at another disk and rerun',
  EACCES: 'permission denied: check the permissions of the file and the folders above it',
  EPERM: 'operation not permitted: check the permissions of the file and the folders above it',
  EROFS: 'the file system is read-only',
  ENOENT: 'it no longer exists: it was moved or deleted during the build; restore it and rerun (the build resumes)',
  ENOTDIR: 'a folder on its path was replaced by a file during the build; restore it and rerun',
  EISDIR: 'it is a folder, not a file',
  ELOOP: 'its path has too many levels of symbolic links (a link loop)',
  ENAMETOOLONG: 'its path is too long for the file system',
  EIO: 'the disk or network file system reported an I/O error: check the device (dmesg) and rerun; the build resumes',
  ENXIO: 'the device behind the file is gone: check the mount and rerun',
  ENODEV: 'the device behind the file is gone: check the mount and rerun',
  ESTALE: 'the network file system handle is stale: remount and rerun',
  ETIMEDOUT: 'the network file system timed out: check the mount and rerun',
  ECONNRESET: 'the network file system dropped the connection: check the mount and rerun',
  EBUSY: 'the file is busy: rerun when it is free',
  EAGAIN: 'the resource is temporarily unavailable: rerun',
  EMFILE: 'too many open files in this process: raise the limit (ulimit -n) and rerun',
  ENFILE: 'too many open files on the system: rerun when fewer are open',
  ENOMEM: 'the system is out of memory: rerun with fewer workers or on a larger machine',
  EOVERFLOW: 'the file is too large for this platform',
};

/** Whether `err` is an operating-system error (it carries an errno code such as ENOSPC or EIO). */
export function isEnvironmentError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && (Object.hasOwn(FIXES, code) || (/^E[A-Z0-9]+$/.test(code) && typeof (err as NodeJS.ErrnoException).syscall === 'string'));
}

/**
 * A one-line {@link UserError} for an environment fault: `<what> (<CODE>: <system message>): <fix>`.
 * `what` names the file and what skein was doing (`cannot read input data/a.jsonl`).
 */
export function environmentError(err: NodeJS.ErrnoException, what: string): UserError {
  const code = err.code ?? 'error';
  const fix = FIXES[code] ?? 'check the file and the disk, then rerun';
  const sys = systemMessage(err);
  return new UserError(`${what} (${code}${sys ? `: ${sys}` : ''}): ${fix}`);
}

/** The system's words for an error without Node's `CODE: ` prefix and path suffix. */
function systemMessage(err: NodeJS.ErrnoException): string {
  const m = /^[A-Z0-9]+: ([^,]+)/.exec(err.message);
  return (m ? m[1]! : '').trim();
}

/** Rethrows an environment error as a one-line {@link UserError}; anything else unchanged. */
export function rethrowEnvironment(err: unknown, what: string): never {
  if (isEnvironmentError(err)) throw environmentError(err, what);
  throw err;
}

/**
 * Whether a reader must pass an error on instead of counting the input as bad: a fault of the
 * environment, a {@link UserError} (a remote server that refused or vanished, an input that
 * changed), or the stop signal's reason.
 */
export function isFatalReadError(err: unknown, signal?: AbortSignal): boolean {
  return isEnvironmentError(err) || err instanceof UserError || (signal?.aborted === true && err === signal.reason);
}
