import type { S3Client } from '@aws-sdk/client-s3';
import { UserError } from '../../util/errors.js';
import { RemoteStatusError } from './remote-errors.js';

/** How skein reaches S3 or an S3-compatible store. */
export interface S3Settings {
  /** A store other than AWS (MinIO, Ceph, R2, a local test server): `--s3-endpoint`, else `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`. */
  endpoint?: string;
  /** The environment (region, endpoint; credentials are read by the AWS SDK's standard chain). */
  env: NodeJS.ProcessEnv;
}

/** The AWS SDK module, loaded on first use (most builds never touch S3, and it takes ~100 ms to load). */
type S3Module = typeof import('@aws-sdk/client-s3');
let sdk: Promise<S3Module> | undefined;

/** Loads `@aws-sdk/client-s3`. */
export function loadS3Sdk(): Promise<S3Module> {
  // skein supports Node 20, which the SDK warns about on every process start: the warning tells
  // users nothing they can act on in skein, so it is turned off (unless the user set the variable).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  sdk ??= import('@aws-sdk/client-s3');
  return sdk;
}

/** The endpoint an S3 input uses: the flag, then `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`; undefined for AWS itself. */
export function s3Endpoint(settings: S3Settings): string | undefined {
  return settings.endpoint || settings.env.AWS_ENDPOINT_URL_S3 || settings.env.AWS_ENDPOINT_URL || undefined;
}

/**
 * An S3 client with the standard credential chain (environment, shared config and credentials
 * files with `AWS_PROFILE`, SSO, web identity, container and instance roles). With an endpoint
 * (an S3-compatible store) requests use path-style addressing (`http://host/bucket/key`), which
 * such stores expect; AWS itself gets virtual-hosted addressing, and a bucket in another region
 * than `AWS_REGION` (default us-east-1) is followed there. The SDK's own retries are off: skein
 * retries every request itself, and resumes bodies that drop mid-stream, which the SDK cannot.
 */
export async function makeS3Client(settings: S3Settings): Promise<S3Client> {
  const { S3Client } = await loadS3Sdk();
  const endpoint = s3Endpoint(settings);
  if (endpoint !== undefined && !/^https?:\/\//i.test(endpoint)) throw new UserError(`S3 endpoint ${endpoint} is not an http:// or https:// URL; write it as --s3-endpoint http://host:9000`);
  const { env } = settings;
  // The SDK's chain reads process.env; keys in an environment passed explicitly (the library API) are used as given.
  const explicit = env !== process.env && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY;
  return new S3Client({
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    ...(explicit ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY!, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } } : {}),
    ...(endpoint ? { endpoint, forcePathStyle: true } : { followRegionRedirects: true }),
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * Turns an AWS SDK error into what skein's retry logic understands: a {@link RemoteStatusError}
 * for an answer of the store, a {@link UserError} for missing credentials, and anything else
 * (a dropped connection) unchanged.
 */
export function fromSdkError(err: unknown, url: string): unknown {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> }; message?: string };
  if (e?.name === 'CredentialsProviderError' || /Could not load credentials/i.test(e?.message ?? '')) {
    return new UserError(
      `no AWS credentials found to read ${url}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (skein uses the AWS SDK's standard credential chain: environment, ~/.aws files, SSO, instance and container roles)`,
    );
  }
  const status = e?.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 300) return new RemoteStatusError(status, url, e.Code ?? e.name, e.$response?.headers?.['retry-after']);
  return err;
}
