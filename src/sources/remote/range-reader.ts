import { UserError } from '../../util/errors.js';
import { changedUserError, type RemoteScheme } from './remote-errors.js';
import { RedirectExpired } from './http-transport.js';
import { IdleTimeout, retryDelayOrThrow, wait, type RetryPolicy } from './retry-policy.js';

/** What identifies one version of a remote object: its size and, when the store gives them, its ETag and modification time. */
export interface ObjectVersion {
  size: number;
  etag?: string;
  lastModified?: string;
}

/** One answer to a byte-range request. */
export interface RangeResponse {
  /** True for 206 (the range asked for); false for 200 (the whole object, from byte 0). */
  partial: boolean;
  /** The object's total size, as the answer gives it (Content-Range's total, or a 200's length). */
  total?: number;
  etag?: string;
  lastModified?: string;
  /** The bytes, pulled with backpressure. */
  body: AsyncIterable<Uint8Array>;
  /** Stops the transfer (closes the connection's stream). */
  cancel(): void;
}

/** How a range reader talks to one store (HTTP(S) and the Hub through fetch, S3 through the AWS SDK). */
export interface RangeTransport {
  scheme: RemoteScheme;
  /** The object's URL as messages show it. */
  url: string;
  /**
   * Whether the ETag this transport's answers carry is the one the listing gave (HTTP, S3); false
   * when answers come from elsewhere (the Hub redirects to a CDN with its own ETags): the first
   * answer's ETag is then the one every later answer must carry.
   */
  listedEtagComparable: boolean;
  /** Requests bytes `[start, end)`. Throws {@link RemoteStatusError} for an answer that is not 2xx. */
  get(start: number, end: number, signal: AbortSignal): Promise<RangeResponse>;
}

/** Counters of one object's reads (for costs and tests). */
export interface RangeReadStats {
  requests: number;
  retries: number;
  /** Bytes received, including bytes skipped after a server ignored a Range. */
  bytes: number;
}

/**
 * Reads a remote object by byte ranges, as a whole stream or one range at a time, and survives
 * a flaky server: an answer of 5xx or 429, a refused, reset or stalled connection (no byte for
 * `idleTimeoutMs`) is retried with exponential backoff (see {@link RetryPolicy}), and a transfer
 * that drops mid-body resumes with a Range request from the byte already received — never from
 * the start. 401, 403, 404 and other 4xx answers are {@link UserError}s at once, naming the URL,
 * the status and the fix; so is a read still failing after the last retry.
 *
 * Every answer is checked against the version the listing found (size, ETag, else
 * Last-Modified): an object replaced while it is read is a {@link UserError} naming it, never a
 * mix of two versions.
 *
 * Hand-written rather than taken from a library: fetch-retry style wrappers retry whole
 * requests (a 2 GB stream dropped at 1.9 GB would start over), and the AWS SDK's retries do not
 * cover a body that drops mid-stream either.
 */
export class RangeReader {
  readonly stats: RangeReadStats = { requests: 0, retries: 0, bytes: 0 };
  /** The ETag / Last-Modified every answer must carry (from the listing, else from the first answer). */
  private pinned: { etag?: string; lastModified?: string };

  constructor(
    readonly transport: RangeTransport,
    readonly version: ObjectVersion,
    private readonly policy: RetryPolicy,
    private readonly signal?: AbortSignal,
  ) {
    this.pinned = transport.listedEtagComparable ? { etag: version.etag, lastModified: version.lastModified } : {};
  }

  /** The object's size as listed. */
  get size(): number {
    return this.version.size;
  }

  /** Bytes `[start, end)`, whole (one request, more on retries). */
  async read(start: number, end: number): Promise<Uint8Array> {
    if (start < 0 || end > this.size || start > end) throw new RangeError(`byte range ${start}-${end} is outside ${this.transport.url} (${this.size} bytes)`);
    const out = new Uint8Array(end - start);
    let at = 0;
    for await (const chunk of this.chunks(start, end, false)) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }

