import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RangeServer } from '../helpers/range-server.js';
import { httpTransport } from '../../src/sources/remote/http-transport.js';
import { RangeReader, type RangeTransport } from '../../src/sources/remote/range-reader.js';
import { UserError } from '../../src/util/errors.js';

const policy = { retries: 3, baseDelayMs: 1, maxDelayMs: 5, idleTimeoutMs: 2000 };
let srv: RangeServer;
const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));

before(async () => {
  srv = await RangeServer.start({ hub: true });
  srv.put('/f.bin', body);
  srv.put('/datasets/o/n/r.bin', body);
});
after(() => srv.close());

function reader(p = '/f.bin', size = body.length, retries = policy.retries): RangeReader {
  const f = srv.files.get(p);
  return new RangeReader(httpTransport('http', `${srv.url}${p}`, {}, true), { size, etag: f?.etag, lastModified: f?.lastModified }, { ...policy, retries });
}

/** A range reader over a fake transport (its `get`), for what a real server cannot stage. */
function fakeReader(url: string, size: number, get: RangeTransport['get'], over: Partial<typeof policy> = {}): RangeReader {
  return new RangeReader({ scheme: 'http', url, listedEtagComparable: true, get }, { size }, { ...policy, ...over });
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

test('a dropped transfer resumes with a Range request at the byte already received, not from the start', async () => {
  srv.requests.length = 0;
  srv.resetAfter('/f.bin', 70_000, 2);
  const r = reader();
  assert.deepEqual(await collect(r.stream()), body);
  const gets = srv.requests.filter((q) => q.method === 'GET');
  assert.deepEqual(
    gets.map((q) => q.range),
    ['bytes=0-199999', 'bytes=70000-199999', 'bytes=140000-199999'],
  );
  assert.equal(r.stats.retries, 2);
  assert.equal(r.stats.bytes, body.length, 'no byte was fetched twice');
});

test('503 and 429 bursts are retried with backoff; a range read returns exactly the bytes asked for', async () => {
  srv.requests.length = 0;
  srv.failNext('/f.bin', 503, 2);
  srv.failNext('/f.bin', 429, 1);
  const r = reader();
  assert.deepEqual(Buffer.from(await r.read(1234, 5678)), body.subarray(1234, 5678));
  assert.equal(r.stats.requests, 4);
  assert.deepEqual(srv.requests.map((q) => q.status), [503, 503, 429, 206]);
});

test('a server that keeps failing ends in one line naming the URL, the status and what to do', async () => {
  srv.failNext('/f.bin', 503, 10);
  await assert.rejects(reader('/f.bin', body.length, 2).read(0, 10), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.match(e.message, /^cannot read http:\/\/127\.0\.0\.1:\d+\/f\.bin: HTTP 503, still after 2 retries; .*run the same command again/);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
  srv.clearFaults();
});

test('404 and 403 are not retried: one line with the status and the fix', async () => {
  srv.requests.length = 0;
  await assert.rejects(reader('/missing.bin', 10).read(0, 10), /cannot read http:\/\/127\.0\.0\.1:\d+\/missing\.bin \(HTTP 404\): nothing there: check the URL/);
  assert.equal(srv.requests.length, 1);
  srv.failNext('/f.bin', 403, 1);
  await assert.rejects(reader().read(0, 10), /\(HTTP 403\): the server refuses access/);
});

test('an object replaced while it is read is refused, naming it (never a mix of two versions)', async () => {
  srv.put('/g.bin', body);
  srv.resetAfter('/g.bin', 1000, 1);
  const r = reader('/g.bin');
  const it = r.stream();
  await it.next();
  // Same size, new content: the resume after the reset sees the new ETag.
  srv.put('/g.bin', Buffer.from(body).reverse());
  await assert.rejects(collect(it), /input http:\/\/127\.0\.0\.1:\d+\/g\.bin changed since the build listed it \(ETag ".*" became ".*"\)/);
  // A different size is caught even without ETags.
  await assert.rejects(new RangeReader(httpTransport('http', `${srv.url}/g.bin`, {}, true), { size: 10 }, policy).read(0, 5), /it is 200000 bytes now, 10 when listed/);
});

test('a server that ignores Range: streams skip the bytes already received, random access is refused clearly', async () => {
  const whole = fakeReader('test://whole', 10, async () => ({ partial: false, total: 10, body: (async function* () { yield Buffer.from('0123456789'); })(), cancel() {} }));
  assert.equal((await collect(whole.stream(4, 10))).toString(), '456789');
  await assert.rejects(whole.read(4, 8), /ignores Range requests .* download the file and give the local copy/);
});

test('a response that stalls is dropped after the idle timeout and resumed', async () => {
  let calls = 0;
  const stalled = fakeReader(
    'test://stall',
    3,
    async (start, end, signal) => {
      calls++;
      const first = calls === 1;
      async function* gen() {
        yield Buffer.from('abc'.slice(start, first ? 1 : end));
        if (first) await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      }
      return { partial: true, total: 3, body: gen(), cancel() {} };
    },
    { idleTimeoutMs: 50 },
  );
  assert.equal((await collect(stalled.stream())).toString(), 'abc');
  assert.equal(calls, 2);
});

test('a redirect (the Hub to its CDN) is followed once and its target reused; an expired target falls back to the original URL', async () => {
  srv.requests.length = 0;
  const r = new RangeReader(httpTransport('hf', `${srv.url}/datasets/o/n/resolve/main/r.bin`, { authorization: 'Bearer t' }, false), { size: body.length }, policy);
  assert.deepEqual(Buffer.from(await r.read(0, 10)), body.subarray(0, 10));
  assert.deepEqual(Buffer.from(await r.read(10, 20)), body.subarray(10, 20));
  assert.deepEqual(srv.requests.map((q) => q.path), ['/datasets/o/n/resolve/main/r.bin', '/cdn/datasets/o/n/r.bin', '/cdn/datasets/o/n/r.bin']);
  srv.failNext('/cdn/datasets/o/n/r.bin', 403, 1);
  assert.deepEqual(Buffer.from(await r.read(20, 30)), body.subarray(20, 30));
  assert.deepEqual(srv.requests.slice(3).map((q) => `${q.path} ${q.status}`), ['/cdn/datasets/o/n/r.bin 403', '/datasets/o/n/resolve/main/r.bin 302', '/cdn/datasets/o/n/r.bin 206']);
});

test('a Hub file pushed again mid-read is caught by the object id the Hub names, even at the same size', async () => {
  srv.put('/datasets/o/n/h.bin', body);
  const sha = (await import('node:crypto')).createHash('sha256').update(body).digest('hex');
  const r = new RangeReader(httpTransport('hf', `${srv.url}/datasets/o/n/resolve/main/h.bin`, {}, false, sha), { size: body.length, etag: sha }, policy);
  assert.deepEqual(Buffer.from(await r.read(0, 10)), body.subarray(0, 10));
  srv.put('/datasets/o/n/h.bin', Buffer.from(body).reverse());
  const fresh = new RangeReader(httpTransport('hf', `${srv.url}/datasets/o/n/resolve/main/h.bin`, {}, false, sha, 'hf://datasets/o/n/h.bin'), { size: body.length, etag: sha }, policy);
  await assert.rejects(fresh.read(0, 10), /input hf:\/\/datasets\/o\/n\/h\.bin changed since the build listed it \(its Hub object id [0-9a-f]{64} became [0-9a-f]{64}\)/);
});

test('a consumer slower than the idle timeout is not mistaken for a stalled server', async () => {
  let calls = 0;
  const slow = fakeReader(
    'test://slow',
    3,
    async (start, _end, signal) => {
      calls++;
      async function* body() {
        for (const c of 'abc'.slice(start)) {
          // As fetch does: an aborted request's body fails on the next read.
          if (signal.aborted) throw signal.reason;
          yield Buffer.from(c);
        }
      }
      return { partial: true, total: 3, body: body(), cancel() {} };
    },
    { idleTimeoutMs: 20 },
  );
  let got = '';
  for await (const c of slow.stream()) {
    got += c.toString();
    await new Promise((r) => setTimeout(r, 60));
  }
  assert.equal(got, 'abc');
  assert.equal(calls, 1);
  assert.equal(slow.stats.retries, 0);
});
