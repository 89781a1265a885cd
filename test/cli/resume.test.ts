import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fixture, packMixArgs } from '../helpers/corpus.js';
import { manifestOf, tempDir } from '../helpers/cli.js';
import { arrowHashes, skeinAsync } from '../helpers/spawn.js';
import { writeMixedInputs } from '../helpers/mixed-inputs.js';

/** Shard files: Arrow shards and Megatron .bin/.idx pairs. */
const SHARD_FILES = /\.(?:arrow|bin|idx)$/;

/** The output as a whole: every shard's bytes plus the JSON files (their `output.dir` aside, which names the folder). */
function snapshotOf(dir: string): Record<string, string> {
  const files: Record<string, string> = { ...arrowHashes(dir, SHARD_FILES) };
  for (const f of ['state.json', 'dataset_info.json', 'rejects.jsonl']) if (fs.existsSync(path.join(dir, f))) files[f] = fs.readFileSync(path.join(dir, f), 'utf8');
  const m = manifestOf(dir);
  delete m.config.output.dir;
  files['manifest.json'] = JSON.stringify(m);
  return files;
}

/**
 * Kills a build with SIGKILL at each point (the SKEIN_TEST_KILL hook), checks that no final name
 * holds a partial file at that moment, runs the same command again and compares everything with
 * an uninterrupted build.
 */
async function killAndResume(args: (out: string) => string[], points: string[], minShards: number, check: (m: any) => void = () => {}): Promise<void> {
  const base = tempDir('skein-resume-');
  const ref = path.join(base, 'ref');
  const r = await skeinAsync(args(ref));
  assert.equal(r.code, 0, r.stderr);
  const expected = snapshotOf(ref);
  const shards = manifestOf(ref).shards.length;
  check(manifestOf(ref));
  assert.ok(shards >= minShards, `the build has ${shards} shards`);
  for (const point of points) {
    const out = path.join(base, point.replace(':', '-'));
    const killed = await skeinAsync(args(out), { SKEIN_TEST_KILL: point });
    assert.equal(killed.signal, 'SIGKILL', `${point}: the build killed itself (${killed.stderr})`);
    // Never a partial file under a final name: every shard on disk is the finished one.
    const onDisk = arrowHashes(out, SHARD_FILES);
    for (const [name, sha] of Object.entries(onDisk)) assert.equal(sha, arrowHashes(ref, SHARD_FILES)[name], `${point}: ${name} is complete`);
    const resumed = await skeinAsync(args(out));
    assert.equal(resumed.code, 0, `${point}: ${resumed.stderr}`);
    const kept = new Set(Object.keys(onDisk).map((n) => n.replace(SHARD_FILES, ''))).size;
    if (point.startsWith('rows:') && kept > 0) assert.match(resumed.stdout, new RegExp(`resumed: kept ${kept} finished shard`), point);
    if (point.startsWith('shards:')) assert.match(resumed.stdout, new RegExp(`resumed: kept ${kept - 1} finished shard`), `${point}: the shard renamed just before the kill had no checkpoint yet`);
    assert.match(resumed.stdout, /removed a stale lock/);
    if (point === 'manifest:1') assert.match(resumed.stdout, /already complete: nothing was built/, 'killed after its manifest: the rerun only tidies up');
    assert.deepEqual(snapshotOf(out), expected, `${point}: resumed output equals the uninterrupted build`);
    assert.ok(!fs.existsSync(path.join(out, '.skein')), `${point}: the work folder is gone after completion`);
  }
}

test('SIGKILL mid-shard, between shards, before the first checkpoint and after the last: the resumed build is byte-identical (concat-chunk)', async () => {
  await killAndResume((out) => ['build', '--output', out, '--seq-len', '1024', '--shard-tokens', '20000', '--no-progress'], ['rows:1', 'rows:30', 'shards:3', 'checkpoints:10', 'manifest:1'], 10);
});