  /** Bytes `[start, end)` as a stream of chunks (a server that ignores Range is tolerated: the bytes before `start` are skipped). */
  stream(start = 0, end = this.size): AsyncGenerator<Buffer> {
    return this.chunks(start, end, true);
  }

  private async *chunks(start: number, end: number, tolerateWhole: boolean): AsyncGenerator<Buffer> {
    const { url } = this.transport;
    let pos = start;
    let failures = 0;
    while (pos < end) {
      this.signal?.throwIfAborted();
      const progressBefore = pos;
      const ac = new AbortController();
      const onAbort = () => ac.abort(this.signal!.reason);
      this.signal?.addEventListener('abort', onAbort, { once: true });
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          ac.abort(new IdleTimeout(this.policy.idleTimeoutMs));
        }, this.policy.idleTimeoutMs);
      };
      let res: RangeResponse | undefined;
      try {
        arm();
        this.stats.requests++;
        res = await this.transport.get(pos, end, ac.signal);
        this.check(res);
        let skip = 0;
        if (!res.partial && pos > 0) {
          if (!tolerateWhole) {
            throw new RangeNotSupported(url);
          }
          skip = pos; // the server sent the object from byte 0: drop what was already received
        }
        for await (const raw of res.body) {
          arm();
          let chunk = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
          this.stats.bytes += chunk.length;
          if (skip > 0) {
            const n = Math.min(skip, chunk.length);
            skip -= n;
            chunk = chunk.subarray(n);
          }
          if (chunk.length === 0) continue;
          if (chunk.length > end - pos) chunk = chunk.subarray(0, end - pos);
          pos += chunk.length;
          // No idle timeout while the reader holds the chunk (a slow consumer is not a stalled server).
          clearTimeout(timer);
          yield chunk;
          arm();
          if (pos >= end) break;
        }
        if (pos < end) throw new ShortBody(pos, end);
      } catch (err) {
        if (this.signal?.aborted && !timedOut) throw this.signal.reason;
        const cause = timedOut ? new IdleTimeout(this.policy.idleTimeoutMs) : err;
        if (pos > progressBefore) failures = 0;
        failures++;
        if (cause instanceof RedirectExpired) {
          failures--;
          continue;
        }
        const delay = retryDelayOrThrow(cause, failures, this.policy, { scheme: this.transport.scheme, url }, (e) => e instanceof ShortBody);
        this.stats.retries++;
        await wait(delay, this.signal);
      } finally {
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', onAbort);
        res?.cancel();
      }
    }
  }

  /** Refuses an answer for another version of the object than the one listed (or first seen). */
  private check(res: RangeResponse): void {
    const { url } = this.transport;
    if (res.total !== undefined && res.total !== this.size) throw changedUserError(url, `it is ${res.total} bytes now, ${this.size} when listed`);
    if (res.etag !== undefined) {
      if (this.pinned.etag === undefined) this.pinned.etag = res.etag;
      else if (weak(res.etag) !== weak(this.pinned.etag)) throw changedUserError(url, `ETag ${this.pinned.etag} became ${res.etag}`);
    } else if (res.lastModified !== undefined) {
      if (this.pinned.lastModified === undefined) this.pinned.lastModified = res.lastModified;
      else if (res.lastModified !== this.pinned.lastModified) throw changedUserError(url, `Last-Modified ${this.pinned.lastModified} became ${res.lastModified}`);
    }
  }
}

/** An ETag without its weak marker (`W/"x"` and `"x"` name the same version for this purpose). */
function weak(etag: string): string {
  return etag.startsWith('W/') ? etag.slice(2) : etag;
}

/** A body that ended (cleanly) before the bytes asked for: retried from where it stopped. */
class ShortBody extends Error {
  constructor(at: number, end: number) {
    super(`the answer ended at byte ${at} of ${end}`);
  }
}

/** A server that answers a Range request with the whole object: random access (Parquet, ZIP) cannot work over it. */
export class RangeNotSupported extends UserError {
  constructor(url: string) {
    super(
      `the server of ${url} ignores Range requests (it sent the whole file for a byte range); skein reads Parquet and ZIP files remotely by byte ranges: download the file and give the local copy`,
    );
  }
}
