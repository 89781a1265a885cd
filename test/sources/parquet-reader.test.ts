import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parquetMetadata } from 'hyparquet';
import { RecordError } from '../../src/util/errors.js';
import { assertCorpusDocs, expected, fixture, readAll, sha256, withTempDir } from './helpers.js';

const corpus = expected('corpus.json');
const small = expected('small.json');
const bad = expected('bad.json');

for (const name of ['sotu.snappy.parquet', 'sotu.zstd.parquet']) {
  test(`${name} yields exactly the expected documents, ids from the id column`, async () => {
    const { docs, reports, bytes, size } = await readAll([`fixtures/corpus/${name}`]);
    assertCorpusDocs(docs);
    assert.deepEqual(
      docs.map((d) => d.loc.row),
      corpus.ids.map((_: string, i: number) => i),
    );
    assert.equal(docs[0].loc.file, `fixtures/corpus/${name}`);
    assert.equal(docs[0].source, name.replace('.parquet', ''));
    assert.equal(reports[0].rows, 26);
    assert.equal(reports[0].documents, 26);
    assert.equal(reports[0].status, 'ok');
    assert.equal(bytes, size, 'onBytes adds up to the file size');
  });
}

for (const codec of ['none', 'snappy', 'gzip', 'brotli', 'lz4', 'zstd', 'zstd-v2']) {
  test(`small.${codec}.parquet (3 row groups) reads every row`, async () => {
    const { docs, reports } = await readAll([`fixtures/parquet/small.${codec}.parquet`]);
    assert.deepEqual(
      docs.map((d) => d.id),
      small.ids,
    );
    assert.deepEqual(
      docs.map((d) => sha256(d.text!)),
      small.text_sha256,
    );
    assert.equal(reports[0].rows, small.documents);
  });
}

test('nested columns: text at doc.body, source at meta.redpajama_set_name, stable file#row ids', async () => {
  const { docs } = await readAll(['fixtures/parquet/small.nested.parquet'], 'fail', {
    fields: { text: small.nested.text_path, source: small.nested.source_path },
  });
  assert.deepEqual(
    docs.map((d) => d.id),
    small.ids.map((_: string, i: number) => `fixtures/parquet/small.nested.parquet#${i}`),
  );
  assert.deepEqual(
    docs.map((d) => sha256(d.text!)),
    small.text_sha256,
  );
  assert.ok(docs.every((d) => d.source === small.nested.source));
});

test('a text column absent from the schema loses every row once, as missing_text', async () => {
  await assert.rejects(readAll(['fixtures/parquet/small.nested.parquet']), (e: unknown) => {
    assert.ok(e instanceof RecordError);
    assert.equal(e.reason, 'missing_text');
    assert.equal(e.location.row, 0);
    assert.match(e.message, /no column "text".*columns: doc, meta/);
    return true;
  });
  const { docs, rejects } = await readAll(['fixtures/parquet/small.nested.parquet'], 'skip');
  assert.equal(docs.length, 0);
  assert.deepEqual(rejects.counts, { missing_text: 6 });
});

test('only the columns the field map needs are read', async () => {
  const path = fixture('parquet', 'small.snappy.parquet');
  const meta = parquetMetadata(readFileSync(path));
  const chunkBytes = (col: string) =>
    meta.row_groups.reduce(
      (n, g) => n + g.columns.filter((c) => c.meta_data!.path_in_schema[0] === col).reduce((m, c) => m + Number(c.meta_data!.total_compressed_size), 0),
      0,
    );
  const textOnly = await readAll(['fixtures/parquet/small.snappy.parquet'], 'fail', { fields: { text: 'text', id: 'nope' } });
  const withMeta = await readAll(['fixtures/parquet/small.snappy.parquet'], 'fail', { fields: { text: 'text', source: 'meta.party' } });
  // Both read the footer the same way; the difference is exactly the id and meta column chunks.
  assert.equal(withMeta.reports[0].bytes - textOnly.reports[0].bytes, chunkBytes('id') + chunkBytes('meta'));
  assert.ok(textOnly.docs.every((d, i) => d.id === `fixtures/parquet/small.snappy.parquet#${i}`));
  assert.deepEqual(
    withMeta.docs.map((d) => d.id),
    small.ids,
  );
  assert.ok(withMeta.docs.every((d) => typeof d.source === 'string' && d.source !== 'small.snappy'));
});

test('corrupt-footer.parquet: corrupt_input at the footer offset; skip drops the file once', async () => {
  const want = bad['corrupt-footer.parquet'];
  await assert.rejects(readAll(['fixtures/bad/corrupt-footer.parquet']), (e: unknown) => {
    assert.ok(e instanceof RecordError);
    assert.equal(e.reason, want.fail.reason);
    assert.equal(e.location.file, 'fixtures/bad/corrupt-footer.parquet');
    assert.equal(e.location.offset, want.garbage_from_offset);
    return true;
  });
  const { docs, rejects, reports } = await readAll(['fixtures/bad/corrupt-footer.parquet'], 'skip');
  assert.equal(docs.length, want.skip.written);
  assert.deepEqual(rejects.counts, want.skip.dropped);
  assert.equal(reports[0].status, 'corrupt');
});

test('truncated.parquet: truncated_input (PAR1 at the start only); skip drops the file once', async () => {
  const want = bad['truncated.parquet'];
  await assert.rejects(readAll(['fixtures/bad/truncated.parquet']), (e: unknown) => {
    assert.ok(e instanceof RecordError);
    assert.equal(e.reason, want.fail.reason);
    assert.equal(e.location.offset, want.bytes);
    return true;
  });
  const { docs, rejects, reports } = await readAll(['fixtures/bad/truncated.parquet'], 'skip');
  assert.equal(docs.length, want.skip.written);
  assert.deepEqual(rejects.counts, want.skip.dropped);
  assert.equal(reports[0].status, 'truncated');
});

test('a row group that does not decode is corrupt_input with its row range; skip goes on with the next group', async () => {
  await withTempDir(async (dir) => {
    const src = readFileSync(fixture('parquet', 'small.snappy.parquet'));
    const meta = parquetMetadata(src);
    const text1 = meta.row_groups[1].columns.find((c) => c.meta_data!.path_in_schema[0] === 'text')!.meta_data!;
    const broken = Buffer.from(src);
    const start = Number(text1.data_page_offset);
    broken.fill(0xff, start, start + 64); // the page header of row group 1's text column
    const path = join(dir, 'bad-group.parquet');
    writeFileSync(path, broken);
    await assert.rejects(readAll([path], 'fail', { displayRoot: dir }), (e: unknown) => {
      assert.ok(e instanceof RecordError);
      assert.equal(e.reason, 'corrupt_input');
      assert.deepEqual(e.location, { file: 'bad-group.parquet', row: 2 });
      assert.match(e.message, /row group 1 \(rows 2-3\)/);
      return true;
    });
    const { docs, rejects, reports } = await readAll([path], 'skip', { displayRoot: dir });
    assert.deepEqual(
      docs.map((d) => d.id),
      [small.ids[0], small.ids[1], small.ids[4], small.ids[5]],
    );
    assert.deepEqual(rejects.counts, { corrupt_input: 2 });
    assert.equal(reports[0].status, 'corrupt');
    assert.equal(reports[0].rows, 6);
  });
});
