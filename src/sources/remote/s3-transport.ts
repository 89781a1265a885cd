import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadS3Sdk, fromSdkError } from './s3-client.js';
import type { RangeResponse, RangeTransport } from './range-reader.js';

/**
 * Byte ranges of an S3 object through the AWS SDK's `GetObject` with a `Range` header (signed
 * requests, the standard credential chain). The SDK's body is the HTTP response stream itself,
 * pulled with backpressure.
 */
export function s3Transport(client: S3Client, bucket: string, key: string): RangeTransport {
  const url = `s3://${bucket}/${key}`;
  return {
    scheme: 's3',
    url,
    listedEtagComparable: true,
    async get(start: number, end: number, signal: AbortSignal): Promise<RangeResponse> {
      const { GetObjectCommand } = await loadS3Sdk();
      let out;
      try {
        out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }), { abortSignal: signal });
      } catch (err) {
        throw fromSdkError(err, url);
      }
      const body = out.Body as Readable | undefined;
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(out.ContentRange ?? '');
      const partial = out.$metadata.httpStatusCode === 206 || range !== null;
      const total = range ? (range[3] === '*' ? undefined : Number(range[3])) : partial ? undefined : out.ContentLength;
      return {
        partial,
        total,
        etag: out.ETag,
        lastModified: out.LastModified?.toISOString(),
        body: (body ?? []) as AsyncIterable<Uint8Array>,
        cancel: () => body?.destroy(),
      };
    },
  };
}
