import { setTimeout as sleep } from 'node:timers/promises';
import { exhaustedUserError, RemoteStatusError, statusUserError, type RemoteScheme } from './remote-errors.js';

/**
 * How skein retries remote reads: up to `retries` attempts after the first, waiting
 * `baseDelayMs × 2^(attempt-1)` (at most `maxDelayMs`, or what a `Retry-After` header asks, up to
 * `maxDelayMs`) between them. Attempts count failures without progress: a stream that received
 * bytes before it dropped starts counting again, so a long download over a flaky link finishes.
 */
export interface RetryPolicy {
  /** Retries after the first attempt (default 8). */
  retries: number;
  /** First wait in ms (default 500). */
  baseDelayMs: number;
  /** Longest wait in ms (default 30,000). */
  maxDelayMs: number;
  /** A response that sends no byte for this long is dropped and retried (default 60,000 ms). */
  idleTimeoutMs: number;
}

/** The defaults of {@link RetryPolicy}: 8 retries, 0.5 s doubling to 30 s (about 2 minutes in all), 60 s idle timeout. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = { retries: 8, baseDelayMs: 500, maxDelayMs: 30_000, idleTimeoutMs: 60_000 };

/**
 * The retry policy with overrides from the environment: `SKEIN_REMOTE_RETRIES`,
 * `SKEIN_REMOTE_BACKOFF_MS` (first wait), `SKEIN_REMOTE_MAX_BACKOFF_MS` and
 * `SKEIN_REMOTE_TIMEOUT_MS` (idle timeout). Values that are not whole numbers are ignored.
 */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  const num = (name: string, fallback: number): number => {
    const v = env[name];
    return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : fallback;
  };
  return {
    retries: num('SKEIN_REMOTE_RETRIES', DEFAULT_RETRY_POLICY.retries),
    baseDelayMs: num('SKEIN_REMOTE_BACKOFF_MS', DEFAULT_RETRY_POLICY.baseDelayMs),
    maxDelayMs: num('SKEIN_REMOTE_MAX_BACKOFF_MS', DEFAULT_RETRY_POLICY.maxDelayMs),
    idleTimeoutMs: num('SKEIN_REMOTE_TIMEOUT_MS', DEFAULT_RETRY_POLICY.idleTimeoutMs),
  };
}

/** HTTP statuses worth retrying: 408, 429 and every 5xx (a server or gateway that is overloaded or restarting). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** Error codes of a connection that dropped, was refused or timed out (Node, undici and the AWS SDK's names). */
const DROPPED = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
  'TimeoutError',
  'RequestTimeout',
]);

/** The first error code found on an error or its `cause` chain (undici wraps socket errors). */
export function errorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; name?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
    if (e instanceof AggregateError) for (const inner of e.errors) if (typeof (inner as { code?: unknown }).code === 'string') return (inner as { code: string }).code;
  }
  return undefined;
}

/** Whether an error is a dropped, refused or stalled connection (retried), not an answer of the server. */
export function isDroppedConnection(err: unknown): boolean {
  if (err instanceof IdleTimeout) return true;
  const code = errorCode(err);
  if (code !== undefined && DROPPED.has(code)) return true;
  // fetch reports a socket closed mid-body as `TypeError: terminated` (cause: SocketError) or `fetch failed`.
  const msg = (err as Error | undefined)?.message ?? '';
  return err instanceof TypeError && (msg === 'terminated' || msg === 'fetch failed');
}

/** Thrown into a response that sent nothing for the idle timeout. */
export class IdleTimeout extends Error {
  constructor(ms: number) {
    super(`no data for ${Math.round(ms / 1000)} s`);
    this.name = 'IdleTimeout';
  }
}

/** The wait before retry `attempt` (1-based), honouring a `Retry-After` of seconds or an HTTP date. */
export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfter?: string | null): number {
  if (retryAfter) {
    const s = Number(retryAfter);
    const ms = Number.isFinite(s) ? s * 1000 : Date.parse(retryAfter) - Date.now();
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, policy.maxDelayMs);
  }
  return Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
}

/** Waits `ms`, or throws the signal's reason when it aborts first. */
export async function wait(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return signal?.throwIfAborted();
  await sleep(ms, undefined, signal ? { signal } : undefined).catch((err: unknown) => {
    if (signal?.aborted) throw signal.reason;
    throw err;
  });
}

/**
 * Decides about a failed attempt (the `failures`-th in a row without progress): returns the
 * wait before the next one for a retryable failure (5xx, 429, 408, a dropped, refused or stalled
 * connection, or `alsoRetry`), and throws otherwise: a one-line {@link UserError} naming the URL,
 * the status and the fix for other answers and once the retries are used up, the error itself
 * when it is not a network failure at all.
 */
export function retryDelayOrThrow(
  cause: unknown,
  failures: number,
  policy: RetryPolicy,
  where: { scheme: RemoteScheme; url: string; doing?: string },
  alsoRetry: (err: unknown) => boolean = () => false,
): number {
  if (cause instanceof RemoteStatusError && !isRetryableStatus(cause.status)) throw statusUserError(where.scheme, where.url, cause, where.doing);
  if (!(cause instanceof RemoteStatusError) && !alsoRetry(cause) && !isDroppedConnection(cause)) throw cause;
  if (failures > policy.retries) throw exhaustedUserError(where.url, policy.retries, cause, where.doing);
  return backoffDelay(failures, policy, cause instanceof RemoteStatusError ? cause.retryAfter : undefined);
}
