import { UserError } from '../../util/errors.js';
import { RemoteStatusError, type RemoteScheme } from './remote-errors.js';
import type { RangeResponse, RangeTransport } from './range-reader.js';

/**
 * Byte ranges of an HTTP(S) URL through Node's own `fetch` (undici, built into Node ≥ 18), not
 * `node:http` or a client library: it follows the Hub's redirects from a `resolve` URL to its
 * CDN and drops the `Authorization` header when a redirect leaves the origin (a token never
 * reaches a third party), it streams bodies with backpressure, takes an AbortSignal for the
 * idle timeout, and needs no dependency.
 *
 * `Accept-Encoding: identity` keeps servers from compressing the transfer: byte ranges must
 * count the stored bytes.
 */
export function httpTransport(scheme: RemoteScheme, url: string, headers: Record<string, string>, listedEtagComparable: boolean): RangeTransport {
  return {
    scheme,
    url,
    listedEtagComparable,
    async get(start: number, end: number, signal: AbortSignal): Promise<RangeResponse> {
      const res = await fetch(url, { headers: { ...headers, range: `bytes=${start}-${end - 1}`, 'accept-encoding': 'identity' }, signal, redirect: 'follow' });
      if (res.status !== 200 && res.status !== 206) {
        await res.body?.cancel().catch(() => undefined);
        throw new RemoteStatusError(res.status, url, undefined, res.headers.get('retry-after'));
      }
      const etag = res.headers.get('etag') ?? undefined;
      const lastModified = res.headers.get('last-modified') ?? undefined;
      const cancel = () => void res.body?.cancel().catch(() => undefined);
      const body = (res.body ?? emptyBody()) as AsyncIterable<Uint8Array>;
      if (res.status === 200) {
        const length = res.headers.get('content-length');
        return { partial: false, total: length === null ? undefined : Number(length), etag, lastModified, body, cancel };
      }
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== start) {
        cancel();
        throw new UserError(
          `the server of ${url} answered a Range request for bytes ${start}-${end - 1} with Content-Range ${JSON.stringify(res.headers.get('content-range'))}: it does not serve byte ranges correctly; download the file and give the local copy`,
        );
      }
      return { partial: true, total: range[3] === '*' ? undefined : Number(range[3]), etag, lastModified, body, cancel };
    },
  };
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {}
