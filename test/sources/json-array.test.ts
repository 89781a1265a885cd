// A .json file holding one JSON array of records is read element by element, in bounded memory,
// whatever the layout; what is not an array of records is reported, never silently dropped.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { tableToIPC, tableFromArrays } from 'apache-arrow';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonArraySplitter } from '../../src/sources/json-array-splitter.js';
import { readJsonl } from '../../src/sources/jsonl-reader.js';
import type { FileReport, ReaderContext } from '../../src/sources/reader-context.js';
import { RecordError } from '../../src/util/errors.js';
import { RejectSink, type OnError } from '../../src/util/reject-sink.js';
import { readAll, withTempDir } from './helpers.js';

/** Splits `bytes` cut into `cuts` and returns the parsed elements (or `too long N`). */
function split(bytes: Buffer, cuts: number[], max?: number): unknown[] {
  const s = new JsonArraySplitter(max);
  const out: unknown[] = [];
  const take = (e: Buffer | { tooLong: true; bytes: number }) => out.push(Buffer.isBuffer(e) ? JSON.parse(e.toString()) : `too long ${e.bytes}`);
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    for (const e of s.feed(bytes.subarray(at, Math.min(bytes.length, at + c)))) take(e);
    at = Math.min(bytes.length, at + c);
    if (at >= bytes.length) break;
  }
  const end = s.finish();
  assert.equal(end.error, undefined);
  return out;
}

test('elements come out exactly as JSON.parse sees the array, whatever the chunk boundaries and layout', () => {
  const value = fc.jsonValue({ maxDepth: 3 });
  fc.assert(
    fc.property(fc.array(value, { maxLength: 12 }), fc.boolean(), fc.array(fc.integer({ min: 1, max: 9 })), (arr, pretty, cuts) => {
      const text = JSON.stringify(arr, null, pretty ? 2 : undefined);
      assert.deepEqual(split(Buffer.from(text), cuts), JSON.parse(text));
    }),
  );
});

test('an element over the maximum is counted, not held; the others are kept', () => {
  const text = JSON.stringify([{ text: 'a' }, { text: 'x'.repeat(100) }, { text: 'b' }]);
  assert.deepEqual(split(Buffer.from(text), [7, 7, 7], 50), [{ text: 'a' }, `too long ${JSON.stringify({ text: 'x'.repeat(100) }).length}`, { text: 'b' }]);
});

function ctxFor(policy: OnError): ReaderContext {
  const report: FileReport = { path: 'a.json', format: 'jsonl', bytes: 0, documents: 0, status: 'ok' };
  return { displayPath: 'a.json', fields: { text: 'text' }, sourceName: 'a', rejects: new RejectSink(policy), report, limits: { maxLineBytes: 1 << 20, maxZstdWindow: 2 ** 31 } };
}

async function read(text: string, policy: OnError = 'skip') {
  const ctx = ctxFor(policy);
  const docs = [];
  for await (const d of readJsonl(Readable.from([Buffer.from(text)]), 'none', ctx, { arrays: true })) docs.push(d);
  return { docs, rejects: ctx.rejects, report: ctx.report };
}

test('a .json array is read as records located by index (ids file#i); JSON lines in a .json file still read as lines', async () => {
  const a = await read('\uFEFF[\n  {"text": "first", "id": "x"},\n  {"text": "second"}\n]\n');
  assert.deepEqual(
    a.docs.map((d) => [d.id, d.text, d.loc.row]),
    [
      ['x', 'first', 0],
      ['a.json#1', 'second', 1],
    ],
  );
  assert.equal(a.report.rows, 2);
  const lines = await read('{"text": "one"}\n{"text": "two"}\n');
  assert.deepEqual(
    lines.docs.map((d) => d.id),
    ['a.json:1', 'a.json:2'],
  );
});

test('what is not an array of records is reported: bad elements one by one, a broken array once, a cut file keeping its last whole element', async () => {
  const bad = await read('[{"text":"ok"}, 5, {"text": 1}, {"txt": "no text"}, {"text":"last"}]');
  assert.deepEqual(
    bad.docs.map((d) => d.text),
    ['ok', 'last'],
  );
  assert.deepEqual(
    bad.rejects.kept.map((r) => [r.reason, r.location.row]),
    [
      ['malformed_json', 1],
      ['non_string_text', 2],
      ['missing_text', 3],
    ],
  );
  assert.match(bad.rejects.kept[2]!.detail, /the record has the keys txt; name the text field with --text-field .*\(e\.g\. --text-field txt\)/);
  const cut = await read('[{"text":"a"},\n{"text":"b"}');
  assert.deepEqual(
    cut.docs.map((d) => d.text),
    ['a', 'b'],
  );
  assert.deepEqual(
    cut.rejects.kept.map((r) => [r.reason, r.documents]),
    [['malformed_json', 0]],
  );
  assert.match(cut.rejects.kept[0]!.detail, /the JSON array is not closed: the file ends after element 1 before its \]/);
  const midway = await read('[{"text":"a"},\n{"text":"b');
  assert.deepEqual(
    midway.rejects.kept.map((r) => [r.reason, r.documents]),
    [['malformed_json', 1]],
  );
  const after = await read('[{"text":"a"}] {"text":"b"}');
  assert.match(after.rejects.kept[0]!.detail, /data after the closing \] of the JSON array/);
  await assert.rejects(read('[{"text":"a"}, {"text":\n"b"\n'.replace('"b"', '"b"}  x'), 'fail'), (e: unknown) => e instanceof RecordError && !e.message.includes('\n'));
});

test('a column whose name has a dot is addressed with \\. (Arrow here; Parquet uses the same paths)', async () => {
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, 'd.arrow'), tableToIPC(tableFromArrays({ 'meta.text': ['dotted column'], text: ['plain column'] }), 'stream'));
    const plain = await readAll([join(dir, 'd.arrow')], 'fail', { fields: { text: 'meta\\.text' } });
    assert.deepEqual(
      plain.docs.map((d) => d.text),
      ['dotted column'],
    );
    await assert.rejects(readAll([join(dir, 'd.arrow')], 'fail', { fields: { text: 'meta.text' } }), (e: unknown) => e instanceof RecordError && /a column or key is named "meta\.text" with a dot in it: write the path as meta\\\.text/.test(e.message));
  });
});
