import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parquetMetadata } from 'hyparquet';
import { fixture } from '../helpers/corpus.js';
import { buildOutput, manifestOf, oneLineError, shardHashes, tempDir } from '../helpers/cli.js';
import { RangeServer } from '../helpers/range-server.js';
import { S3_TEST_ENV, startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import { arrowHashes, skeinAsync } from '../helpers/spawn.js';

/**
 * `skein build` over URLs against real servers on loopback: an HTTP server with Range support
 * (also serving the Hub's listing and resolve URLs, with HF_ENDPOINT pointed at it) and s3rver.
 * Every remote build must give the shards of the same build from local copies, byte for byte,
 * also through resets, 503 bursts, a server that vanishes and a SIGKILL.
 */

let web: RangeServer;
let s3: S3TestServer;
const base = tempDir('skein-remote-');
/** Short backoffs so that fault tests take milliseconds, not minutes. */
const FAST = { SKEIN_REMOTE_BACKOFF_MS: '5', SKEIN_REMOTE_MAX_BACKOFF_MS: '20' };
const common = ['--seq-len', '1024', '--shard-tokens', '40000', '--workers', '0', '--no-progress'];

before(async () => {
  web = await RangeServer.start({ hub: true, gated: { '/datasets/acme/private': 'hf_good' } });
  web.putFolder(fixture('corpus'), '/data');
  web.putFolder(fixture('slimpajama'), '/datasets/cerebras/SlimPajama-627B');
  web.putFolder(fixture('slimpajama'), '/slim');
  web.put('/datasets/acme/private/train.jsonl', Buffer.from('{"text":"secret"}\n'));
  s3 = await startS3Server();
  await s3.putFolder(fixture('corpus'), 'data');
  await s3.putFolder(fixture('slimpajama', 'train'), 'slim/train');
});
after(async () => {
  await web.close();
  await s3.close();
});

/** Runs a build into a fresh folder under `base`; returns the folder. */
async function build(name: string, input: string[], env: NodeJS.ProcessEnv = {}, extra: string[] = []): Promise<string> {
  const out = path.join(base, name);
  const r = await skeinAsync(['build', '--input', ...input, '--output', out, ...common, ...extra], { ...S3_TEST_ENV, HF_ENDPOINT: web.url, ...FAST, ...env });
  assert.equal(r.code, 0, `${name}: ${r.stderr}`);
  return out;
}

let localParquet: Record<string, string>;
let localSlim: Record<string, string>;

test('done when: Parquet over HTTP (a glob through the index page) and over S3 give the shards of the same build from local copies, byte for byte', async () => {
  localParquet = arrowHashes(await build('local-parquet', [fixture('corpus', '*.parquet')]));
  const http = await build('http-parquet', [`${web.url}/data/*.parquet`]);
  const viaS3 = await build('s3-parquet', ['s3://corpus/data/*.parquet'], {}, ['--s3-endpoint', s3.endpoint]);
  assert.ok(Object.keys(localParquet).length >= 3);
  assert.deepEqual(arrowHashes(http), localParquet);
  assert.deepEqual(arrowHashes(viaS3), localParquet);
  // The manifest records each remote input's URL, size and version.
  const m = manifestOf(viaS3);
  assert.deepEqual(
    m.inputs.map((i: { path: string }) => i.path),
    ['s3://corpus/data/sotu.snappy.parquet', 's3://corpus/data/sotu.zstd.parquet'],
  );
  assert.equal(m.inputs[0].size, fs.statSync(fixture('corpus', 'sotu.snappy.parquet')).size);
  assert.match(m.inputs[0].etag, /^"[0-9a-f]{32}"$/);
  assert.match(manifestOf(http).inputs[0].etag, /^".+-\d+"$/);
});

test('done when: JSONL.zst from the Hub (hf://, listing crossing pages) and over S3 (AWS_ENDPOINT_URL) equals the local build', async () => {
  localSlim = arrowHashes(await build('local-slim', [fixture('slimpajama', 'train')]));
  const hub = await build('hub-slim', ['hf://datasets/cerebras/SlimPajama-627B/train/**/*.jsonl.zst']);
  const viaS3 = await build('s3-slim', ['s3://corpus/slim/train/'], { AWS_ENDPOINT_URL: s3.endpoint });
  assert.ok(Object.keys(localSlim).length >= 3);
  assert.deepEqual(arrowHashes(hub), localSlim);
  assert.deepEqual(arrowHashes(viaS3), localSlim);
  const m = manifestOf(hub);
  assert.equal(m.inputs.length, manifestOf(path.join(base, 'local-slim')).inputs.length);
  assert.ok(m.inputs.length >= 6);
  assert.equal(m.inputs[0].path, 'hf://datasets/cerebras/SlimPajama-627B/train/chunk1/example_train_0.jsonl.zst');
  assert.match(m.inputs[0].etag, /^[0-9a-f]{64}$/, 'the Hub version is the LFS sha256');
  // The tree listing came in pages of 2 (Link: rel="next").
  assert.ok(web.count('/api/datasets/cerebras/SlimPajama-627B/tree/main/train') >= 4);
});

test('ZIP over HTTP by byte ranges (central directory, then each member) equals the local ZIP build', async () => {
  const local = await build('local-zip', [fixture('corpus', 'sotu.zip')]);
  web.requests.length = 0;
  const remote = await build('http-zip', [`${web.url}/data/sotu.zip`]);
  assert.deepEqual(arrowHashes(remote), arrowHashes(local));
  assert.ok(web.count('/data/sotu.zip', 'GET') <= 6, `a few range requests, not one per read (${web.count('/data/sotu.zip', 'GET')})`);
});

test('JSONL.zst over HTTP (a folder through its index page) with connection resets mid-file and 503 bursts: retried and resumed, the shards equal the local build', async () => {
  web.requests.length = 0;
  web.resetAfter('/slim/train/chunk1/example_train_1.jsonl.zst', 40_000, 2);
  web.failNext('/slim/train/chunk2/', 503, 3, 'GET');
  const out = await build('http-slim-faults', [`${web.url}/slim/train/`]);
  assert.deepEqual(arrowHashes(out), localSlim);
  const resumed = web.requests.filter((r) => r.path.endsWith('chunk1/example_train_1.jsonl.zst') && r.method === 'GET').map((r) => r.range);
  assert.deepEqual(resumed, ['bytes=0-118412', 'bytes=40000-118412', 'bytes=80000-118412'], 'each retry starts at the byte already received');
  assert.equal(web.requests.filter((r) => r.status === 503).length, 3);
});

test('a 404 member of a glob and a gated dataset end with one line naming the URL, the status and the fix', async () => {
  web.put('/gone/a.jsonl', Buffer.from('{"text":"a"}\n'));
  web.put('/gone/b.jsonl', Buffer.from('{"text":"b"}\n'));
  web.failNext('/gone/b.jsonl', 404, 10, 'GET');
  const env = { ...S3_TEST_ENV, HF_ENDPOINT: web.url, ...FAST };
  const gone = await skeinAsync(['build', '--input', `${web.url}/gone/*.jsonl`, '--output', path.join(base, 'gone'), ...common], env);
  oneLineError(gone, /cannot read http:\/\/127\.0\.0\.1:\d+\/gone\/b\.jsonl \(HTTP 404\): nothing there: check the URL/);
  web.clearFaults();
  const gated = await skeinAsync(['build', '--input', 'hf://datasets/acme/private/*.jsonl', '--output', path.join(base, 'gated'), ...common], env);
  oneLineError(gated, /cannot list hf:\/\/datasets\/acme\/private\/\*\.jsonl: http:\/\/127\.0\.0\.1:\d+\/api\/datasets\/acme\/private\/tree\/main\?.* \(HTTP 401\): .*set HF_TOKEN/);
  const wrong = await skeinAsync(['build', '--input', 'hf://datasets/acme/private/*.jsonl', '--output', path.join(base, 'gated2'), ...common], { ...env, HF_TOKEN: 'hf_bad' });
  oneLineError(wrong, /\(HTTP 403\): the repository is gated .*accept its conditions on its Hub page/);
  // With the right token (library level: hf-listing), and a missing bucket (remote-listing).
});

test('a server that vanishes mid-build ends with one line and the usual checkpoint; once it is back, the same command resumes byte-identical', async () => {
  const out = path.join(base, 'vanish');
  const args = ['build', '--input', `${web.url}/slim/train/`, '--output', out, ...common];
  const env = { ...FAST, SKEIN_REMOTE_RETRIES: '2' };
  web.vanishOn('/slim/train/chunk2/example_train_1.jsonl.zst');
  const cut = await skeinAsync(args, env);
  oneLineError(cut, /cannot read http:\/\/127\.0\.0\.1:\d+\/slim\/train\/chunk2\/example_train_1\.jsonl\.zst: connection failed \(.*ECONNREFUSED.*\), still after 2 retries; .*run the same command again/);
  assert.ok(fs.existsSync(path.join(out, '.skein', 'resume.json')), 'the checkpoint is kept');
  const kept = Object.keys(arrowHashes(out)).length;
  assert.ok(kept >= 1, 'shards finished before the fault are kept');
  await web.reopen();
  const again = await skeinAsync(args, env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`resumed: kept ${kept} finished shard`));
  assert.deepEqual(arrowHashes(out), localSlim);
});

