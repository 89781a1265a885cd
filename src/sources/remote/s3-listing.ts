import type { S3Client } from '@aws-sdk/client-s3';
import { UserError } from '../../util/errors.js';
import { detectFormat } from '../input-format.js';
import type { RemoteFile } from './remote-file.js';
import type { RemoteSettings } from './remote-settings.js';
import { loadS3Sdk, fromSdkError } from './s3-client.js';
import { globIsDeep, globMatcher, splitGlob } from './remote-url.js';
import { retryDelayOrThrow, wait } from './retry-policy.js';

/** One listed object. */
interface S3Object {
  key: string;
  size: number;
  etag?: string;
  lastModified?: string;
}

/**
 * Resolves an `s3://bucket/…` input to objects. A key with a supported extension that exists is
 * one object (one HeadObject request); any other key is a prefix (a "folder": every supported
 * object below `key/`); a glob lists the prefix before it (ListObjectsV2, 1,000 keys a page,
 * followed through continuation tokens; one level with a `/` delimiter unless the glob crosses
 * folders) and matches the rest (`*` within a folder, `**` across folders). Size, ETag and
 * LastModified come from the listing.
 */
export async function listS3(pattern: string, bucket: string, key: string, client: S3Client, settings: RemoteSettings): Promise<RemoteFile[]> {
  const { base, glob } = splitGlob(key);
  const url = `s3://${bucket}/${key}`;
  if (glob === undefined && key !== '' && !key.endsWith('/') && detectFormat(key) !== undefined) {
    const one = await headObject(client, bucket, key, settings);
    if (one) return [toRemoteFile(bucket, one)];
  }
  const root = glob !== undefined ? base.replace(/\/+$/, '') : key.replace(/\/+$/, '');
  const prefix = root === '' ? '' : `${root}/`;
  const objects = await listObjects(client, bucket, prefix, glob === undefined || globIsDeep(glob), settings, url);
  const match = glob === undefined ? () => true : globMatcher(glob);
  const matched = objects.filter((o) => !o.key.endsWith('/') && match(o.key.slice(prefix.length)) && !o.key.slice(prefix.length).split('/').some((s) => s.startsWith('.')));
  const files = matched.filter((o) => detectFormat(o.key) !== undefined);
  if (files.length === 0) {
    if (matched.length > 0) throw new UserError(`${pattern} matches only unsupported objects (such as s3://${bucket}/${matched[0]!.key}); skein reads JSONL (.jsonl/.json/.ndjson, .gz, .zst), Parquet, Arrow and ZIP`);
    throw new UserError(`no objects match ${pattern}; check the bucket, the prefix and the pattern (and quote it so the shell does not expand it)`);
  }
  return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((o) => toRemoteFile(bucket, o));
}

/** Runs one SDK request with skein's retries (see `retryDelayOrThrow`). */
async function withRetry<T>(settings: RemoteSettings, url: string, doing: string, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    settings.signal?.throwIfAborted();
    try {
      return await run();
    } catch (err) {
      if (settings.signal?.aborted) throw settings.signal.reason;
      await wait(retryDelayOrThrow(fromSdkError(err, url), attempt, settings.policy, { scheme: 's3', url, doing }), settings.signal);
    }
  }
}

/** One object's listing data, or undefined when there is no such object. */
async function headObject(client: S3Client, bucket: string, key: string, settings: RemoteSettings): Promise<S3Object | undefined> {
  const { HeadObjectCommand } = await loadS3Sdk();
  const url = `s3://${bucket}/${key}`;
  try {
    const r = await withRetry(settings, url, 'cannot find input', () => client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: settings.signal }));
    return { key, size: Number(r.ContentLength ?? 0), ...(r.ETag ? { etag: r.ETag } : {}), ...(r.LastModified ? { lastModified: r.LastModified.toISOString() } : {}) };
  } catch (err) {
    // HEAD answers carry no error code: a 404 is a missing key (or bucket: the listing says which).
    if (err instanceof UserError && /\(HTTP 404/.test(err.message)) return undefined;
    throw err;
  }
}

/** Every object under `prefix` (one level when not `deep`), all pages. */
async function listObjects(client: S3Client, bucket: string, prefix: string, deep: boolean, settings: RemoteSettings, url: string): Promise<S3Object[]> {
  const { ListObjectsV2Command } = await loadS3Sdk();
  const out: S3Object[] = [];
  let token: string | undefined;
  do {
    const page = await withRetry(settings, url, 'cannot list', () =>
      client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, ...(deep ? {} : { Delimiter: '/' }), ...(settings.s3PageSize ? { MaxKeys: settings.s3PageSize } : {}) }), { abortSignal: settings.signal }),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined) continue;
      out.push({ key: o.Key, size: Number(o.Size ?? 0), ...(o.ETag ? { etag: o.ETag } : {}), ...(o.LastModified ? { lastModified: o.LastModified.toISOString() } : {}) });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

function toRemoteFile(bucket: string, o: S3Object): RemoteFile {
  return {
    scheme: 's3',
    url: `s3://${bucket}/${o.key}`,
    locator: { kind: 's3', bucket, key: o.key },
    size: o.size,
    ...(o.etag ? { etag: o.etag } : {}),
    ...(o.lastModified ? { lastModified: o.lastModified } : {}),
  };
}
