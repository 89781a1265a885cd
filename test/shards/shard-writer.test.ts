import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { RecordBatchReader } from 'apache-arrow';
import fc from 'fast-check';
import type { Sample } from '../../src/samples/sample.js';
import { openDataset, ShardWriter, writeShards, type ColumnSet } from '../../src/shards/index.js';
import { COLUMN_SETS, makeManifest, makeSample, sampleArb, tempDir, writeDataset } from './helpers.js';
import { writeManifest } from '../../src/shards/manifest.js';

/** Reads every row back through the reader API. */
async function readBack(dir: string) {
  const rows = [];
  for await (const r of (await openDataset(dir)).rows()) rows.push(r);
  return rows;
}

/** Asserts that the rows read back equal the samples written, column by column. */
function assertSameRows(rows: Awaited<ReturnType<typeof readBack>>, samples: Sample[], cols: ColumnSet): void {
  assert.equal(rows.length, samples.length);
  rows.forEach((r, i) => {
    const s = samples[i]!;
    assert.deepEqual(r.inputIds, s.inputIds);
    assert.deepEqual(r.docLengths, s.docLengths);
    if (cols.positionIds) assert.deepEqual(r.positionIds, s.positionIds);
    assert.deepEqual(r.lossMask, s.lossMask);
    assert.deepEqual(r.docSources, s.docSources);
  });
}

test('round trip: random samples → ShardWriter → openDataset().rows() equal the input', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...COLUMN_SETS).chain((cols) =>
        fc.record({
          cols: fc.constant(cols),
          samples: fc.array(sampleArb(cols), { maxLength: 30 }),
          shardTokens: fc.integer({ min: 1, max: 300 }),
          batchRows: fc.integer({ min: 1, max: 8 }),
          batchTokens: fc.integer({ min: 1, max: 200 }),
        }),
      ),
      async ({ cols, samples, shardTokens, batchRows, batchTokens }) => {
        const { dir, cleanup } = await tempDir();
        try {
          const shards = await writeDataset(dir, samples, { columns: cols, shardTokens, batchRows, batchTokens });
          assert.equal(shards.reduce((n, s) => n + s.rows, 0), samples.length);
          assert.equal(shards.reduce((n, s) => n + s.tokens, 0), samples.reduce((n, s) => n + s.inputIds.length, 0));
          assertSameRows(await readBack(dir), samples, cols);
        } finally {
          await cleanup();
        }
      },
    ),
    { numRuns: 60 },
  );
});

test('shards roll over at the first row boundary at or after the token target; no .tmp left', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cols = COLUMN_SETS[3]!;
    // rows of 40 tokens, target 100: each shard closes after its 3rd row (120 ≥ 100).
    const samples = Array.from({ length: 10 }, (_, i) => makeSample([15, 25], cols, i));
    const shards = await writeDataset(dir, samples, { columns: cols, shardTokens: 100, batchRows: 2 });
    assert.deepEqual(shards.map((s) => [s.file, s.rows, s.tokens]), [
      ['shard-00000.arrow', 3, 120],
      ['shard-00001.arrow', 3, 120],
      ['shard-00002.arrow', 3, 120],
      ['shard-00003.arrow', 1, 40],
    ]);
    const files = (await readdir(dir)).sort();
    assert.deepEqual(files, ['dataset_info.json', 'manifest.json', ...shards.map((s) => s.file), 'state.json'].sort());
    assert.ok(!files.some((f) => f.endsWith('.tmp')));
    for (const s of shards) {
      const bytes = await readFile(join(dir, s.file));
      assert.equal(bytes.length, s.bytes);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), s.sha256, 'sha256 computed while writing matches the file');
    }
    assertSameRows(await readBack(dir), samples, cols);
  } finally {
    await cleanup();
  }
});

test('a row exactly at the target closes the shard; an exact multiple leaves no empty trailing shard', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cols = COLUMN_SETS[0]!;
    const shards = await writeDataset(dir, [makeSample([50], cols), makeSample([50], cols)], { columns: cols, shardTokens: 50 });
    assert.deepEqual(shards.map((s) => [s.rows, s.tokens]), [[1, 50], [1, 50]]);
  } finally {
    await cleanup();
  }
});

test('record batches are flushed at batchRows or batchTokens, whichever comes first', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cols = COLUMN_SETS[0]!;
    const samples = Array.from({ length: 7 }, (_, i) => makeSample([i < 4 ? 10 : 100], cols, i));
    const [shard] = await writeDataset(dir, samples, { columns: cols, shardTokens: 1e9, batchRows: 3, batchTokens: 150 });
    const reader = await RecordBatchReader.from(await readFile(join(dir, shard!.file)));
    const sizes = [...reader].map((b) => b.numRows);
    // rows 0-2 (30 tokens, 3 rows) | row 3 + row 4 (110) + row 5 (210 ≥ 150) | row 6
    assert.deepEqual(sizes, [3, 3, 1]);
  } finally {
    await cleanup();
  }
});

