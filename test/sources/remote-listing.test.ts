import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fixture } from '../helpers/corpus.js';
import { RangeServer } from '../helpers/range-server.js';
import { S3_TEST_ENV, startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { expandInputs } from '../../src/sources/expand-inputs.js';
import { readDocs } from '../../src/sources/read-docs.js';
import { RejectSink } from '../../src/util/reject-sink.js';
import { nextLink } from '../../src/sources/remote/hf-listing.js';
import { RemoteAccess } from '../../src/sources/remote/remote-access.js';
import { remoteSettings } from '../../src/sources/remote/remote-settings.js';
import { parseRemote } from '../../src/sources/remote/remote-url.js';
import { describeInputChange, inputIdentities } from '../../src/output-state/fingerprint.js';

let web: RangeServer;
let s3: S3TestServer;
const policy = { retries: 1, baseDelayMs: 1, maxDelayMs: 2, idleTimeoutMs: 5000 };

before(async () => {
  web = await RangeServer.start({ hub: true, pageSize: 3, gated: { '/datasets/acme/private': 'hf_good' } });
  web.put('/datasets/acme/private/train.jsonl', Buffer.from('{"text":"secret"}\n'));
  web.putFolder(fixture('corpus'), '/corpus');
  web.putFolder(fixture('parquet'), '/parquet');
  web.putFolder(fixture('hf'), '/hf');
  web.putFolder(fixture('bad'), '/bad');
  for (const p of ['a.jsonl', 'b.parquet', 'notes.txt', '.hidden.jsonl', 'sub/c.jsonl.zst', 'sub/deeper/d.jsonl']) {
    web.put(`/web/${p}`, Buffer.from(`{"text":"${p}"}\n`));
    web.put(`/datasets/acme/set/${p}`, Buffer.from(`{"text":"${p}"}\n`));
  }
  s3 = await startS3Server();
  for (const p of ['a.jsonl', 'b.parquet', 'notes.txt', 'sub/c.jsonl.zst', 'sub/deeper/d.jsonl', 'sub/e.jsonl']) await s3.put(`pre/${p}`, Buffer.from(`{"text":"${p}"}\n`));
});
after(async () => {
  await web.close();
  await s3.close();
});

const access = () => new RemoteAccess({ env: { ...S3_TEST_ENV, HF_ENDPOINT: web.url }, policy, s3Endpoint: s3.endpoint, s3PageSize: 2 });
const paths = async (pattern: string) => (await expandInputs([pattern], { remote: access() })).map((f) => f.path.replace(web.url, ''));

test('URL forms parse, with the revision of hf:// URLs and clear errors otherwise', () => {
  assert.deepEqual(parseRemote('hf://datasets/cerebras/SlimPajama-627B/train/**/*.zst'), { scheme: 'hf', repo: 'cerebras/SlimPajama-627B', revision: 'main', path: 'train/**/*.zst' });
  assert.deepEqual(parseRemote('hf://datasets/a/b@refs%2Fconvert%2Fparquet/x'), { scheme: 'hf', repo: 'a/b', revision: 'refs/convert/parquet', path: 'x' });
  assert.deepEqual(parseRemote('s3://bucket/p/*.parquet'), { scheme: 's3', bucket: 'bucket', key: 'p/*.parquet' });
  assert.throws(() => parseRemote('hf://models/a/b/x'), /not a Hub dataset URL; write it as hf:\/\/datasets\//);
  assert.equal(nextLink('<https://hub/api/x?cursor=abc>; rel="next"', 'https://hub/api/x'), 'https://hub/api/x?cursor=abc');
  assert.equal(nextLink(null, 'https://hub/'), undefined);
});

test('HTTP globs go through index pages: * stays in a folder, ** crosses folders, hidden and unsupported files are left out', async () => {
  assert.deepEqual(await paths(`${web.url}/web/*.jsonl`), ['/web/a.jsonl']);
  assert.deepEqual(await paths(`${web.url}/web/**/*.jsonl`), ['/web/a.jsonl', '/web/sub/deeper/d.jsonl']);
  assert.deepEqual(await paths(`${web.url}/web/`), ['/web/a.jsonl', '/web/b.parquet', '/web/sub/c.jsonl.zst', '/web/sub/deeper/d.jsonl']);
  await assert.rejects(paths(`${web.url}/web/*.txt`), /matches only unsupported files/);
  await assert.rejects(paths(`${web.url}/web/*.arrow`), /no files match .* check the pattern/);
  await assert.rejects(paths(`${web.url}/web/notes`), /has no supported file extension/);
  await assert.rejects(paths(`${web.url}/web/a.jsonl.gz`), /cannot find input .* \(HTTP 404\)/);
});

test('Hub paths: a file, a folder, a glob across listing pages, a missing path', async () => {
  const hf = 'hf://datasets/acme/set';
  assert.deepEqual(await paths(`${hf}/sub/c.jsonl.zst`), [`${hf}/sub/c.jsonl.zst`]);
  assert.deepEqual(await paths(`${hf}/sub`), [`${hf}/sub/c.jsonl.zst`, `${hf}/sub/deeper/d.jsonl`]);
  assert.deepEqual(await paths(`${hf}/**/*.jsonl`), [`${hf}/a.jsonl`, `${hf}/sub/deeper/d.jsonl`]);
  assert.deepEqual(await paths(`${hf}@v2/*.parquet`), [`${hf}@v2/b.parquet`]);
  await assert.rejects(paths(`${hf}/nothing/here.jsonl`), /^UserError: cannot list hf:\/\/datasets\/acme\/set\/nothing\/here\.jsonl: http:.* \(HTTP 404\): no such repository, revision or file on the Hub/);
  await assert.rejects(paths(`${hf}/missing.jsonl`), /no file or folder missing\.jsonl in dataset acme\/set at revision main/);
  const files = await expandInputs([`${hf}/a.jsonl`], { remote: access() });
  assert.equal(files[0]!.remote!.locator.kind === 'url' && files[0]!.remote!.locator.href, `${web.url}/datasets/acme/set/resolve/main/a.jsonl`);
});

test('S3: a key, a prefix, globs listed page by page (ListObjectsV2 continuation tokens)', async () => {
  assert.deepEqual(await paths('s3://corpus/pre/a.jsonl'), ['s3://corpus/pre/a.jsonl']);
  assert.deepEqual(await paths('s3://corpus/pre/sub'), ['s3://corpus/pre/sub/c.jsonl.zst', 's3://corpus/pre/sub/deeper/d.jsonl', 's3://corpus/pre/sub/e.jsonl']);
  assert.deepEqual(await paths('s3://corpus/pre/sub/*.jsonl'), ['s3://corpus/pre/sub/e.jsonl']);
  assert.deepEqual(await paths('s3://corpus/pre/**/*.jsonl'), ['s3://corpus/pre/a.jsonl', 's3://corpus/pre/sub/deeper/d.jsonl', 's3://corpus/pre/sub/e.jsonl']);
  const one = (await expandInputs(['s3://corpus/pre/a.jsonl'], { remote: access() }))[0]!;
  assert.equal(one.size, '{"text":"a.jsonl"}\n'.length);
  assert.match(one.remote!.etag!, /^"[0-9a-f]{32}"$/);
  await assert.rejects(paths('s3://corpus/nope/*.jsonl'), /no objects match s3:\/\/corpus\/nope\/\*\.jsonl/);
  await assert.rejects(paths('s3://no-such-bucket/x/*.parquet'), /cannot list s3:\/\/no-such-bucket\/x\/\*\.parquet \(HTTP 404 NoSuchBucket\): the bucket does not exist/);
});

test('a gated Hub dataset is listed and read with HF_TOKEN (sent to the Hub as a bearer token)', async () => {
  const remote = new RemoteAccess({ env: { HF_ENDPOINT: web.url, HF_TOKEN: 'hf_good' }, policy });
  const files = await expandInputs(['hf://datasets/acme/private/*.jsonl'], { remote });
  const docs: string[] = [];
  for await (const d of readDocs(files, { fields: { text: 'text', id: 'id' }, rejects: new RejectSink('fail', 0), remote })) docs.push(d.text ?? "");
  assert.deepEqual(docs, ['secret']);
  assert.ok(web.requests.filter((r) => r.path.includes('acme/private')).every((r) => r.authorization === 'Bearer hf_good' || r.path.startsWith('/cdn/')));
});

test('a refused resume names the input that changed, appeared or went away', () => {
  const old: Array<[string, number, number | string]> = [['s3://b/a.jsonl', 10, '"e1"'], ['data/x.jsonl', 5, 1000]];
  const kept = inputIdentities(old);
  assert.equal(describeInputChange(kept, [['s3://b/a.jsonl', 10, '"e2"'], ['data/x.jsonl', 5, 1000]]), 'input s3://b/a.jsonl changed underneath the build (its size or version is not what the build started with)');
  assert.equal(describeInputChange(kept, [['s3://b/a.jsonl', 10, '"e1"'], ['data/x.jsonl', 6, 1000]]), 'input data/x.jsonl changed underneath the build (its size or modification time is not what the build started with)');
  assert.equal(describeInputChange(kept, [['s3://b/a.jsonl', 10, '"e1"']]), '1 input the build started with is gone');
  assert.equal(describeInputChange(kept, [...old, ['s3://b/new.jsonl', 1, '"n"']]), 'input s3://b/new.jsonl is new since the build started');
  assert.equal(describeInputChange(kept, old), undefined);
  assert.equal(describeInputChange(undefined, old), undefined);
});

/** Documents (text, source) and rejects (reason, location without the file) of reading `pattern`. */
async function read(pattern: string, fields = { text: 'text', id: 'id' }): Promise<{ docs: string[]; rejects: string[]; reports: string[] }> {
  const rejects = new RejectSink('skip', 0);
  const seen: string[] = [];
  rejects.onReject((r) => seen.push(`${r.reason} ${JSON.stringify({ ...r.location, file: undefined })}`));
  const reports: import('../../src/sources/reader-context.js').FileReport[] = [];
  const docs: string[] = [];
  for await (const d of readDocs(await expandInputs([pattern], { remote: access() }), { fields, rejects, remote: access(), reports })) docs.push(`${d.source}|${d.text}`);
  return { docs, rejects: seen, reports: reports.map((r) => `${r.member ?? ''} ${r.status} ${r.documents} ${r.lines ?? r.rows ?? ''}`) };
}

test('every format reads the same documents, rejects and reports over HTTP as from disk', async () => {
  const cases: Array<[string, string, { text: string; id: string; source?: string }?]> = [
    ['corpus', 'sotu.jsonl.gz'],
    ['corpus', 'sotu.zip'],
    ['parquet', 'small.lz4.parquet'],
    ['parquet', 'small.nested.parquet', { text: 'doc.body', id: 'id', source: 'meta.redpajama_set_name' }],
    ['hf', 'sotu-head/data-00000-of-00001.arrow'],
    ['bad', 'truncated.jsonl.zst'],
    ['bad', 'truncated.parquet'],
    ['bad', 'invalid-utf8.jsonl'],
  ];
  for (const [dir, name, fields] of cases) {
    const local = await read(fixture(dir, name), fields);
    const remote = await read(`${web.url}/${dir}/${name}`, fields);
    assert.ok(local.docs.length + local.rejects.length > 0, name);
    assert.deepEqual(remote, local, name);
  }
});
