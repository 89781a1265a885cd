import type { RemoteScheme } from './remote-errors.js';

/** Where a remote file's bytes are fetched from. */
export type RemoteLocator = { kind: 'url'; href: string; headers: 'none' | 'hf' } | { kind: 's3'; bucket: string; key: string };

/**
 * One remote input file as its listing found it: the version recorded in the manifest and the
 * build fingerprint (so that a resume over a changed object is refused, naming it) and where to
 * fetch its bytes.
 */
export interface RemoteFile {
  scheme: RemoteScheme;
  /** The URL as shown and recorded (`https://…`, `hf://datasets/owner/name/path`, `s3://bucket/key`). */
  url: string;
  locator: RemoteLocator;
  /** Size in bytes, from the listing. */
  size: number;
  /** The store's version tag: the HTTP ETag, the S3 ETag, the Hub's file oid (git blob or LFS sha256). */
  etag?: string;
  /** Last-Modified as the store gave it (HTTP date, or ISO time for S3). */
  lastModified?: string;
}

/** The version string of a remote file that the fingerprint compares: its ETag, else its modification time. */
export function remoteVersion(f: RemoteFile): string {
  return f.etag ?? f.lastModified ?? '';
}
