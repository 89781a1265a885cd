import assert from 'node:assert/strict';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDataset, positionIds, segmentIds, verifyShards, writeManifest } from '../../src/shards/index.js';
import { UserError } from '../../src/util/errors.js';
import { COLUMN_SETS, makeManifest, makeSample, tempDir, writeDataset } from './helpers.js';

test('reset positions and document segments are reconstructed per row', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cols = COLUMN_SETS[0]!;
    const samples = [makeSample([3, 4, 1], cols, 1), makeSample([2, 2], cols, 2)];
    await writeDataset(dir, samples, { columns: cols, shardTokens: 1000 }, { attention: 'document', positions: 'reset' });
    const rows = [];
    for await (const r of (await openDataset(dir)).rows()) rows.push(r);
    assert.deepEqual(Array.from(rows[0]!.positionIds), [0, 1, 2, 0, 1, 2, 3, 0]);
    assert.deepEqual(Array.from(rows[0]!.segmentIds), [0, 0, 0, 1, 1, 1, 1, 2]);
    assert.deepEqual(Array.from(rows[1]!.positionIds), [0, 1, 0, 1]);
    assert.deepEqual(Array.from(rows[1]!.segmentIds), [0, 0, 1, 1]);
    assert.equal(rows[0]!.lossMask, undefined);
    assert.equal(rows[0]!.docSources, undefined);
  } finally {
    await cleanup();
  }
});

test('explicit positions come from the column; causal segments are all 0; continuous counts up', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cols = COLUMN_SETS[1]!;
    const s = makeSample([5, 3], cols, 9);
    await writeDataset(dir, [s], { columns: cols, shardTokens: 1000 }, { attention: 'causal', positions: 'explicit' });
    const ds = await openDataset(dir);
    for await (const r of ds.rows()) {
      assert.deepEqual(r.positionIds, s.positionIds);
      assert.deepEqual(Array.from(r.segmentIds), Array.from(segmentIds([5, 3], 'causal')));
    }
    const m = { ...ds.manifest, positions: 'continuous' as const };
    await writeManifest(dir, m);
    for await (const r of (await openDataset(dir)).rows()) assert.deepEqual(r.positionIds, positionIds([5, 3], 'continuous', 8));
  } finally {
    await cleanup();
  }
});

test('a missing shard is a UserError naming the file, at open and while reading', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cols = COLUMN_SETS[0]!;
    const samples = Array.from({ length: 6 }, (_, i) => makeSample([10], cols, i));
    await writeDataset(dir, samples, { columns: cols, shardTokens: 20 });
    const ds = await openDataset(dir);
    await rm(join(dir, 'shard-00002.arrow'));
    await assert.rejects(openDataset(dir), (e: unknown) => e instanceof UserError && /shard-00002\.arrow.*is missing/.test(e.message));
    let read = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of ds.rows()) read++;
      })(),
      (e: unknown) => e instanceof UserError && /shard-00002\.arrow/.test(e.message),
    );
    assert.equal(read, 4);
  } finally {
    await cleanup();
  }
});

test('a shard with another row count than the manifest says is reported', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cols = COLUMN_SETS[0]!;
    const shards = await writeDataset(dir, [makeSample([4], cols), makeSample([4], cols)], { columns: cols, shardTokens: 100 });
    await writeManifest(dir, makeManifest([{ ...shards[0]!, rows: 3 }], cols));
    await assert.rejects(
      (async () => {
        for await (const _ of (await openDataset(dir)).rows());
      })(),
      /holds 2 rows but the manifest says 3/,
    );
  } finally {
    await cleanup();
  }
});

test('verifyShards: empty when intact; reports changed, truncated and missing shards', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cols = COLUMN_SETS[3]!;
    const samples = Array.from({ length: 8 }, (_, i) => makeSample([6, 4], cols, i));
    const shards = await writeDataset(dir, samples, { columns: cols, shardTokens: 20 });
    assert.equal(shards.length, 4);
    assert.deepEqual(await verifyShards(dir), []);
    const p0 = join(dir, shards[0]!.file);
    const bytes = await readFile(p0);
    bytes[bytes.length - 20] ^= 0xff;
    await writeFile(p0, bytes);
    await appendFile(join(dir, shards[1]!.file), 'x');
    await rm(join(dir, shards[3]!.file));
    const problems = await verifyShards(dir);
    assert.deepEqual(
      problems.map((p) => [p.file, p.problem]),
      [
        [shards[0]!.file, 'sha256'],
        [shards[1]!.file, 'bytes'],
        [shards[3]!.file, 'missing'],
      ],
    );
    assert.equal(problems[0]!.expected, shards[0]!.sha256);
    assert.equal(problems[1]!.actual, shards[1]!.bytes + 1);
  } finally {
    await cleanup();
  }
});

test('explicit positions without a position_ids column is refused at open', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cols = COLUMN_SETS[0]!;
    await writeDataset(dir, [makeSample([4], cols)], { columns: cols, shardTokens: 100 }, { positions: 'explicit' });
    await assert.rejects(openDataset(dir), /positions "explicit" but lists no position_ids column/);
  } finally {
    await cleanup();
  }
});

test('breaking out of rows() early releases the file and a new rows() starts over', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cols = COLUMN_SETS[2]!;
    const samples = Array.from({ length: 50 }, (_, i) => makeSample([i + 1], cols, i));
    await writeDataset(dir, samples, { columns: cols, shardTokens: 200, batchRows: 4 });
    const ds = await openDataset(dir);
    let n = 0;
    for await (const r of ds.rows()) {
      assert.deepEqual(r.inputIds, samples[n]!.inputIds);
      if (++n === 7) break;
    }
    const again = [];
    for await (const r of ds.rows()) again.push(r.docSources![0]);
    assert.deepEqual(again, samples.map((s) => s.docSources![0]));
  } finally {
    await cleanup();
  }
});
