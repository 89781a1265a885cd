import { RemoteStatusError, type RemoteScheme } from './remote-errors.js';
import { IdleTimeout, retryDelayOrThrow, wait, type RetryPolicy } from './retry-policy.js';

/** A small answer read whole (a listing page, a HEAD, a tokenizer file). */
export interface SmallResponse {
  status: number;
  /** The URL answered, after redirects. */
  url: string;
  headers: Headers;
  body: Buffer;
}

/** Options of {@link requestWithRetry}. */
export interface RequestOptions {
  scheme: RemoteScheme;
  policy: RetryPolicy;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** What the message of a failure says skein was doing (`cannot list`, `cannot download`); default `cannot read`. */
  doing?: string;
  /** Statuses returned to the caller instead of thrown (e.g. 404 when probing). */
  accept?: readonly number[];
  /** `manual`: a redirect is returned (its headers read) instead of followed; default `follow`. */
  redirect?: 'follow' | 'manual';
}

/**
 * One HTTP request whose answer is read whole (through Node's `fetch`, see `httpTransport`),
 * retried like a range read: 5xx, 429 and dropped or stalled connections with exponential
 * backoff; 401, 403, 404 and other 4xx are a one-line {@link UserError} naming the URL, the
 * status and the fix (unless listed in `accept`).
 */
export async function requestWithRetry(url: string, opts: RequestOptions): Promise<SmallResponse> {
  const { policy } = opts;
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    const ac = new AbortController();
    const onAbort = () => ac.abort(opts.signal!.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort(new IdleTimeout(policy.idleTimeoutMs));
    }, policy.idleTimeoutMs);
    try {
      const res = await fetch(url, { method: opts.method ?? 'GET', headers: { 'accept-encoding': 'identity', ...opts.headers }, signal: ac.signal, redirect: opts.redirect ?? 'follow' });
      if (!res.ok && !opts.accept?.includes(res.status)) {
        await res.body?.cancel().catch(() => undefined);
        throw new RemoteStatusError(res.status, url, undefined, res.headers.get('retry-after'));
      }
      const body = opts.method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(await res.arrayBuffer());
      return { status: res.status, url: res.url || url, headers: res.headers, body };
    } catch (err) {
      if (opts.signal?.aborted && !timedOut) throw opts.signal.reason;
      const cause = timedOut ? new IdleTimeout(policy.idleTimeoutMs) : err;
      await wait(retryDelayOrThrow(cause, attempt, policy, { scheme: opts.scheme, url, doing: opts.doing }), opts.signal);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }
}
