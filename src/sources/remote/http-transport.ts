import { UserError } from '../../util/errors.js';
import { changedUserError, RemoteStatusError, type RemoteScheme } from './remote-errors.js';
import type { RangeResponse, RangeTransport } from './range-reader.js';

/**
 * Byte ranges of an HTTP(S) URL through Node's own `fetch` (undici, built into Node ≥ 18), not
 * `node:http` or a client library: it follows the Hub's redirects from a `resolve` URL to its
 * CDN and drops the `Authorization` header when a redirect leaves the origin (a token never
 * reaches a third party), it streams bodies with backpressure, takes an AbortSignal for the
 * idle timeout, and needs no dependency.
 *
 * `Accept-Encoding: identity` keeps servers from compressing the transfer: byte ranges must
 * count the stored bytes. With `hubObjectId` (a Hub file's LFS sha256 from the listing) the
 * first request does not follow the Hub's redirect by itself: the Hub's answer names the object
 * it points to, which must be the listed one (a file pushed again mid-build is caught even at
 * the same size).
 */
export function httpTransport(scheme: RemoteScheme, url: string, headers: Record<string, string>, listedEtagComparable: boolean, hubObjectId?: string, shownAs: string = url): RangeTransport {
  // Where the last redirect led (the Hub's CDN): later ranges go there directly, one round trip
  // instead of two; when that URL stops working (a signed URL expired) the next try starts over.
  let target: string | undefined;
  return {
    scheme,
    url: shownAs,
    listedEtagComparable,
    async get(start: number, end: number, signal: AbortSignal): Promise<RangeResponse> {
      const direct = target;
      const auth = direct && new URL(direct).origin !== new URL(url).origin ? {} : headers;
      const ranged = { range: `bytes=${start}-${end - 1}`, 'accept-encoding': 'identity' };
      let res = await fetch(direct ?? url, { headers: { ...auth, ...ranged }, signal, redirect: hubObjectId && !direct ? 'manual' : 'follow' });
      if (hubObjectId && !direct && res.status >= 300 && res.status < 400) {
        // The Hub's own answer names the object it redirects to (`X-Linked-Etag`: the LFS
        // sha256): it must be the one listed. Then the CDN, without the token.
        const linked = res.headers.get('x-linked-etag')?.replace(/^W\//, '').replace(/"/g, '');
        await res.body?.cancel().catch(() => undefined);
        if (linked && linked !== hubObjectId) throw changedUserError(shownAs, `its Hub object id ${hubObjectId} became ${linked}`);
        const location = new URL(res.headers.get('location') ?? '', url).href;
        res = await fetch(location, { headers: { ...(new URL(location).origin === new URL(url).origin ? headers : {}), ...ranged }, signal, redirect: 'follow' });
        if (res.status === 200 || res.status === 206) target = res.url;
      }
      if (res.status !== 200 && res.status !== 206) {
        await res.body?.cancel().catch(() => undefined);
        if (direct) {
          target = undefined;
          throw new RedirectExpired(res.status);
        }
        throw new RemoteStatusError(res.status, shownAs, undefined, res.headers.get('retry-after'));
      }
      if (!direct && res.redirected) target = res.url;
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
          `the server of ${shownAs} answered a Range request for bytes ${start}-${end - 1} with Content-Range ${JSON.stringify(res.headers.get('content-range'))}: it does not serve byte ranges correctly; download the file and give the local copy`,
        );
      }
      return { partial: true, total: range[3] === '*' ? undefined : Number(range[3]), etag, lastModified, body, cancel };
    },
  };
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {}

/** The remembered redirect target failed (expired): retried at once through the original URL. */
export class RedirectExpired extends Error {
  constructor(status: number) {
    super(`the redirect target answered HTTP ${status}`);
    this.name = 'RedirectExpired';
  }
}