test('Megatron pairs: killed mid-pair, between pairs and after a checkpoint, the resumed build is byte-identical (pairs end inside rows)', async () => {
  await killAndResume((out) => ['build', '--output', out, '--seq-len', '1024', '--shard-tokens', '20000', '--format', 'megatron', '--no-progress'], ['rows:30', 'shards:3', 'checkpoints:4'], 8, (m) => {
    // Pairs end at document ends, not row ends: the rows they record do not add up to their tokens.
    assert.ok(m.shards.some((s: { rows: number; tokens: number }) => s.tokens !== s.rows * 1024), 'some pair ends inside a row');
  });
});

test('resume with carried state everywhere: pack best-fit open rows, shuffle buffer, group_by_length, per-source mixing that stops early, bad records skipped', async () => {
  const args = (out: string) => packMixArgs(out, ['builder.open_rows=6', 'order.group_by_length=5', 'tokenizer.batch_docs=16'], ['--no-progress']);
  await killAndResume(args, ['rows:5', 'checkpoints:3', 'shards:6'], 8, (m) => {
    assert.equal(m.mix.stopped_early, true, 'the mixer stopped reading mid-input');
    assert.ok(m.rejects.count > 0, 'bad records were skipped and logged');
    assert.deepEqual(m.order, { shuffle_buffer: 7, group_by_length: 5, curriculum: false, length_key: 'tokens' });
  });
});

test('resume inside a ZIP archive of many members (JSONL, .gz with trailing garbage, Parquet): identical shards, manifest inputs and notes', async () => {
  const dir = tempDir('skein-resume-zip-');
  const lines = fs.readFileSync(fixture('corpus', 'sotu.jsonl'), 'utf8').trim().split('\n');
  const { makeZip } = await import('../sources/helpers.js');
  const { gzipSync } = await import('node:zlib');
  const zip = path.join(dir, 'corpus.zip');
  fs.writeFileSync(
    zip,
    makeZip([
      ...lines.slice(0, 20).map((l, i) => ({ name: `part-${String(i).padStart(2, '0')}.jsonl`, data: `${l}\n` })),
      { name: 'part-20.jsonl.gz', data: Buffer.concat([gzipSync(`${lines.slice(20, 23).join('\n')}\n`), Buffer.from('trailing garbage')]) },
      { name: 'part-30.parquet', data: fs.readFileSync(fixture('parquet', 'small.snappy.parquet')) },
    ]),
  );
  await killAndResume((out) => ['build', '--input', zip, '--output', out, '--seq-len', '1024', '--shard-tokens', '20000', '--no-progress'], ['rows:1', 'checkpoints:4', 'shards:8'], 8, (m) => {
    assert.equal(m.inputs.length, 23, 'the archive and its 22 members');
    assert.match(m.inputs.find((i: any) => i.member === 'part-20.jsonl.gz').notes[0], /trailing garbage/);
  });
});

test('resume with the length curriculum: killed while spilling sorted runs and while merging them, the result is identical and ascending', async () => {
  const args = (out: string) => [
    'build',
    '--input',
    fixture('slimpajama', 'train'),
    '--source-field',
    'meta.redpajama_set_name',
    '--builder',
    'single',
    '--seq-len',
    '4096',
    '--shard-tokens',
    '60000',
    '--set',
    'order.curriculum=true',
    '--set',
    'order.curriculum_run_rows=150',
    '--set',
    'tokenizer.batch_docs=64',
    '--output',
    out,
    '--no-progress',
  ];
  await killAndResume(args, ['checkpoints:2', 'rows:200', 'shards:2'], 6, (m) => {
    assert.equal(m.order.curriculum, true);
    const starts = m.histograms.sample_tokens;
    assert.ok(starts.count === 923);
  });
});


test('resume with the tokenizer workers reading every format: many small JSONL files and a large one, zstd JSONL, Parquet, ZIP, bad records skipped', async () => {
  const inputs = writeMixedInputs(tempDir('skein-resume-mixed-'));
  await killAndResume(
    (out) => ['build', '--input', ...inputs, '--on-error', 'skip', '--workers', '2', '--seq-len', '1024', '--shard-tokens', '150000', '--output', out, '--no-progress'],
    ['rows:1', 'rows:600', 'shards:4', 'checkpoints:7'],
    8,
    (m) => assert.ok(m.documents.dropped.malformed_json > 0),
  );
});
