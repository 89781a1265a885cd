/**
 * `npm run bench -- remote [--mb N]`: reading inputs over the network against reading the same
 * files from disk, measured in one run, on loopback servers (the tests' Range-faithful HTTP
 * server and s3rver), so the numbers show skein's own overhead (requests, copies, retries), not
 * a network's:
 *
 * - JSONL.zst (~N MB of decoded text, default 60) and Parquet (40 copies of the corpus's zstd
 *   Parquet file, 4 row groups each): documents/s locally, and the speed over HTTP and over S3
 *   as a ratio to it (1 = as fast as disk); range requests per file;
 * - the same JSONL.zst over HTTP with a connection reset every 4 MB: the ratio to a clean read
 *   and the bytes fetched twice (none: a resumed transfer continues at the byte received);
 * - peak RSS growth while reading, sampled every 20 ms;
 * - `skein build` of the JSONL.zst from disk and over HTTP (wall time ratio, shards compared).
 *
 * The HTTP server runs in a child process (bench/serve-files.ts), s3rver in another, so the
 * reader measured has its thread to itself, as against a real server.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { compress } from 'zstd-napi';
import { expandInputs } from '../src/sources/expand-inputs.js';
import { readDocs } from '../src/sources/read-docs.js';
import type { RangeReader } from '../src/sources/remote/range-reader.js';
import { RemoteAccess } from '../src/sources/remote/remote-access.js';
import { remoteSettings } from '../src/sources/remote/remote-settings.js';
import { RejectSink } from '../src/util/reject-sink.js';
import { corpusDocs, fixture } from '../test/helpers/corpus.js';
import { spawn, spawnSync } from 'node:child_process';
import { S3_TEST_ENV, startS3Server } from '../test/helpers/s3-server.js';

/** One result line. */
export interface RemoteBenchLine {
  name: string;
  [k: string]: string | number;
}

/** Starts bench/serve-files.ts in a child process; its URL and a stop function. */
async function serveFiles(dir: string, resetEvery?: number): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'serve-files.ts'), dir, ...(resetEvery ? [String(resetEvery)] : [])], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`the file server exited with ${code}`)));
  });
  return { url, stop: () => child.stdin.end() };
}

/** Reads every document of `patterns`; documents, seconds, peak RSS growth in MB. */
async function readAll(patterns: string[], remote: RemoteAccess): Promise<{ docs: number; seconds: number; rssMB: number; requests?: number; bytes?: number }> {
  const files = await expandInputs(patterns, { remote });
  // Count the range readers' requests and bytes (listing requests aside).
  const readers: RangeReader[] = [];
  const open = remote.reader.bind(remote);
  remote.reader = async (f) => {
    const r = await open(f);
    readers.push(r);
    return r;
  };
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t = performance.now();
  let docs = 0;
  for await (const _ of readDocs(files, { fields: { text: 'text', id: 'id' }, rejects: new RejectSink('fail', 0), remote })) docs++;
  const seconds = (performance.now() - t) / 1000;
  clearInterval(timer);
  remote.reader = open;
  const requests = readers.reduce((n, r) => n + r.stats.requests, 0);
  const fetched = readers.reduce((n, r) => n + r.stats.bytes, 0);
  return { docs, seconds, rssMB: Math.round((peak - before) / 2 ** 20), ...(readers.length ? { requests, bytes: fetched } : {}) };
}

