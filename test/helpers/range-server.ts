import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';

/** One stored file. */
interface Stored {
  bytes: Buffer;
  etag: string;
  lastModified: string;
}

/** A request the server saw. */
export interface SeenRequest {
  method: string;
  path: string;
  range?: string;
  authorization?: string;
  status: number;
}

/** A fault to inject on requests whose path matches. */
interface Fault {
  match: (p: string, method: string) => boolean;
  /** Answer with this status (with `Retry-After: 0`) instead of serving. */
  status?: number;
  /** Reset the connection after sending this many body bytes. */
  resetAfterBytes?: number;
  /** How many requests it hits. */
  times: number;
}

/** Options of {@link startRangeServer}. */
export interface RangeServerOptions {
  /** Serve Hub routes: the tree listing API and `resolve` URLs (redirecting to `/cdn/…`) for datasets and models. */
  hub?: boolean;
  /** Entries per page of the Hub tree listing (small, so tests cross pages). */
  pageSize?: number;
  /** Bearer token required for paths under these prefixes (`/datasets/owner/name`): 401 without a token, 403 with another. */
  gated?: Record<string, string>;
}

/**
 * An HTTP server on loopback for tests of remote inputs: Node's own `http` server (not nginx)
 * because the tests inject faults at exact byte offsets (a reset mid-body, bursts of 503s, a
 * file replaced between runs) and count requests, which a stock nginx cannot do. It implements
 * single byte ranges as RFC 9110 §14 says: `bytes=a-b`, `bytes=a-`, `bytes=-n`, 206 with
 * `Content-Range`, 416 with `bytes *\/size` past the end, `If-Range` (a different ETag gets the
 * whole file), several ranges answered with the whole file (allowed), `Accept-Ranges`, `ETag`
 * and `Last-Modified`, and HEAD. Folders get an HTML index page (as nginx `autoindex` writes).
 * With `hub`, it also answers the Hugging Face Hub's tree listing (paginated with `Link`
 * headers) and `resolve` URLs (302 to the file, as the Hub redirects to its CDN).
 */
export class RangeServer {
  readonly files = new Map<string, Stored>();
  readonly requests: SeenRequest[] = [];
  private faults: Fault[] = [];
  private sockets = new Set<Socket>();
  private server!: http.Server;
  /** `http://127.0.0.1:<port>`. */
  url = '';
  private version = 0;
  private vanish: string | undefined;

  private constructor(private readonly opts: RangeServerOptions) {}

  /** Starts a server on a free loopback port. */
  static async start(opts: RangeServerOptions = {}): Promise<RangeServer> {
    const s = new RangeServer(opts);
    await s.listen(0);
    return s;
  }