test('SIGKILL mid-build on remote inputs, rerun: byte-identical; an object replaced between runs is refused, naming it', async () => {
  const out = path.join(base, 'killed');
  const args = ['build', '--input', `s3://corpus/slim/train/**/*.zst`, '--output', out, ...common, '--s3-endpoint', s3.endpoint];
  const killed = await skeinAsync(args, { ...S3_TEST_ENV, SKEIN_TEST_KILL: 'checkpoints:2' });
  assert.equal(killed.signal, 'SIGKILL', killed.stderr);
  const rerun = await skeinAsync(args, S3_TEST_ENV);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stdout, /resumed: kept 2 finished shards/);
  assert.deepEqual(arrowHashes(out), localSlim);

  const out2 = path.join(base, 'replaced');
  const args2 = ['build', '--input', `${web.url}/slim/train/`, '--output', out2, ...common];
  const killed2 = await skeinAsync(args2, { SKEIN_TEST_KILL: 'checkpoints:1' });
  assert.equal(killed2.signal, 'SIGKILL', killed2.stderr);
  const file = '/slim/train/chunk2/example_train_0.jsonl.zst';
  web.put(file, fs.readFileSync(fixture('slimpajama', 'train', 'chunk2', 'example_train_0.jsonl.zst')));
  const refused = await skeinAsync(args2);
  oneLineError(refused, new RegExp(`unfinished build of another configuration \\(input http://127\\.0\\.0\\.1:\\d+${file.replace(/\./g, '\\.')} changed underneath the build \\(its size or version is not what the build started with\\)\\)`));
});

