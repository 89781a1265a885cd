import { UserError } from '../../util/errors.js';

/** Which kind of remote store an object lives in (it decides the fix a message gives). */
export type RemoteScheme = 'http' | 'hf' | 's3';

/** A server's answer that is not a success: the status, and what it said. */
export class RemoteStatusError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    /** The store's own error code (S3: `NoSuchKey`, `AccessDenied`), when it gave one. */
    readonly code?: string,
    /** The `Retry-After` header, when there was one. */
    readonly retryAfter?: string | null,
  ) {
    super(`HTTP ${status}${code ? ` ${code}` : ''} from ${url}`);
    this.name = 'RemoteStatusError';
  }
}

/** What to do about an answer, by scheme and status. */
function fixFor(scheme: RemoteScheme, status: number, code: string | undefined): string {
  if (scheme === 'hf') {
    if (status === 401) return 'the repository is private or does not exist: set HF_TOKEN to a token with read access to it (huggingface.co/settings/tokens), or check <owner>/<name>';
    if (status === 403) return "the repository is gated or the token lacks access: accept its conditions on its Hub page with your account and set HF_TOKEN to a token of that account";
    if (status === 404) return 'no such repository, revision or file on the Hub: check <owner>/<name>, @revision and the path';
  }
  if (scheme === 's3') {
    if (code === 'NoSuchBucket') return 'the bucket does not exist: check its name (and --s3-endpoint / AWS_ENDPOINT_URL for a store other than AWS)';
    if (status === 404) return 'no such object: check the key (it was listed, so it may have been deleted since)';
    if (status === 401 || status === 403) {
      return 'check the credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and that they may s3:ListBucket and s3:GetObject on the bucket';
    }
    if (status === 301 || code === 'PermanentRedirect') return 'the bucket is in another region: set AWS_REGION to its region';
  }
  if (status === 401 || status === 403) return 'the server refuses access: check the URL and its access rights (a signed URL may have expired)';
  if (status === 404 || status === 410) return 'nothing there: check the URL';
  if (status === 416) return 'the server refused the byte range: the file changed since it was listed; rerun';
  return 'check the URL and the server';
}

/** A one-line {@link UserError} for an answer that retrying cannot change (401, 403, 404 and other 4xx). */
export function statusUserError(scheme: RemoteScheme, url: string, err: RemoteStatusError, doing = 'cannot read'): UserError {
  return new UserError(`${doing} ${url} (HTTP ${err.status}${err.code ? ` ${err.code}` : ''}): ${fixFor(scheme, err.status, err.code)}`);
}

/** A one-line {@link UserError} for a read that kept failing (5xx, 429, dropped connections) past every retry. */
export function exhaustedUserError(url: string, retries: number, last: unknown, doing = 'cannot read'): UserError {
  const why = last instanceof RemoteStatusError ? `HTTP ${last.status}${last.code ? ` ${last.code}` : ''}` : describeNetworkError(last);
  return new UserError(
    `${doing} ${url}: ${why}, still after ${retries} ${retries === 1 ? 'retry' : 'retries'}; check the server or the network and run the same command again (a build resumes from its last checkpoint; SKEIN_REMOTE_RETRIES sets the retries)`,
  );
}

/** A one-line {@link UserError} for an object that is not the one the build listed (replaced, grown, shrunk). */
export function changedUserError(url: string, what: string): UserError {
  return new UserError(
    `input ${url} changed since the build listed it (${what}); a build reads each input as it was listed: rerun to build from the new version (pass --overwrite over an unfinished build of the old one)`,
  );
}

/** A short description of a network error: its code and message, on one line. */
export function describeNetworkError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | undefined;
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : typeof e?.code === 'string' ? e.code : undefined;
  const msg = typeof e?.cause?.message === 'string' && e.cause.message ? e.cause.message : typeof e?.message === 'string' ? e.message : String(err);
  const text = code && !msg.includes(code) ? `${code}: ${msg}` : msg;
  return `connection failed (${text.split('\n')[0]})`;
}
