import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { compress as zstdCompress } from 'zstd-napi';
import type { Doc, FieldMap } from '../../src/sources/doc.js';
import { readJsonl } from '../../src/sources/jsonl-reader.js';
import type { FileReport, ReaderContext } from '../../src/sources/reader-context.js';
import { RecordError } from '../../src/util/errors.js';
import { RejectSink, type OnError } from '../../src/util/reject-sink.js';
import { assertCorpusDocs, expected, fixture, readAll, sha256, withTempDir } from './helpers.js';

const corpus = expected('corpus.json');
const bad = expected('bad.json');

function ctxFor(policy: OnError, fields: FieldMap = { text: 'text' }, displayPath = 'mem.jsonl'): ReaderContext {
  const report: FileReport = { path: displayPath, format: 'jsonl', bytes: 0, documents: 0, status: 'ok' };
  return { displayPath, fields, sourceName: 'mem', rejects: new RejectSink(policy), report };
}

/** Reads JSONL text given in memory, fed in chunks of `chunk` bytes. */
async function readBytes(bytes: Uint8Array, ctx: ReaderContext, chunk = 7): Promise<Doc[]> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(Buffer.from(bytes.subarray(i, i + chunk)));
  const docs: Doc[] = [];
  for await (const d of readJsonl(Readable.from(chunks), 'none', ctx)) docs.push(d);
  return docs;
}

for (const name of ['sotu.jsonl', 'sotu.jsonl.gz', 'sotu.jsonl.zst']) {
  test(`${name} yields exactly the expected documents, in order`, async () => {
    const { docs, reports, bytes, size, rejects } = await readAll([`fixtures/corpus/${name}`]);
    assert.equal(docs.length, corpus.documents);
    assertCorpusDocs(docs);
    assert.equal(
      docs.reduce((n, d) => n + d.text!.length, 0),
      corpus.chars,
    );
    assert.deepEqual(docs[3].loc, { file: `fixtures/corpus/${name}`, line: 4 });
    assert.equal(docs[0].source, 'sotu');
    assert.deepEqual(reports, [{ path: `fixtures/corpus/${name}`, format: 'jsonl', bytes: size, documents: 26, lines: 26, status: 'ok' }]);
    assert.equal(bytes, size, 'onBytes adds up to the compressed size on disk');
    assert.deepEqual(rejects.counts, {});
  });
}

const failing = Object.entries(bad as Record<string, any>).filter(([n, v]) => n.includes('.jsonl') && v.fail);
for (const [name, want] of failing) {
  test(`${name} under fail: RecordError ${want.fail.reason} at ${want.fail.line ? 'line ' + want.fail.line : 'offset ' + want.fail.offset}`, async () => {
    await assert.rejects(readAll([`fixtures/bad/${name}`], 'fail'), (err: unknown) => {
      assert.ok(err instanceof RecordError, String(err));
      assert.equal(err.reason, want.fail.reason);
      assert.equal(err.location.file, `fixtures/bad/${name}`);
      if (want.fail.line !== undefined) assert.equal(err.location.line, want.fail.line);
      if (want.fail.offset !== undefined) assert.equal(err.location.offset, want.fail.offset);
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    });
  });
}

for (const [name, want] of Object.entries(bad as Record<string, any>).filter(([n]) => n.includes('.jsonl'))) {
  test(`${name} under skip: written and dropped counts as in expected/bad.json`, async () => {
    const { docs, rejects, reports } = await readAll([`fixtures/bad/${name}`], 'skip');
    const written = want.skip.written ?? want.skip.written_with_measured_decoder;
    assert.equal(docs.length, written);
    assert.deepEqual(rejects.counts, want.skip.dropped);
    if (want.skip.rejects) {
      assert.deepEqual(
        rejects.kept.map((r) => ({ line: r.location.line, reason: r.reason })),
        want.skip.rejects,
      );
    }
    if (want.skip.read !== undefined) {
      const dropped = Object.values(rejects.counts).reduce((a, b) => a + b, 0);
      assert.equal(docs.length + dropped, want.skip.read, 'read = written + dropped');
    }
    assert.equal(reports[0].documents, docs.length);
    assert.equal(reports[0].status, name.startsWith('truncated') ? 'truncated' : 'ok');
  });
}

test('invalid-utf8.jsonl names the bad byte column', async () => {
  const { rejects } = await readAll(['fixtures/bad/invalid-utf8.jsonl'], 'skip');
  assert.match(rejects.kept[0].detail, new RegExp(`0xff at byte ${bad['invalid-utf8.jsonl'].bad_byte_line_column} of the line`));
});