/** Runs the remote-read benchmark; one line per case. */
export async function benchRemote(opts: { mb?: number; log?: (line: string) => void } = {}): Promise<RemoteBenchLine[]> {
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'skein-bench-remote-'));
  const s3 = await startS3Server();
  const servers: Array<{ stop: () => void }> = [];
  Object.assign(process.env, S3_TEST_ENV);
  const remote = new RemoteAccess(remoteSettings({ s3Endpoint: s3.endpoint, env: { ...process.env, SKEIN_REMOTE_BACKOFF_MS: '1' } }));
  const out: RemoteBenchLine[] = [];
  try {
    // ~N MB of JSONL, zstd-compressed: documents of words drawn from the corpus (seeded), so the
    // file compresses like text (about 3:1), not like a repeated file.
    const words = corpusDocs().flatMap((d) => d.text.split(/\s+/)).filter((w) => w.length > 0);
    const rng = seedrandom('bench-remote');
    const parts: string[] = [];
    let bytes = 0;
    for (let i = 0; bytes < (opts.mb ?? 60) * 2 ** 20; i++) {
      const n = 200 + Math.floor(rng() * 8000);
      const text = Array.from({ length: n }, () => words[Math.floor(rng() * words.length)]).join(' ');
      const l = `${JSON.stringify({ id: `d${i}`, text })}\n`;
      parts.push(l);
      bytes += Buffer.byteLength(l);
    }
    const zst = await compress(Buffer.from(parts.join('')));
    writeFileSync(join(dir, 'big.jsonl.zst'), zst);
    await s3.put('d/big.jsonl.zst', zst);
    for (let i = 0; i < 40; i++) {
      const name = `p${String(i).padStart(2, '0')}.parquet`;
      copyFileSync(fixture('corpus', 'sotu.zstd.parquet'), join(dir, name));
      await s3.put(`d/${name}`, readFileSync(join(dir, name)));
    }
    const web = await serveFiles(dir);
    const flakyWeb = await serveFiles(dir, 4 * 2 ** 20);
    servers.push(web, flakyWeb);
    log(`inputs ready: ${(zst.length / 2 ** 20).toFixed(1)} MB zstd (${(bytes / 2 ** 20).toFixed(0)} MB JSONL), 40 Parquet files`);

    for (const [name, local, http, viaS3, files] of [
      ['jsonl.zst', [join(dir, 'big.jsonl.zst')], [`${web.url}/d/big.jsonl.zst`], ['s3://corpus/d/big.jsonl.zst'], 1],
      ['parquet x40', [join(dir, 'p*.parquet')], [`${web.url}/d/p*.parquet`], ['s3://corpus/d/p*.parquet'], 40],
    ] as const) {
      const l = await readAll([...local], remote);
      const h = await readAll([...http], remote);
      const s = await readAll([...viaS3], remote);
      const line = {
        name,
        docs: l.docs,
        local_docs_per_s: Math.round(l.docs / l.seconds),
        http_ratio: +(l.seconds / h.seconds).toFixed(2),
        s3_ratio: +(l.seconds / s.seconds).toFixed(2),
        http_requests_per_file: +((h.requests ?? 0) / files).toFixed(1),
        rss_mb_local: l.rssMB,
        rss_mb_http: h.rssMB,
        rss_mb_s3: s.rssMB,
      };
      if (h.docs !== l.docs || s.docs !== l.docs) throw new Error(`${name}: ${l.docs} local documents, ${h.docs} over HTTP, ${s.docs} over S3`);
      out.push(line);
      log(JSON.stringify(line));
    }

    // A whole build (tokenizing, packing, writing shards), as a user runs it.
    const build = (input: string, name: string): number => {
      const t = performance.now();
      const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'skein.js'), 'build', '--input', input, '--output', join(dir, name), '--no-progress', '--quiet'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`skein build ${input}: ${r.stderr}`);
      return (performance.now() - t) / 1000;
    };
    const localBuild = build(join(dir, 'big.jsonl.zst'), 'out-local');
    const httpBuild = build(`${web.url}/d/big.jsonl.zst`, 'out-http');
    const same = readFileSync(join(dir, 'out-local', 'shard-00000.arrow')).equals(readFileSync(join(dir, 'out-http', 'shard-00000.arrow')));
    out.push({ name: 'skein build jsonl.zst', local_seconds: +localBuild.toFixed(2), http_ratio: +(localBuild / httpBuild).toFixed(2), shards_identical: same ? 'yes' : 'no' });
    log(JSON.stringify(out[out.length - 1]));

    // A connection reset every 4 MB.
    const clean = await readAll([`${web.url}/d/big.jsonl.zst`], remote);
    const flaky = await readAll([`${flakyWeb.url}/d/big.jsonl.zst`], remote);
    out.push({
      name: 'jsonl.zst, reset every 4 MB',
      resets: (flaky.requests ?? 0) - (clean.requests ?? 0),
      ratio_to_clean: +(clean.seconds / flaky.seconds).toFixed(2),
      bytes_fetched_twice: (flaky.bytes ?? 0) - (clean.bytes ?? 0),
      docs_equal: flaky.docs === clean.docs ? 'yes' : 'no',
    });
    log(JSON.stringify(out[out.length - 1]));
  } finally {
    for (const x of servers) x.stop();
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
