import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { markOwned, MIN_OWNED_BYTES } from '../../src/samples/owned-arrays.js';
import type { Sample } from '../../src/samples/sample.js';
import { ShardWriter, type ColumnSet, type ShardInfo } from '../../src/shards/index.js';
import { ShardWriteThread } from '../../src/shards/shard-write-thread.js';
import { describeEnvironmentError } from '../../src/util/environment-error.js';
import { COLUMN_SETS, makeSample, sampleArb, tempDir } from './helpers.js';

/** Writes `samples` with a writer on this thread or on its own; returns the shards and every file's bytes. */
async function write(dir: string, samples: readonly Sample[], cols: ColumnSet, thread: boolean, opts: { shardTokens: number; batchRows: number }) {
  const w = new ShardWriter(dir, { columns: cols, ...opts, thread });
  for (const s of samples) await w.write(s);
  const shards: ShardInfo[] = await w.close();
  const files = Object.fromEntries(await Promise.all(readdirSync(dir).sort().map(async (f) => [f, await readFile(join(dir, f))] as const)));
  return { shards, files };
}

/** A copy of `s` whose arrays are fresh (so that the two writers never share one). */
function copySample(s: Sample): Sample {
  const c: Sample = { inputIds: s.inputIds.slice(), docLengths: s.docLengths.slice() };
  if (s.positionIds) c.positionIds = s.positionIds.slice();
  if (s.lossMask) c.lossMask = s.lossMask.slice();
  if (s.docSources) c.docSources = [...s.docSources];
  return c;
}

test('a writer on its own thread writes the same bytes, shard list and sha256s as one on the calling thread', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...COLUMN_SETS).chain((cols) =>
        fc.record({
          cols: fc.constant(cols),
          samples: fc.array(sampleArb(cols), { maxLength: 25 }),
          shardTokens: fc.integer({ min: 1, max: 200 }),
          batchRows: fc.integer({ min: 1, max: 6 }),
        }),
      ),
      async ({ cols, samples, shardTokens, batchRows }) => {
        const a = await tempDir();
        const b = await tempDir();
        try {
          const inline = await write(a.dir, samples.map(copySample), cols, false, { shardTokens, batchRows });
          const threaded = await write(b.dir, samples.map(copySample), cols, true, { shardTokens, batchRows });
          assert.deepEqual(threaded.shards, inline.shards);
          assert.deepEqual(Object.keys(threaded.files), Object.keys(inline.files));
          for (const f of Object.keys(inline.files)) assert.ok(threaded.files[f]!.equals(inline.files[f]!), f);
        } finally {
          await a.cleanup();
          await b.cleanup();
        }
      },
    ),
    { numRuns: 25 },
  );
});

test("rows' own arrays move to the thread; views into a shared buffer are copied and the buffer stays whole", async () => {
  const cols: ColumnSet = { positionIds: true, lossMask: true, docSources: true };
  const n = MIN_OWNED_BYTES; // 4 × MIN_OWNED_BYTES bytes of ids: large enough to move
  const owned = makeSample([n / 2, n / 2], cols, 1);
  markOwned(owned.inputIds);
  markOwned(owned.positionIds!);
  markOwned(owned.lossMask!);
  // A row whose ids are a view into a larger buffer (as a tokenizer worker's batch of documents is).
  const shared = new Int32Array(3 * n).map((_, i) => i);
  const view: Sample = { ...makeSample([n], cols, 2), inputIds: shared.subarray(n, 2 * n) };
  // A row marked owned whose positions are the same array as its ids (moved once, not twice).
  const same = makeSample([n], { ...cols }, 3);
  same.positionIds = markOwned(same.inputIds);
  const expected = [owned, view, same].map(copySample);
  const { dir, cleanup } = await tempDir();
  try {
    const w = new ShardWriter(dir, { columns: cols, shardTokens: 1 << 30, batchRows: 2, thread: true });
    for (const s of [owned, view, same]) await w.write(s);
    await w.close();
    assert.equal(owned.inputIds.length, 0, 'an owned array was transferred');
    assert.equal(owned.lossMask!.length, 0);
    assert.equal(view.inputIds.length, n, 'a view is copied, never transferred');
    assert.deepEqual(shared, new Int32Array(3 * n).map((_, i) => i));
    const inline = await tempDir();
    try {
      const again = await write(inline.dir, expected, cols, false, { shardTokens: 1 << 30, batchRows: 2 });
      assert.ok((await readFile(join(dir, 'shard-00000.arrow'))).equals(again.files['shard-00000.arrow']!));
    } finally {
      await inline.cleanup();
    }
  } finally {
    await cleanup();
  }
});

test("an error on the writing thread reaches the caller with its code and path, and abort leaves no temporary file", async () => {
  const cols = COLUMN_SETS[0]!;
  const { dir, cleanup } = await tempDir();
  try {
    const out = join(dir, 'out');
    // The folder disappears between the writer recording the file and the thread creating it.
    const w = new ShardWriter(out, { columns: cols, shardTokens: 10, batchRows: 1, thread: true, onCreate: () => rmSync(out, { recursive: true }) });
    const err = await w.write(makeSample([4], cols)).then(
      async () => {
        await w.close();
        return undefined;
      },
      (e: unknown) => e,
    ).catch((e: unknown) => e);
    assert.ok(err instanceof Error, 'the failure surfaced');
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOENT');
    assert.match(describeEnvironmentError(err) ?? '', /^cannot open .*\/out\/\.shard-00000\.arrow\.tmp: no such file or folder/);
    await w.abort();
    assert.equal(existsSync(out), false);

    // A shard in progress is discarded by abort: its temporary file is removed, finished shards stay.
    const out2 = join(dir, 'out2');
    const w2 = new ShardWriter(out2, { columns: cols, shardTokens: 10, batchRows: 1, thread: true });
    await w2.write(makeSample([12], cols));
    await w2.write(makeSample([3], cols));
    await w2.abort();
    assert.deepEqual(readdirSync(out2), ['shard-00000.arrow']);
  } finally {
    await cleanup();
  }
});

test('a thread started ahead and stopped without a shard leaves nothing behind', async () => {
  const t = new ShardWriteThread(COLUMN_SETS[3]!);
  await t.ready();
  await t.stop();
  await t.stop();
  await assert.rejects(t.open('/nonexistent/x.tmp'), /stopped/);
});