test('identical input gives byte-identical shards (sha256)', async () => {
  const cols = COLUMN_SETS[3]!;
  const samples = Array.from({ length: 25 }, (_, i) => makeSample([i % 7, 13, (i * 5) % 11], cols, i));
  const digests: string[][] = [];
  for (let run = 0; run < 2; run++) {
    const { dir, cleanup } = await tempDir();
    try {
      const shards = await writeDataset(dir, samples, { columns: cols, shardTokens: 120, batchRows: 4 });
      const files = await Promise.all(shards.map((s) => readFile(join(dir, s.file))));
      digests.push(files.map((b) => createHash('sha256').update(b).digest('hex')));
      digests.push(shards.map((s) => s.sha256));
      digests.push([await readFile(join(dir, 'state.json'), 'utf8'), await readFile(join(dir, 'dataset_info.json'), 'utf8')]);
    } finally {
      await cleanup();
    }
  }
  assert.ok(digests[0]!.length > 1);
  assert.deepEqual(digests.slice(0, 3), digests.slice(3, 6));
});

test('no samples: one empty shard so the folder is still a dataset', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const shards = await writeDataset(dir, [], { columns: COLUMN_SETS[1]!, shardTokens: 10 });
    assert.equal(shards.length, 1);
    assert.equal(shards[0]!.rows, 0);
    assert.deepEqual(await readBack(dir), []);
  } finally {
    await cleanup();
  }
});

test('writeShards composes with stream.pipeline and exposes .shards after finish', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cols = COLUMN_SETS[2]!;
    const samples = Array.from({ length: 20 }, (_, i) => makeSample([8, 2], cols, i));
    const sink = writeShards(dir, { columns: cols, shardTokens: 50, batchRows: 3 });
    assert.equal(sink.shards.length, 0, "no shards before finish");
    await pipeline(Readable.from(samples), sink);
    assert.equal(sink.shards.length, 4);
    assert.deepEqual(sink.shards.map((s) => s.rows), [5, 5, 5, 5]);
    await writeManifest(dir, makeManifest(sink.shards, cols));
    assertSameRows(await readBack(dir), samples, cols);
  } finally {
    await cleanup();
  }
});

test('a failing pipeline leaves no temp file and only complete shards', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cols = COLUMN_SETS[0]!;
    async function* source() {
      for (let i = 0; i < 5; i++) yield makeSample([10], cols, i);
      throw new Error('upstream failed');
    }
    const sink = writeShards(dir, { columns: cols, shardTokens: 30 });
    await assert.rejects(pipeline(source, sink), /upstream failed/);
    const files = await readdir(dir).catch(() => []);
    assert.ok(files.every((f) => /^shard-\d{5}\.arrow$/.test(f)), `only final shard names: ${files.join(', ')}`);
  } finally {
    await cleanup();
  }
});

test('abort removes the unfinished shard temp file and keeps finished shards', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cols = COLUMN_SETS[0]!;
    const writer = new ShardWriter(dir, { columns: cols, shardTokens: 30 });
    for (let i = 0; i < 5; i++) await writer.write(makeSample([10], cols, i));
    assert.deepEqual((await readdir(dir)).sort(), ['.shard-00001.arrow.tmp', 'shard-00000.arrow']);
    assert.deepEqual(writer.shards.map((s) => s.rows), [3]);
    await writer.abort();
    assert.deepEqual(await readdir(dir), ['shard-00000.arrow']);
    await assert.rejects(writer.write(makeSample([1], cols)), /aborted/);
  } finally {
    await cleanup();
  }
});

test('a bad sample is an internal error naming the invariant and the row', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cols = COLUMN_SETS[0]!;
    const writer = new ShardWriter(dir, { columns: cols, shardTokens: 100 });
    await writer.write(makeSample([4], cols));
    await assert.rejects(writer.write({ inputIds: new Int32Array(3), docLengths: Int32Array.of(2) }), /row 1: sum\(docLengths\) = 2 != inputIds.length = 3/);
    await writer.abort();
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await cleanup();
  }
});

test('options are checked', () => {
  const columns = COLUMN_SETS[0]!;
  assert.throws(() => new ShardWriter('x', { columns, shardTokens: 0 }), /shardTokens/);
  assert.throws(() => new ShardWriter('x', { columns, shardTokens: 1, batchTokens: 2 ** 31 }), /batchTokens/);
  assert.throws(() => new ShardWriter('x', { columns, shardTokens: 1, prefix: '../x' }), /prefix/);
});
