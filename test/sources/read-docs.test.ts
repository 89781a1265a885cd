import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Doc } from '../../src/sources/doc.js';
import { expandInputs } from '../../src/sources/expand-inputs.js';
import { displayPathOf, docStream, readDocs } from '../../src/sources/read-docs.js';
import type { FileReport } from '../../src/sources/reader-context.js';
import { RejectSink } from '../../src/util/reject-sink.js';
import { expected, readAll, ROOT, withTempDir } from './helpers.js';

const corpus = expected('corpus.json');

test('all corpus formats together: every file in path order, reports per input, progress adds up', async () => {
  const { docs, reports, bytes, size } = await readAll(['fixtures/corpus']);
  assert.equal(docs.length, 6 * corpus.documents);
  for (let f = 0; f < 6; f++) {
    assert.deepEqual(
      docs.slice(f * 26, f * 26 + 26).map((d) => d.id),
      corpus.ids,
    );
  }
  assert.deepEqual(
    reports.map((r) => (r.member ? `${r.path}!${r.member}` : r.path)),
    [
      'fixtures/corpus/sotu.jsonl',
      'fixtures/corpus/sotu.jsonl.gz',
      'fixtures/corpus/sotu.jsonl.zst',
      'fixtures/corpus/sotu.snappy.parquet',
      'fixtures/corpus/sotu.zip',
      'fixtures/corpus/sotu.zip!part-1.jsonl',
      'fixtures/corpus/sotu.zip!part-2.jsonl.zst',
      'fixtures/corpus/sotu.zip!part-3.parquet',
      'fixtures/corpus/sotu.zstd.parquet',
    ],
  );
  assert.equal(bytes, size);
});

test('under skip a truncated file is reported and the next file is read; progress still reaches the total', async () => {
  const { docs, rejects, reports, bytes, size } = await readAll(['fixtures/bad/truncated.jsonl.zst', 'fixtures/corpus/sotu.jsonl'], 'skip');
  assert.deepEqual(
    docs.map((d) => d.id),
    corpus.ids,
  );
  assert.deepEqual(rejects.counts, { truncated_input: 1 });
  assert.deepEqual(
    reports.map((r) => r.status),
    ['truncated', 'ok'],
  );
  assert.equal(bytes, size);
});

test('source names: the input name by default, opts.name to override, the source field first', async () => {
  const byDefault = await readAll(['fixtures/corpus/sotu.jsonl.gz']);
  assert.ok(byDefault.docs.every((d) => d.source === 'sotu'));
  const named = await readAll(['fixtures/corpus/sotu.jsonl.gz'], 'fail', { name: 'sotu-gz' });
  assert.ok(named.docs.every((d) => d.source === 'sotu-gz'));
  const field = await readAll(['fixtures/corpus/sotu.jsonl'], 'fail', { name: 'x', fields: { text: 'text', source: 'meta.party' } });
  assert.ok(field.docs.some((d) => d.source === 'Federalist'), field.docs.map((d) => d.source).join());
});

test('display paths are relative to displayRoot with / separators', async () => {
  assert.equal(displayPathOf(join(ROOT, 'fixtures', 'a.jsonl'), ROOT), 'fixtures/a.jsonl');
  assert.equal(displayPathOf(join(ROOT, 'a.jsonl'), join(ROOT, 'fixtures')), '../a.jsonl');
  const { docs } = await readAll(['fixtures/corpus/sotu.jsonl'], 'fail', { displayRoot: join(ROOT, 'fixtures') });
  assert.equal(docs[0].loc.file, 'corpus/sotu.jsonl');
});

async function manyDocs(dir: string, n: number): Promise<string> {
  const path = join(dir, 'many.jsonl');
  writeFileSync(path, Array.from({ length: n }, (_, i) => JSON.stringify({ id: i, text: `doc ${i}` })).join('\n'));
  return path;
}

test('docStream is an object stream with backpressure: a stalled consumer stops the reader', async () => {
  await withTempDir(async (dir) => {
    const files = await expandInputs([await manyDocs(dir, 5000)]);
    const reports: FileReport[] = [];
    const stream = docStream(files, { fields: { text: 'text' }, rejects: new RejectSink('fail'), reports });
    const first = await new Promise<Doc>((resolve) => stream.once('data', (d: Doc) => resolve(d)));
    stream.pause();
    await sleep(100);
    assert.equal(first.id, '0');
    assert.ok(reports[0].documents < 100, `read ahead only a buffer's worth (${reports[0].documents})`);
    stream.resume();
    let n = 1;
    await pipeline(
      stream,
      new Writable({
        objectMode: true,
        write(_doc, _enc, cb) {
          n++;
          cb();
        },
      }),
    );
    assert.equal(n, 5000);
    assert.equal(reports[0].documents, 5000);
  });
});

test('an abort signal stops reading', async () => {
  await withTempDir(async (dir) => {
    const files = await expandInputs([await manyDocs(dir, 200_000)]);
    const ac = new AbortController();
    let n = 0;
    await assert.rejects(async () => {
      for await (const _ of readDocs(files, { fields: { text: 'text' }, rejects: new RejectSink('fail'), signal: ac.signal })) {
        if (++n === 10) ac.abort();
      }
    }, /abort/i);
    assert.ok(n < 200_000);
  });
});
