import { UserError } from '../../util/errors.js';
import { detectFormat } from '../input-format.js';
import { encodePath, hfEndpoint, hfHeaders, hfResolveUrl } from './hf-endpoint.js';
import { requestWithRetry } from './http-request.js';
import type { RemoteFile } from './remote-file.js';
import type { RemoteSettings } from './remote-settings.js';
import { globIsDeep, globMatcher, splitGlob } from './remote-url.js';

/** One entry of the Hub's tree listing (`GET /api/datasets/<repo>/tree/<revision>/<path>`). */
interface TreeEntry {
  type: 'file' | 'directory';
  path: string;
  size?: number;
  /** The git blob id. */
  oid?: string;
  /** Large files: the LFS object's sha256 and size. */
  lfs?: { oid?: string; size?: number };
}

/** A Hub dataset location, parsed from `hf://datasets/<owner>/<name>[@revision]/<path>`. */
export interface HubPath {
  repo: string;
  revision: string;
  path: string;
}

/**
 * Resolves an `hf://datasets/…` input to files through the Hub's tree listing (paginated: one
 * request per 1,000 entries, following the `Link: rel="next"` header) at `HF_ENDPOINT`, with
 * `HF_TOKEN` for private and gated datasets. A path that is a file gives that file; a folder (or
 * the whole dataset) gives every supported file below it; a glob is matched against the listing
 * (`*` within a folder, `**` across folders). Each file is then read through its `resolve` URL;
 * its version is the Hub's object id (the LFS sha256, else the git blob id), so a file pushed
 * again is told apart even at the same size.
 */
export async function listHub(pattern: string, hub: HubPath, settings: RemoteSettings): Promise<RemoteFile[]> {
  const { base, glob } = splitGlob(hub.path);
  let entries: TreeEntry[];
  let match: (rel: string) => boolean;
  let root: string;
  if (glob !== undefined) {
    root = base.replace(/\/+$/, '');
    entries = await listTree(hub, root, globIsDeep(glob), settings, pattern);
    const m = globMatcher(glob);
    match = (rel) => m(rel);
  } else {
    // A path: a file or a folder, told by its parent's listing.
    const parent = hub.path.includes('/') ? hub.path.slice(0, hub.path.lastIndexOf('/')) : '';
    const self = hub.path === '' ? undefined : (await listTree(hub, parent, false, settings, pattern)).find((e) => e.path === hub.path);
    if (hub.path !== '' && !self) throw new UserError(`input ${pattern}: no file or folder ${hub.path} in dataset ${hub.repo} at revision ${hub.revision}; check the path (the Hub's file list shows it)`);
    if (self?.type === 'file') {
      if (!detectFormat(self.path)) throw new UserError(`unsupported input file ${pattern}: skein reads JSONL (.jsonl/.json/.ndjson, .gz, .zst), Parquet, Arrow and ZIP`);
      return [toRemoteFile(hub, self, settings)];
    }
    root = hub.path;
    entries = await listTree(hub, root, true, settings, pattern);
    match = () => true;
  }
  const prefix = root === '' ? '' : `${root}/`;
  const matched = entries.filter((e) => e.type === 'file' && e.path.startsWith(prefix) && match(e.path.slice(prefix.length)) && !hidden(e.path.slice(prefix.length)));
  const files = matched.filter((e) => detectFormat(e.path) !== undefined);
  if (files.length === 0) {
    if (matched.length > 0) throw new UserError(`${pattern} matches only unsupported files (such as ${matched[0]!.path}); skein reads JSONL (.jsonl/.json/.ndjson, .gz, .zst), Parquet, Arrow and ZIP`);
    throw new UserError(`no files match ${pattern} in dataset ${hub.repo} at revision ${hub.revision}; check the pattern (and quote it so the shell does not expand it)`);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((e) => toRemoteFile(hub, e, settings));
}

function hidden(rel: string): boolean {
  return rel.split('/').some((s) => s.startsWith('.'));
}

/** Every entry of the tree listing under `path` (recursively or one level), all pages. */
async function listTree(hub: HubPath, path: string, recursive: boolean, settings: RemoteSettings, pattern: string): Promise<TreeEntry[]> {
  const endpoint = hfEndpoint(settings.env);
  let url: string | undefined = `${endpoint}/api/datasets/${hub.repo}/tree/${encodeURIComponent(hub.revision)}${path ? `/${encodePath(path)}` : ''}?recursive=${recursive}&expand=false`;
  const out: TreeEntry[] = [];
  const headers = hfHeaders(settings.env);
  while (url) {
    const res = await requestWithRetry(url, { scheme: 'hf', policy: settings.policy, headers, signal: settings.signal, doing: `cannot list ${pattern}:` });
    let page: unknown;
    try {
      page = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new UserError(`the Hub's listing at ${url} is not JSON; check HF_ENDPOINT (${endpoint})`);
    }
    if (!Array.isArray(page)) throw new UserError(`the Hub's listing at ${url} is not a list of files; check HF_ENDPOINT (${endpoint})`);
    out.push(...(page as TreeEntry[]));
    url = nextLink(res.headers.get('link'), res.url);
  }
  return out;
}

/** The `rel="next"` target of a `Link` header, resolved against the page's URL. */
export function nextLink(header: string | null, pageUrl: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return new URL(m[1]!, pageUrl).href;
  }
  return undefined;
}

function toRemoteFile(hub: HubPath, e: TreeEntry, settings: RemoteSettings): RemoteFile {
  const at = hub.revision === 'main' ? '' : `@${encodeURIComponent(hub.revision)}`;
  const etag = e.lfs?.oid ?? e.oid;
  return {
    scheme: 'hf',
    url: `hf://datasets/${hub.repo}${at}/${e.path}`,
    locator: { kind: 'url', href: hfResolveUrl(hfEndpoint(settings.env), 'datasets', hub.repo, hub.revision, e.path), headers: 'hf' },
    size: Number(e.lfs?.size ?? e.size ?? 0),
    ...(etag ? { etag } : {}),
  };
}