test('bom, crlf and blank-lines read the same three records as plain lines', async () => {
  const plain = await readAll(['fixtures/bad/crlf.jsonl']);
  const bom = await readAll(['fixtures/bad/bom.jsonl']);
  const blank = await readAll(['fixtures/bad/blank-lines.jsonl']);
  const key = (docs: Doc[]) => docs.map((d) => [d.id, d.text]);
  assert.deepEqual(plain.docs.map((d) => d.id), corpus.ids.slice(0, 3));
  assert.ok(plain.docs.every((d) => !d.text!.endsWith('\r')));
  assert.deepEqual(key(bom.docs), key(plain.docs));
  assert.deepEqual(key(blank.docs), key(plain.docs));
  assert.deepEqual(blank.docs.map((d) => d.loc.line), bad['blank-lines.jsonl'].document_lines);
  assert.equal(blank.reports[0].lines, 6);
});

test('empty-doc.jsonl: the empty text is dropped as empty under both policies, never logged', async () => {
  for (const policy of ['fail', 'skip'] as const) {
    const { docs, rejects } = await readAll(['fixtures/bad/empty-doc.jsonl'], policy);
    assert.deepEqual(docs.map((d) => d.loc.line), [1, 3]);
    assert.deepEqual(rejects.counts, { empty: 1 });
    assert.equal(rejects.kept.length, 0);
  }
  const ws = ctxFor('fail');
  assert.equal((await readBytes(Buffer.from('{"text":" \\n\\t "}\n'), ws)).length, 0);
  assert.deepEqual(ws.rejects.counts, { empty: 1 });
});

test('a truncated .gz keeps the complete lines and names the last one', async () => {
  await assert.rejects(readAll(['fixtures/bad/truncated.jsonl.gz']), /at byte 1045: .*last complete line is 10; the partial line 11 after it is lost \(truncated_input\)/);
  const { rejects } = await readAll(['fixtures/bad/truncated.jsonl.gz'], 'skip');
  assert.equal(rejects.kept.length, 1);
  assert.match(rejects.kept[0].detail, /unexpected end of file.*last complete line is 10; the partial line 11 after it is lost/);
  assert.equal(rejects.kept[0].documents, 1);
});

/** JSONL of `n` numbered records with a few KB of text each. */
function bigJsonl(n: number): Buffer {
  const texts = readFileSync(fixture('corpus', 'sotu.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(JSON.stringify({ id: `r${i}`, text: texts[i % texts.length].slice(i % 997, 3000 + (i % 4000)) }));
  return Buffer.from(lines.join('\n') + '\n');
}

async function readFileDocs(path: string, policy: OnError, slow: boolean): Promise<{ ids: string[]; rejects: RejectSink }> {
  const rejects = new RejectSink(policy);
  const ids: string[] = [];
  const { readDocs } = await import('../../src/sources/read-docs.js');
  const { expandInputs } = await import('../../src/sources/expand-inputs.js');
  for await (const d of readDocs(await expandInputs([path]), { fields: { text: 'text' }, rejects })) {
    ids.push(d.id);
    if (slow && ids.length % 50 === 0) await sleep(1);
  }
  return { ids, rejects };
}

for (const kind of ['gzip', 'zstd'] as const) {
  test(`a ${kind} stream cut in the middle keeps the same complete lines however fast it is consumed`, async () => {
    await withTempDir(async (dir) => {
      const plain = bigJsonl(2000);
      const packed = kind === 'gzip' ? gzipSync(plain) : zstdCompress(plain);
      const path = join(dir, `cut.jsonl.${kind === 'gzip' ? 'gz' : 'zst'}`);
      writeFileSync(path, packed.subarray(0, Math.floor(packed.length * 0.6)));
      const fast = await readFileDocs(path, 'skip', false);
      const slow = await readFileDocs(path, 'skip', true);
      assert.ok(fast.ids.length > 100, `kept ${fast.ids.length} complete lines`);
      assert.ok(fast.ids.length < 2000);
      assert.deepEqual(slow.ids, fast.ids, 'deterministic');
      assert.deepEqual(fast.ids, Array.from({ length: fast.ids.length }, (_, i) => `r${i}`));
      assert.equal(fast.rejects.kept.length, 1);
      const r = fast.rejects.kept[0];
      assert.equal(r.reason, 'truncated_input');
      assert.equal(r.location.offset, Math.floor(packed.length * 0.6));
      assert.match(r.detail, new RegExp(`last complete line is ${fast.ids.length}\\b`));
      await assert.rejects(readFileDocs(path, 'fail', false), (e: unknown) => e instanceof RecordError && e.reason === 'truncated_input');
    });
  });
}

test('zstd: a frame missing only its last checksum byte is still reported as truncated', async () => {
  await withTempDir(async (dir) => {
    const plain = bigJsonl(50);
    const packed = zstdCompress(plain, { checksumFlag: true }); // as the zstd CLI writes
    const path = join(dir, 'cut1.jsonl.zst');
    writeFileSync(path, packed.subarray(0, packed.length - 1));
    const { ids, rejects } = await readFileDocs(path, 'skip', false);
    assert.equal(rejects.kept.length, 1);
    assert.equal(rejects.kept[0].reason, 'truncated_input');
    assert.match(rejects.kept[0].detail, /zstd stream ends inside the checksum of frame 1/);
    // Every line was decoded; the cut fell after the last newline, so no document is counted lost.
    assert.equal(ids.length, 50);
    assert.equal(rejects.kept[0].documents, 0);
    // Two complete frames back to back are fine.
    writeFileSync(path, Buffer.concat([packed, packed]));
    const two = await readFileDocs(path, 'fail', false);
    assert.equal(two.ids.length, 100);
    // Without a checksum, cutting the last byte cuts the last block: its lines are lost, and the
    // partial line pending at the cut counts as one lost document.
    const noSum = zstdCompress(plain);
    writeFileSync(path, noSum.subarray(0, noSum.length - 1));
    const cut = await readFileDocs(path, 'skip', false);
    assert.ok(cut.ids.length < 50);
    assert.equal(cut.rejects.kept[0].reason, 'truncated_input');
  });
});

test('the magic bytes win over a wrong extension; a compressed name on garbage is a clear error', async () => {
  await withTempDir(async (dir) => {
    const plain = readFileSync(fixture('corpus', 'sotu.jsonl'));
    const cases: Array<[string, Uint8Array]> = [
      ['gzip-named-plain.jsonl', gzipSync(plain)],
      ['zstd-named-gzip.jsonl.gz', zstdCompress(plain)],
      ['plain-named-zstd.jsonl.zst', plain],
    ];
    for (const [name, bytes] of cases) {
      writeFileSync(join(dir, name), bytes);
      const { ids } = await readFileDocs(join(dir, name), 'fail', false);
      assert.deepEqual(ids, corpus.ids, name);
    }
    writeFileSync(join(dir, 'garbage.jsonl.gz'), Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04, 0x05]));
    await assert.rejects(readFileDocs(join(dir, 'garbage.jsonl.gz'), 'fail', false), (e: unknown) => {
      assert.ok(e instanceof RecordError);
      assert.equal(e.reason, 'corrupt_input');
      assert.match(e.message, /gzip magic bytes 1f 8b \(found 00 01 02 03\)/);
      return true;
    });
  });
});