test('--rank/--world-size split remote Parquet files into row groups exactly as local ones', async () => {
  const flags = ['--rank', '1', '--world-size', '2', '--allow-empty'];
  const dir = (d: string) => path.join(d, 'rank-00001-of-00002');
  const local = dir(await build('local-r1', [fixture('corpus', '*.parquet')], {}, flags));
  const remote = dir(await build('http-r1', [`${web.url}/data/*.parquet`], {}, flags));
  const lm = manifestOf(local);
  const rm = manifestOf(remote);
  assert.equal(lm.scale_out.units.total, 8, 'each row group of the two files is a unit');
  assert.deepEqual(rm.scale_out.units, lm.scale_out.units);
  const groups = (m: any) => m.inputs.map((i: { row_groups?: number[] }) => i.row_groups);
  assert.ok(groups(lm).some((g: number[] | undefined) => g !== undefined), 'rank 1 reads part of a file');
  assert.deepEqual(groups(rm), groups(lm));
  assert.deepEqual(arrowHashes(remote), arrowHashes(local));
});

/** A copy of small.snappy.parquet whose row group 1 (rows 2-3) does not decode: its text column's first page header is garbled. */
function brokenRowGroupParquet(): Buffer {
  const src = fs.readFileSync(fixture('parquet', 'small.snappy.parquet'));
  const meta = parquetMetadata(src.buffer.slice(src.byteOffset, src.byteOffset + src.length) as ArrayBuffer);
  const text1 = meta.row_groups[1]!.columns.find((c) => c.meta_data!.path_in_schema[0] === 'text')!.meta_data!;
  const broken = Buffer.from(src);
  broken.fill(0xff, Number(text1.data_page_offset), Number(text1.data_page_offset) + 64);
  return broken;
}

test('remote Parquet decoded by 0, 1, 2 and 4 tokenizer workers (bytes fetched by the main thread): the same shards, rejects.jsonl and manifest; a corrupt remote row group is a counted corrupt_input naming its rows', async () => {
  const broken = brokenRowGroupParquet();
  web.put('/bad/bad-group.parquet', broken);
  // The local copies mirror the URLs' folders (bad/, data/), so that inputs sort the same way on
  // both sides wherever the repository and the temporary folder are.
  const mirror = path.join(base, 'local-mirror');
  fs.mkdirSync(path.join(mirror, 'bad'), { recursive: true });
  fs.mkdirSync(path.join(mirror, 'data'), { recursive: true });
  fs.writeFileSync(path.join(mirror, 'bad', 'bad-group.parquet'), broken);
  for (const f of fs.readdirSync(fixture('corpus')).filter((n) => n.endsWith('.parquet'))) fs.copyFileSync(fixture('corpus', f), path.join(mirror, 'data', f));
  const flags = (workers: number) => ['--workers', String(workers), '--on-error', 'skip'];
  const local = await build('local-parquet-bad', [path.join(mirror, 'data', '*.parquet'), path.join(mirror, 'bad', 'bad-group.parquet')], {}, flags(2));
  const inputs = [`${web.url}/data/*.parquet`, `${web.url}/bad/bad-group.parquet`];
  const want = buildOutput(await build('http-parquet-w0', inputs, {}, flags(0)));
  assert.deepEqual(want.shards, shardHashes(local), 'the remote build equals the local one');
  assert.deepEqual(want.manifest.documents.dropped, { corrupt_input: 2 });
  const rejects = want.rejects.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rejects.length, 1);
  assert.deepEqual({ ...rejects[0], detail: undefined }, { reason: 'corrupt_input', file: `${web.url}/bad/bad-group.parquet`, row: 2, detail: undefined, documents: 2 });
  assert.match(rejects[0].detail, /^row group 1 \(rows 2-3\) cannot be decoded: /);
  for (const workers of [1, 2, 4]) {
    const dir = await build(`http-parquet-w${workers}`, inputs, {}, flags(workers));
    assert.equal(manifestOf(dir).tokenizer.worker_pool, true, 'the row groups went to the worker pool');
    assert.deepEqual(buildOutput(dir), want, `${workers} workers`);
  }
});
