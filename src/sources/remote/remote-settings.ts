import { retryPolicyFromEnv, type RetryPolicy } from './retry-policy.js';

/** What every remote listing and read needs: the environment (tokens, endpoints), the retry policy, an endpoint override for S3. */
export interface RemoteSettings {
  /** Environment variables: HF_ENDPOINT, HF_TOKEN, AWS_*, SKEIN_REMOTE_*. */
  env: NodeJS.ProcessEnv;
  policy: RetryPolicy;
  /** `--s3-endpoint`: an S3-compatible store (path-style addressing). */
  s3Endpoint?: string;
  /** Stops listings, waits and transfers (an interrupted build). */
  signal?: AbortSignal;
  /** Keys per S3 listing page (ListObjectsV2 `MaxKeys`; default the store's, 1,000 on AWS). */
  s3PageSize?: number;
}

/** Settings from an environment (default `process.env`), with the retry policy it sets (see `retryPolicyFromEnv`). */
export function remoteSettings(opts: { env?: NodeJS.ProcessEnv; s3Endpoint?: string; signal?: AbortSignal } = {}): RemoteSettings {
  const env = opts.env ?? process.env;
  return { env, policy: retryPolicyFromEnv(env), ...(opts.s3Endpoint ? { s3Endpoint: opts.s3Endpoint } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
}