test('lines that are JSON but not objects are malformed_json', async () => {
  const ctx = ctxFor('skip');
  const docs = await readBytes(Buffer.from('[1]\n"text"\nnull\n42\n{"text":"ok"}\n{bad\n'), ctx);
  assert.equal(docs.length, 1);
  assert.deepEqual(
    ctx.rejects.kept.map((r) => [r.location.line, r.reason]),
    [
      [1, 'malformed_json'],
      [2, 'malformed_json'],
      [3, 'malformed_json'],
      [4, 'malformed_json'],
      [6, 'malformed_json'],
    ],
  );
  assert.match(ctx.rejects.kept[0].detail, /valid JSON but a array, not an object/);
  assert.match(ctx.rejects.kept[4].detail, /not valid JSON: /);
});

test('field map: dotted text and source paths, id field or stable file:line ids', async () => {
  const ctx = ctxFor('skip', { text: 'doc.body', id: 'key', source: 'meta.redpajama_set_name' });
  const lines = [
    { key: 7, doc: { body: 'seven' }, meta: { redpajama_set_name: 'Book' } },
    { doc: { body: 'no id' }, meta: {} },
    { key: '', doc: { body: 'empty id' }, meta: { redpajama_set_name: 3 } },
    { key: 'k', doc: { body: ['x'] } },
    { key: 'n', doc: { body: null } },
    { key: 'm', doc: {} },
  ];
  const docs = await readBytes(Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n')), ctx);
  assert.deepEqual(
    docs.map((d) => [d.id, d.text, d.source]),
    [
      ['7', 'seven', 'Book'],
      ['mem.jsonl:2', 'no id', 'mem'],
      ['mem.jsonl:3', 'empty id', 'mem'],
    ],
  );
  assert.deepEqual(
    ctx.rejects.kept.map((r) => [r.location.line, r.reason]),
    [
      [4, 'non_string_text'],
      [5, 'missing_text'],
      [6, 'missing_text'],
    ],
  );
  assert.match(ctx.rejects.kept[0].detail, /"doc\.body" is a array, not a string/);
  assert.equal(ctx.report.documents, 3);
  assert.equal(ctx.report.lines, 6);
});

test('a BOM is stripped only at the start of the input; a BOM later is malformed_json', async () => {
  const ctx = ctxFor('skip');
  const bom = '\ufeff';
  const docs = await readBytes(Buffer.from(`${bom}{"text":"a"}\n${bom}{"text":"b"}\n`), ctx, 2);
  assert.deepEqual(docs.map((d) => d.text), ['a']);
  assert.deepEqual(ctx.rejects.kept.map((r) => [r.location.line, r.reason]), [[2, 'malformed_json']]);
});
