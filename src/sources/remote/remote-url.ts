import picomatch from 'picomatch';
import { UserError } from '../../util/errors.js';

/** Where a remote input pattern points, parsed. */
export type RemoteLocation =
  | { scheme: 'http'; url: URL }
  | { scheme: 'hf'; repo: string; revision: string; path: string }
  | { scheme: 's3'; bucket: string; key: string };

/** The URL schemes skein reads inputs from (besides local paths). */
export const REMOTE_SCHEMES = ['https://', 'http://', 'hf://datasets/', 's3://'] as const;

/** Whether an input path is a URL skein reads remotely (`https://`, `http://`, `hf://`, `s3://`). */
export function isRemotePath(p: string): boolean {
  return /^(https?|hf|s3):\/\//i.test(p);
}

/**
 * Parses a remote input pattern:
 *
 * - `https://host/path` (or `http://`): any server; a glob in the path is expanded through the
 *   server's directory index pages;
 * - `hf://datasets/<owner>/<name>[@<revision>]/<path or glob>`: a Hugging Face Hub dataset
 *   (revision `main` by default; a revision holding `/` is written URL-encoded, `@refs%2Fconvert%2Fparquet`);
 * - `s3://<bucket>/<key prefix or glob>`.
 *
 * Throws {@link UserError} naming the expected form when the pattern is malformed.
 */
export function parseRemote(pattern: string): RemoteLocation {
  const lower = pattern.slice(0, 8).toLowerCase();
  if (lower.startsWith('http://') || lower.startsWith('https://')) {
    let url: URL;
    try {
      url = new URL(pattern);
    } catch {
      throw new UserError(`input ${pattern} is not a valid URL; write it as https://host/path/file.jsonl.zst`);
    }
    if (url.username || url.password) throw new UserError(`input ${url.protocol}//…@${url.host}${url.pathname}: credentials in a URL are not sent; use a pre-signed URL (its query string) instead`);
    return { scheme: 'http', url };
  }
  if (lower.startsWith('hf://')) {
    const m = /^hf:\/\/([^/]+)\/([^/]+)\/([^/@]+)(?:@([^/]+))?(?:\/(.*))?$/i.exec(pattern);
    if (!m || m[1] !== 'datasets') {
      throw new UserError(`input ${pattern} is not a Hub dataset URL; write it as hf://datasets/<owner>/<name>[@revision]/<path or glob>`);
    }
    const revision = m[4] === undefined ? 'main' : decodeURIComponent(m[4]);
    if (revision === '') throw new UserError(`input ${pattern} has an empty @revision; name a branch, tag or commit, or leave @ out for main`);
    return { scheme: 'hf', repo: `${m[2]}/${m[3]}`, revision, path: (m[5] ?? '').replace(/\/+$/, '') };
  }
  if (lower.startsWith('s3://')) {
    const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/i.exec(pattern);
    if (!m) throw new UserError(`input ${pattern} is not an S3 URL; write it as s3://bucket/prefix/*.parquet`);
    return { scheme: 's3', bucket: m[1]!, key: m[2] ?? '' };
  }
  throw new UserError(`input ${pattern}: unsupported URL scheme; skein reads ${REMOTE_SCHEMES.join(', ')} and local paths`);
}

/** A path split where its glob starts: the literal folder before it and the glob after (relative to it). */
export interface GlobSplit {
  /** The literal part up to the last `/` before the first glob character ('' at the root). */
  base: string;
  /** The glob relative to `base`, or undefined when the path holds no glob. */
  glob?: string;
}

/** Splits a `/`-separated remote path (a key, a Hub path, a URL path) at its first glob segment. */
export function splitGlob(p: string): GlobSplit {
  const scan = picomatch.scan(p);
  if (!scan.isGlob) return { base: p };
  return { base: scan.base, glob: scan.glob };
}

/**
 * A matcher for the part of a path below the glob's base. Like local globs, `*` does not cross
 * `/` (use `**` for any depth) and names starting with `.` are matched only when the glob says so.
 */
export function globMatcher(glob: string): (rel: string) => boolean {
  return picomatch(glob, { dot: false });
}

/** Whether listing for `glob` must descend into sub-folders (`**`, or a `/` in the glob). */
export function globIsDeep(glob: string): boolean {
  return glob.includes('/') || glob.includes('**');
}
