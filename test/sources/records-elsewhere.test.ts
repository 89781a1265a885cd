import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { compress as zstdCompress } from 'zstd-napi';
import { readBlockRecords, type BlockProcessor } from '../../src/sources/block-records.js';
import type { Doc } from '../../src/sources/doc.js';
import { readRowGroupRecords } from '../../src/sources/parquet-row-group.js';
import { readJsonl } from '../../src/sources/jsonl-reader.js';
import type { FileReport, ReaderContext } from '../../src/sources/reader-context.js';
import { RejectSink } from '../../src/util/reject-sink.js';
import { expandInputs } from '../../src/sources/expand-inputs.js';
import { readDocs } from '../../src/sources/read-docs.js';
import { cut, ROOT } from './helpers.js';

/** Reads the records of line blocks (tiny ones) and of Parquet row groups on this thread, through the same functions the workers run. */
function inProcess(blockBytes: number, depth: number): BlockProcessor {
  return { blockBytes, depth, process: async (block, ctx) => readBlockRecords(block, ctx), processRowGroup: (task, ctx) => readRowGroupRecords(task, ctx) };
}

/** Everything a reader shows: documents (with the counts at each), rejects in order, the final report. */
async function observe(chunks: Buffer[], maxLineBytes: number, blocks?: BlockProcessor): Promise<{ events: string[]; report: FileReport; error?: string }> {
  const rejects = new RejectSink('skip');
  const events: string[] = [];
  rejects.onReject((r) => events.push(`reject ${RejectSink.describe(r)} x${r.documents}`));
  const report: FileReport = { path: 'in.jsonl', format: 'jsonl', bytes: 0, documents: 0, status: 'ok' };
  let bytes = 0;
  const ctx: ReaderContext = { displayPath: 'in.jsonl', fields: { text: 'text', source: 'src' }, sourceName: 'in', rejects, report, limits: { maxLineBytes, maxZstdWindow: 1 << 27 }, onBytes: (n) => (bytes += n), ...(blocks ? { blocks } : {}) };
  const source = (async function* () {
    yield* chunks;
  })();
  try {
    for await (const d of readJsonl(source, 'none', ctx)) events.push(`doc ${show(d)} lines=${report.lines} docs=${report.documents} counts=${JSON.stringify(rejects.counts)}`);
  } catch (e) {
    return { events, report: { ...report }, error: (e as Error).message };
  }
  events.push(`bytes ${bytes}`);
  return { events, report: { ...report } };
}

function show(d: Doc): string {
  return JSON.stringify({ id: d.id, source: d.source, loc: d.loc, text: d.text, messages: d.messages });
}

/** Lines of every kind the reader tells apart. */
const lineArb = fc.oneof(
  fc.record({ text: fc.string({ maxLength: 40 }), src: fc.constantFrom('a', 'b', '') }).map((r) => JSON.stringify(r)),
  fc.record({ id: fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), text: fc.string({ maxLength: 60 }) }).map((r) => JSON.stringify(r)),
  fc.constantFrom('', ' ', '\r', '{"text": "   "}', '{"text": 3}', '{"other": 1}', '[1,2]', '"x"', 'not json', '{"text": "é"}\r', '\ufeff{"text": "bom"}', '{"text": null}'),
  fc.string({ maxLength: 80 }),
  fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('latin1')),
  // Runs of empty lines long enough to be counted without being copied.
  fc.integer({ min: 4000, max: 9000 }).map((n) => '\n'.repeat(n)),
);

test('line blocks read anywhere give exactly the streaming reader: documents, ids, line numbers, rejects in order, counts at every document, bytes', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(lineArb, { maxLength: 40 }),
      fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 5000 }), { maxLength: 30 }),
      fc.integer({ min: 1, max: 200 }),
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 1, max: 4 }),
      async (lines, finalNewline, cuts, maxLineBytes, blockBytes, depth) => {
        const text = Buffer.from(lines.join('\n') + (finalNewline ? '\n' : ''), 'latin1');
        const want = await observe(cut(text, cuts), maxLineBytes);
        const got = await observe(cut(text, cuts), maxLineBytes, inProcess(blockBytes, depth));
        assert.deepEqual(got, want);
      },
    ),
    { numRuns: 400 },
  );
});