  private listen(port: number): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (sock) => {
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
    });
    return new Promise((resolve) =>
      this.server.listen(port, '127.0.0.1', () => {
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        resolve();
      }),
    );
  }

  /** Stores (or replaces: a new ETag) a file at `p` (`/data/a.jsonl`). */
  put(p: string, bytes: Buffer): void {
    this.version++;
    const etag = `"${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}-${this.version}"`;
    this.files.set(p, { bytes, etag, lastModified: new Date(Date.UTC(2024, 0, 1, 0, 0, this.version)).toUTCString() });
  }

  /** Stores every file under a local folder at `prefix` + its relative path. */
  putFolder(dir: string, prefix: string): void {
    for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
      const full = path.join(dir, name);
      if (fs.statSync(full).isFile()) this.put(`${prefix}/${name.split(path.sep).join('/')}`, fs.readFileSync(full));
    }
  }

  /** Answers the next `times` requests (of `method`, default any) for paths containing `part` with `status`. */
  failNext(part: string, status: number, times: number, method?: string): void {
    this.faults.push({ match: (p, m) => p.includes(part) && (!method || m === method), status, times });
  }

  /** Resets the connection after `bytes` body bytes, for the next `times` GETs of paths containing `part`. */
  resetAfter(part: string, bytes: number, times: number): void {
    this.faults.push({ match: (p, m) => p.includes(part) && m === 'GET', resetAfterBytes: bytes, times });
  }

  /** On the first GET of a path containing `part`, stops the server (every connection dropped): a server that vanishes mid-build. */
  vanishOn(part: string): void {
    this.vanish = part;
  }

  /** Starts the server again on the same port (after {@link close} or a vanish), faults cleared. */
  async reopen(): Promise<void> {
    this.faults = [];
    this.vanish = undefined;
    await this.listen(Number(new URL(this.url).port));
  }

  /** Drops every fault not used up yet. */
  clearFaults(): void {
    this.faults = [];
  }

  /** Requests whose path contains `part` (optionally only GETs). */
  count(part: string, method?: string): number {
    return this.requests.filter((r) => r.path.includes(part) && (!method || r.method === method)).length;
  }

  /** Stops the server and drops every open connection (a server that vanishes). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private fault(p: string, method: string): Fault | undefined {
    const f = this.faults.find((x) => x.times > 0 && x.match(p, method));
    if (f) f.times--;
    return f;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://x');
    const p = decodeURIComponent(u.pathname);
    const seen: SeenRequest = { method: req.method ?? 'GET', path: p, ...(req.headers.range ? { range: req.headers.range } : {}), ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), status: 0 };
    this.requests.push(seen);
    if (this.vanish !== undefined && seen.method === 'GET' && p.includes(this.vanish)) {
      this.vanish = undefined;
      void this.close();
      return;
    }
    const answer = (status: number, headers: Record<string, string | number> = {}, body?: Buffer | string): void => {
      seen.status = status;
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const fault = this.fault(p, seen.method);
    if (fault?.status) return answer(fault.status, { 'retry-after': '0', 'content-type': 'text/plain' }, `injected ${fault.status}`);
    // The repository a Hub path belongs to: /datasets/owner/name or /models/owner/name.
    const hubPath = p.replace(/^\/api\/datasets\//, '/datasets/').replace(/^\/([^/]+\/[^/]+\/resolve\/)/, '/models/$1');
    for (const [prefix, token] of Object.entries(this.opts.gated ?? {})) {
      if (!hubPath.startsWith(prefix)) continue;
      if (!req.headers.authorization) return answer(401, { 'content-type': 'application/json' }, '{"error":"Invalid credentials"}');
      if (req.headers.authorization !== `Bearer ${token}`) return answer(403, { 'content-type': 'application/json' }, '{"error":"Access restricted"}');
    }
    if (this.opts.hub) {
      const tree = /^\/api\/(datasets)\/([^/]+\/[^/]+)\/tree\/([^/]+)(?:\/(.*))?$/.exec(p);
      if (tree) return this.tree(`/${tree[1]}/${tree[2]}`, tree[3]!, tree[4] ?? '', u, answer);
      const resolve = /^(?:\/(datasets))?\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(p);
      if (resolve) {
        const key = `${resolve[1] ? '/datasets' : '/models'}/${resolve[2]}/${resolve[4]}`;
        const f = this.files.get(key);
        if (!f) return answer(404, { 'content-type': 'application/json', 'x-error-code': 'EntryNotFound' }, '{"error":"Entry not found"}');
        // As the Hub: large (LFS) files name their sha256 in X-Linked-Etag, the listing's lfs.oid.
        const linked: Record<string, string> = f.bytes.length > 1000 ? { 'x-linked-etag': `"${createHash('sha256').update(f.bytes).digest('hex')}"` } : {};
        return answer(302, { location: `/cdn${encodeURI(key)}`, 'x-repo-commit': 'c0ffee'.padEnd(40, '0'), 'x-linked-size': f.bytes.length, ...linked });
      }
    }
    const key = p.startsWith('/cdn/') ? p.slice(4) : p;
    const file = this.files.get(key);
    if (!file) {
      if (key.endsWith('/')) return this.index(key, answer);
      return answer(404, { 'content-type': 'text/plain' }, 'not found');
    }
    this.serve(req, res, file, fault, seen);
  }

  /** A file, whole or one range, as RFC 9110 says. */
  private serve(req: http.IncomingMessage, res: http.ServerResponse, f: Stored, fault: Fault | undefined, seen: SeenRequest): void {
    const size = f.bytes.length;
    const base = { 'accept-ranges': 'bytes', etag: f.etag, 'last-modified': f.lastModified, 'content-type': 'application/octet-stream' };
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = req.headers.range;
    const ifRange = req.headers['if-range'];
    if (range && (!ifRange || ifRange === f.etag)) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      if (m && (m[1] !== '' || m[2] !== '')) {
        if (m[1] === '') {
          start = Math.max(0, size - Number(m[2]));
        } else {
          start = Number(m[1]);
          if (m[2] !== '') end = Math.min(Number(m[2]), size - 1);
        }
        if (start >= size || start > end) {
          seen.status = 416;
          res.writeHead(416, { ...base, 'content-range': `bytes */${size}` });
          res.end();
          return;
        }
        status = 206;
      }
    }
    const body = f.bytes.subarray(start, end + 1);
    const headers: Record<string, string | number> = { ...base, 'content-length': body.length };
    if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    seen.status = status;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (fault?.resetAfterBytes !== undefined) {
      const cut = Math.min(fault.resetAfterBytes, body.length);
      res.write(body.subarray(0, cut), () => setImmediate(() => req.socket.destroy()));
      return;
    }
    res.end(body);
  }

  /** An nginx-style autoindex page of the files below `dir`. */
  private index(dir: string, answer: (status: number, headers?: Record<string, string | number>, body?: string) => void): void {
    const names = new Set<string>();
    for (const k of this.files.keys()) {
      if (!k.startsWith(dir)) continue;
      const rest = k.slice(dir.length);
      names.add(rest.includes('/') ? `${rest.slice(0, rest.indexOf('/'))}/` : rest);
    }
    if (names.size === 0) return answer(404, { 'content-type': 'text/plain' }, 'not found');
    const links = ['<a href="../">../</a>', ...[...names].sort().map((n) => `<a href="${encodeURI(n)}">${n}</a>`)];
    answer(200, { 'content-type': 'text/html' }, `<html><head><title>Index of ${dir}</title></head><body><h1>Index of ${dir}</h1><hr><pre>${links.join('\n')}</pre><hr></body></html>`);
  }

  /** The Hub's tree listing of `repo` (`/datasets/owner/name`) under `sub`, paginated by `cursor`. */
  private tree(repo: string, _rev: string, sub: string, u: URL, answer: (status: number, headers?: Record<string, string | number>, body?: string) => void): void {
    const recursive = u.searchParams.get('recursive') === 'true';
    const prefix = `${repo}/${sub ? `${sub}/` : ''}`;
    const entries = new Map<string, object>();
    for (const [k, f] of this.files) {
      if (!k.startsWith(prefix)) continue;
      const rest = k.slice(prefix.length);
      const rel = k.slice(repo.length + 1);
      if (!recursive && rest.includes('/')) {
        const dirPath = rel.slice(0, rel.length - rest.length + rest.indexOf('/'));
        entries.set(dirPath, { type: 'directory', oid: 'd'.repeat(40), size: 0, path: dirPath });
        continue;
      }
      if (recursive) {
        // Folders along the way are listed too, as the Hub does.
        const parts = rest.split('/');
        for (let i = 1; i < parts.length; i++) {
          const d = rel.slice(0, rel.length - rest.length) + parts.slice(0, i).join('/');
          entries.set(d, { type: 'directory', oid: 'd'.repeat(40), size: 0, path: d });
        }
      }
      const lfs = f.bytes.length > 1000 ? { lfs: { oid: createHash('sha256').update(f.bytes).digest('hex'), size: f.bytes.length, pointerSize: 134 } } : {};
      entries.set(rel, { type: 'file', oid: createHash('sha1').update(f.etag).digest('hex'), size: f.bytes.length, path: rel, ...lfs });
    }
    if (entries.size === 0 && sub) return answer(404, { 'content-type': 'application/json' }, `{"error":"Entry not found"}`);
    const all = [...entries.keys()].sort().map((k) => entries.get(k)!);
    const pageSize = this.opts.pageSize ?? 2;
    const from = Number(u.searchParams.get('cursor') ?? 0);
    const page = all.slice(from, from + pageSize);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (from + pageSize < all.length) {
      const next = new URL(u.href);
      next.searchParams.set('cursor', String(from + pageSize));
      headers.link = `<${this.url}${next.pathname}${next.search}>; rel="next"`;
    }
    answer(200, headers, JSON.stringify(page));
  }
}
