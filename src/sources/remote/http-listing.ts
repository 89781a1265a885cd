import { UserError } from '../../util/errors.js';
import { mapLimit } from '../../util/map-limit.js';
import { detectFormat } from '../input-format.js';
import { requestWithRetry } from './http-request.js';
import type { RemoteFile } from './remote-file.js';
import type { RemoteSettings } from './remote-settings.js';
import { globIsDeep, globMatcher, splitGlob } from './remote-url.js';

/** HEAD requests in flight while listing. */
const HEAD_CONCURRENCY = 8;
/** Most index pages read for one `**` glob (a guard against link mazes). */
const MAX_INDEX_PAGES = 10_000;

/**
 * Resolves an `http(s)://` input to files. A URL whose name has a supported extension is one file
 * (one HEAD request: size, ETag, Last-Modified). A URL ending in `/`, or holding a glob, is read
 * through the server's directory index pages (the HTML listings nginx `autoindex`, Apache and
 * `python -m http.server` serve; fsspec's HTTP file system reads them the same way): links below
 * the folder are followed, `*` within one folder, `**` across folders; then one HEAD per file.
 * HTTP has no other way to list a folder: a server without index pages needs the file URLs.
 */
export async function listHttp(pattern: string, url: URL, settings: RemoteSettings): Promise<RemoteFile[]> {
  const pathname = decodeURIComponent(url.pathname);
  const { base, glob } = splitGlob(pathname);
  if (glob === undefined && !pathname.endsWith('/') && detectFormat(pathname) !== undefined) return [await headFile(url.href, settings)];
  if (glob === undefined && !pathname.endsWith('/')) {
    throw new UserError(`input ${pattern} has no supported file extension; name a data file (.jsonl.zst, .parquet, ...), a folder ending in / or a glob`);
  }
  const folder = new URL(url.href);
  folder.search = '';
  folder.hash = '';
  folder.pathname = encodeURI(glob === undefined ? pathname : base.endsWith('/') ? base : `${base}/`);
  const deep = glob === undefined || globIsDeep(glob);
  const match = glob === undefined ? (rel: string) => detectFormat(rel) !== undefined : globMatcher(glob);
  const links = await indexLinks(folder, deep, settings, pattern);
  const matched = links.filter((l) => match(l.rel));
  const files = matched.filter((l) => detectFormat(l.rel) !== undefined);
  if (files.length === 0) {
    if (matched.length > 0) throw new UserError(`${pattern} matches only unsupported files (such as ${matched[0]!.href}); skein reads JSONL (.jsonl/.json/.ndjson, .gz, .zst), Parquet, Arrow and ZIP`);
    throw new UserError(`no files match ${pattern} in the server's index page of ${folder.href}; check the pattern (globs over HTTP need a server that lists folders)`);
  }
  return mapLimit(files, HEAD_CONCURRENCY, (f) => headFile(f.href, settings));
}

/** Size, ETag and Last-Modified of one URL (a HEAD request, retried like any other). */
async function headFile(href: string, settings: RemoteSettings): Promise<RemoteFile> {
  const res = await requestWithRetry(href, { scheme: 'http', policy: settings.policy, method: 'HEAD', signal: settings.signal, doing: 'cannot find input' });
  const length = res.headers.get('content-length');
  if (length === null || !/^\d+$/.test(length)) {
    throw new UserError(`the server of ${href} gives no Content-Length for it; skein needs each file's size to read it by byte ranges: download the file and give the local copy`);
  }
  if (res.headers.get('content-encoding') && res.headers.get('content-encoding') !== 'identity') {
    throw new UserError(`the server of ${href} sends it with Content-Encoding ${res.headers.get('content-encoding')}; skein reads the stored bytes by ranges: serve it without transfer encoding, or download it`);
  }
  const etag = res.headers.get('etag') ?? undefined;
  const lastModified = res.headers.get('last-modified') ?? undefined;
  return { scheme: 'http', url: href, locator: { kind: 'url', href, headers: 'none' }, size: Number(length), ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
}

/** A link of an index page: its absolute URL and its path below the listed folder. */
interface IndexLink {
  href: string;
  rel: string;
}

/** The file links below `folder` in its index pages (sub-folders followed when `deep`), sorted by path. */
async function indexLinks(folder: URL, deep: boolean, settings: RemoteSettings, pattern: string): Promise<IndexLink[]> {
  const root = folder.pathname;
  const files = new Map<string, IndexLink>();
  const queue = [folder.href];
  const seen = new Set(queue);
  while (queue.length > 0) {
    if (seen.size > MAX_INDEX_PAGES) throw new UserError(`${pattern}: more than ${MAX_INDEX_PAGES} index pages below ${folder.href}; narrow the glob`);
    const page = queue.shift()!;
    const res = await requestWithRetry(page, { scheme: 'http', policy: settings.policy, signal: settings.signal, doing: 'cannot list' });
    const type = res.headers.get('content-type') ?? '';
    if (!/html|xml/i.test(type)) throw new UserError(`${page} is not a folder index page (Content-Type ${type || 'none'}); a glob over HTTP needs a server that lists folders (nginx autoindex, Apache): name the files instead`);
    for (const m of res.body.toString('utf8').matchAll(/href\s*=\s*["']([^"'#?]+)["']/gi)) {
      let target: URL;
      try {
        target = new URL(m[1]!.replace(/&amp;/g, '&'), res.url);
      } catch {
        continue;
      }
      if (target.origin !== folder.origin || !target.pathname.startsWith(root) || target.pathname === new URL(page).pathname) continue;
      const rel = decodeURIComponent(target.pathname.slice(root.length));
      if (rel === '' || rel.split('/').some((s) => s.startsWith('.'))) continue;
      if (target.pathname.endsWith('/')) {
        if (deep && !seen.has(target.href)) {
          seen.add(target.href);
          queue.push(target.href);
        }
      } else files.set(rel, { href: target.href, rel });
    }
  }
  return [...files.values()].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}