test('the bad-input fixtures, Parquet files of every codec and the corpora read the same through line blocks and row groups read elsewhere, under skip and under fail', async () => {
  for (const policy of ['skip', 'fail'] as const) {
    const wrong: string[] = [];
    for (const files of [['fixtures/bad/*.jsonl', 'fixtures/bad/*.jsonl.gz', 'fixtures/bad/*.jsonl.zst'], ['fixtures/bad/*.parquet'], ['fixtures/parquet'], ['fixtures/corpus'], ['fixtures/slimpajama']]) {
      const run = async (blocks?: BlockProcessor) => {
        const reports: FileReport[] = [];
        const rejects = new RejectSink(policy);
        const docs: string[] = [];
        let bytes = 0;
        try {
          // Each document with the counts its reader shows when it is yielded (what a checkpoint stores).
          for await (const d of readDocs(await expandInputs(files, { cwd: ROOT }), { fields: { text: 'text' }, displayRoot: ROOT, rejects, reports, onBytes: (n) => (bytes += n), ...(blocks ? { blocks } : {}) })) {
            const r = reports[reports.length - 1]!;
            // The reader's counts stand at the document it yields (the whole file is read: rows before it all counted).
            if (d.loc.row !== undefined && r.rows !== d.loc.row + 1) wrong.push(`${d.id}: rows ${r.rows}`);
            if (d.loc.line !== undefined && r.lines !== d.loc.line) wrong.push(`${d.id}: lines ${r.lines}`);
            docs.push(`${show(d)} rows=${r.rows} lines=${r.lines} docs=${r.documents} rejects=${rejects.kept.length}`);
          }
          return { docs, kept: rejects.kept, counts: rejects.counts, reports, bytes };
        } catch (e) {
          return { error: (e as Error).message, docs };
        }
      };
      const want = await run();
      for (const [bytes, depth] of [[64, 1], [1000, 3], [1 << 20, 2]] as const) assert.deepEqual(await run(inProcess(bytes, depth)), want, `${files} ${policy} blocks of ${bytes}`);
    }
    assert.deepEqual(wrong, [], 'the counts at each document are the line or row it was read at');
  }
});

test('a compressed stream that fails mid-way: the complete lines come through line blocks, then the same fault report', async () => {
  const plain = Buffer.from(Array.from({ length: 300 }, (_, i) => JSON.stringify({ text: `line ${i} `.repeat(i % 7 + 1) }) + '\n').join(''));
  for (const packed of [gzipSync(plain), Buffer.from(zstdCompress(plain))]) {
    for (const keep of [packed.length - 3, Math.floor(packed.length / 2), 40]) {
      const cutShort = packed.subarray(0, keep);
      const read = async (blocks?: BlockProcessor) => {
        const rejects = new RejectSink('skip');
        const report: FileReport = { path: 'x.jsonl.gz', format: 'jsonl', bytes: 0, documents: 0, status: 'ok' };
        const ctx: ReaderContext = { displayPath: 'x.jsonl.gz', fields: { text: 'text' }, sourceName: 'x', rejects, report, ...(blocks ? { blocks } : {}) };
        const ids: string[] = [];
        for await (const d of readJsonl((async function* () { yield cutShort; })(), 'gzip', ctx, { size: cutShort.length })) ids.push(d.id);
        return { ids, kept: rejects.kept, report };
      };
      const want = await read();
      assert.equal(want.kept.length, 1);
      assert.deepEqual(await read(inProcess(500, 2)), want);
    }
  }
});
