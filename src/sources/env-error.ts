import { UserError } from '../util/errors.js';
import { environmentFault, isEnvironmentError } from '../util/environment-error.js';

export { isEnvironmentError };

/**
 * Fixes that read better than the general ones (`util/environment-error.ts`) for a fault met
 * while reading inputs or unpacking a ZIP member into `TMPDIR`.
 */
const INPUT_FIXES: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full: free space there (for temporary files, or point TMPDIR at a larger disk) and rerun; the build resumes',
  EDQUOT: 'the disk quota is used up: free space (or point TMPDIR elsewhere) and rerun; the build resumes',
  EFBIG: 'the file is larger than the file system or your file size limit allows: point TMPDIR at another disk (or raise ulimit -f) and rerun',
  ENOENT: 'it no longer exists: it was moved or deleted during the build; restore it and rerun (the build resumes)',
  ENOTDIR: 'a folder on its path was replaced by a file during the build; restore it and rerun',
};

/**
 * A one-line {@link UserError} for an environment fault met while reading an input:
 * `<what> (<CODE>: <system message>): <fix>`; `what` names the file and what skein was doing
 * (`cannot read input data/a.jsonl`). A reader must never count such a fault as bad input.
 */
export function environmentError(err: NodeJS.ErrnoException, what: string): UserError {
  const code = err.code ?? 'error';
  const fault = environmentFault(code);
  // The system's words for the fault, else the table's.
  const sys = /^[A-Z0-9]+: ([^,]+)/.exec(err.message)?.[1]?.trim() ?? fault?.what;
  const fix = INPUT_FIXES[code] ?? fault?.fix ?? 'check the file and the disk, then rerun';
  return new UserError(`${what} (${code}${sys ? `: ${sys}` : ''}): ${fix}`);
}

/**
 * Whether a reader must pass an error on instead of counting the input as bad: a fault of the
 * environment, a {@link UserError} (a remote server that refused or vanished, an input that
 * changed), or the stop signal's reason.
 */
export function isFatalReadError(err: unknown, signal?: AbortSignal): boolean {
  return isEnvironmentError(err) || err instanceof UserError || (signal?.aborted === true && err === signal.reason);
}
