// The build's reader with line blocks and small files read ahead gives what it gives without
// them: the same documents, each with the same reader snapshot (the counts a checkpoint stores).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DocSource, type ReaderSnapshot } from '../../src/input-plan/doc-source.js';
import type { ReadPlan } from '../../src/input-plan/read-plan.js';
import { readBlockRecords, type BlockProcessor } from '../../src/sources/block-records.js';
import { expandInputs } from '../../src/sources/expand-inputs.js';
import { fixture, withTempDir } from '../sources/helpers.js';

/** Processes blocks on this thread, slowly (a macrotask per block), the way results come back from workers. */
function slowBlocks(blockBytes: number, depth: number): BlockProcessor & { calls: number } {
  const p = {
    blockBytes,
    depth,
    calls: 0,
    process: async (block: Parameters<BlockProcessor['process']>[0], ctx: Parameters<BlockProcessor['process']>[1]) => {
      p.calls++;
      await new Promise((r) => setTimeout(r, 1));
      return readBlockRecords(block, ctx);
    },
  };
  return p;
}

async function readAll(plan: ReadPlan, dir: string, blocks?: BlockProcessor): Promise<{ docs: string[]; snaps: ReaderSnapshot[]; reports: unknown } | { error: string }> {
  let lines = 0;
  const source = new DocSource({ plan, seed: 0, policy: 'skip', displayRoot: dir, subsets: new Map(), rejectsLength: () => ({ bytes: 0, lines }), ...(blocks ? { blocks } : {}) });
  source.sink.onReject(() => lines++);
  const docs: string[] = [];
  const snaps: ReaderSnapshot[] = [];
  try {
    for (;;) {
      const batch = await source.nextBatch(7, 1 << 20);
      if (!batch) break;
      for (const d of batch.docs) {
        docs.push(`${d.doc.id} ${JSON.stringify(d.doc.loc)} ${d.doc.source}`);
        snaps.push({ ...d.after, reportsOpen: source.openReports(d.after) as never });
      }
      if (batch.last) break;
    }
  } finally {
    await source.close();
  }
  return { docs, snaps, reports: source.reports };
}

test('many small JSONL files (bad lines, a gzip one, an empty one) read ahead in line blocks: the same documents and reader snapshots as reading them one by one', async () => {
  await withTempDir(async (dir) => {
    const lines = readFileSync(fixture('corpus', 'sotu.jsonl'), 'utf8').trim().split('\n');
    mkdirSync(join(dir, 'in'));
    for (let i = 0; i < 30; i++) writeFileSync(join(dir, 'in', `f${String(i).padStart(2, '0')}.jsonl`), i === 7 ? '' : `${lines[i % lines.length]}\n${i % 4 === 0 ? 'not json\n' : ''}{"text": "  "}\n`);
    writeFileSync(join(dir, 'in', 'g.jsonl.gz'), readFileSync(fixture('corpus', 'sotu.jsonl.gz')));
    writeFileSync(join(dir, 'in', 'm.jsonl'), readFileSync(fixture('bad', 'malformed.jsonl')));
    const files = await expandInputs([join(dir, 'in')]);
    const plan: ReadPlan = {
      inputs: [{ index: 0, config: { path: join(dir, 'in'), fields: { text: 'text', id: 'id' } }, files }],
      items: files.map((file, fileIndex) => ({ input: 0, fileIndex, file })),
      bytesTotal: files.reduce((n, f) => n + f.size, 0),
      fraction: 1,
      units: { total: 1, mine: 1 },
    } as unknown as ReadPlan;
    // Bytes read are counted per block (with the block they were read for), the streaming reader
    // counts them per 64 KiB read: compared apart, below.
    const noBytes = (r: unknown) => JSON.parse(JSON.stringify(r, (k, v) => (k === 'bytes' || k === 'bytesRead' ? undefined : v)));
    const want = await readAll(plan, dir);
    assert.ok('docs' in want && want.docs.length > 50);
    for (const bytes of [1 << 20, 300]) {
      const runs = [];
      for (const depth of [1, 2, 5]) {
        const blocks = slowBlocks(bytes, depth);
        const got = await readAll(plan, dir, blocks);
        assert.deepEqual(noBytes(got), noBytes(want), `blocks of ${bytes}, ${depth} in flight`);
        assert.ok(blocks.calls >= 30, 'the files went through the block processor');
        runs.push(got);
      }
      // Every count, bytes included, is the same however many blocks and files are read ahead.
      assert.deepEqual(runs[1], runs[0]);
      assert.deepEqual(runs[2], runs[0]);
      const last = runs[0]! as { snaps: ReaderSnapshot[] };
      assert.equal(last.snaps.at(-1)!.bytesRead, plan.bytesTotal);
    }
  });
});
