import type { S3Client } from '@aws-sdk/client-s3';
import { hfHeaders } from './hf-endpoint.js';
import { listHttp } from './http-listing.js';
import { httpTransport } from './http-transport.js';
import { listHub } from './hf-listing.js';
import { RangeReader } from './range-reader.js';
import type { RemoteFile } from './remote-file.js';
import { remoteSettings, type RemoteSettings } from './remote-settings.js';
import { parseRemote } from './remote-url.js';
import { makeS3Client } from './s3-client.js';
import { listS3 } from './s3-listing.js';
import { s3Transport } from './s3-transport.js';

/**
 * The remote side of a build: lists remote input patterns (`https://`, `hf://datasets/`,
 * `s3://`) and opens range readers on the files listed, sharing one S3 client and the retry
 * policy. One instance serves a whole build.
 */
export class RemoteAccess {
  private s3?: Promise<S3Client>;

  constructor(readonly settings: RemoteSettings = remoteSettings()) {}

  /** The files a remote pattern names (see `listHttp`, `listHub`, `listS3`), sorted by URL. */
  async list(pattern: string): Promise<RemoteFile[]> {
    const loc = parseRemote(pattern);
    if (loc.scheme === 'http') return listHttp(pattern, loc.url, this.settings);
    if (loc.scheme === 'hf') return listHub(pattern, loc, this.settings);
    return listS3(pattern, loc.bucket, loc.key, await this.s3Client(), this.settings);
  }

  /** A range reader on a listed file (every answer checked against the listed version). */
  async reader(file: RemoteFile): Promise<RangeReader> {
    const loc = file.locator;
    const transport =
      loc.kind === 's3'
        ? s3Transport(await this.s3Client(), loc.bucket, loc.key)
        : file.scheme === 'hf'
          ? httpTransport('hf', loc.href, hfHeaders(this.settings.env), false, file.etag && /^[0-9a-f]{64}$/.test(file.etag) ? file.etag : undefined, file.url)
          : httpTransport(file.scheme, loc.href, {}, true);
    return new RangeReader(transport, { size: file.size, etag: file.etag, lastModified: file.lastModified }, this.settings.policy, this.settings.signal);
  }

  private s3Client(): Promise<S3Client> {
    this.s3 ??= makeS3Client({ endpoint: this.settings.s3Endpoint, env: this.settings.env });
    return this.s3;
  }
}
