import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { test } from 'node:test';
import { parquetMetadata, parquetMetadataAsync, type FileMetaData } from 'hyparquet';
import type { BlockContext, BlockProcessor, RowGroupTask } from '../../src/sources/block-records.js';
import { fileRangeBuffer } from '../../src/sources/file-range-buffer.js';
import { fetchRowGroup, fetchedRangeBuffer } from '../../src/sources/parquet-group-bytes.js';
import { readParquetRanges } from '../../src/sources/parquet-reader.js';
import { decodeRowGroup, readRowGroupRecords } from '../../src/sources/parquet-row-group.js';
import type { FileReport, ReaderContext } from '../../src/sources/reader-context.js';
import type { RangeReader } from '../../src/sources/remote/range-reader.js';
import { remoteRangeBuffer } from '../../src/sources/remote/remote-range-buffer.js';
import { RejectSink, type OnError } from '../../src/util/reject-sink.js';
import { fixture } from './helpers.js';

const bctx = (displayPath: string): BlockContext => ({ displayPath, fields: { text: 'text', source: 'meta.party' }, sourceName: 'sotu', maxLineBytes: 0 });

/** The tasks of every row group of a file, reading `columns`. */
function tasks(metadata: FileMetaData, path: string, size: number, columns: string[]): RowGroupTask[] {
  let rowStart = 0;
  return metadata.row_groups.map((g, group) => {
    const rowEnd = rowStart + Number(g.num_rows);
    const t = { path, size, group, rowStart, rowEnd, columns };
    rowStart = rowEnd;
    return t;
  });
}

for (const name of ['sotu.snappy.parquet', 'sotu.zstd.parquet']) {
  test(`${name}: each row group fetched by hyparquet's plan decodes in memory to the file's rows, documents and bytes`, async () => {
    const path = fixture('corpus', name);
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      const metadata = await parquetMetadataAsync(fileRangeBuffer(handle, size));
      let dictionaries = 0;
      for (const task of tasks(metadata, path, size, ['text', 'id', 'meta'])) {
        const f = await fetchRowGroup(fileRangeBuffer(handle, size), metadata, task.group, task);
        assert.ok(f.fetched, String(f.error));
        // Every column chunk read lies inside one fetched range, from its dictionary page on.
        for (const c of metadata.row_groups[task.group]!.columns) {
          const m = c.meta_data!;
          if (m.dictionary_page_offset) dictionaries++;
          const start = Number(m.dictionary_page_offset || m.data_page_offset);
          const end = start + Number(m.total_compressed_size);
          assert.ok(
            f.fetched.ranges.some((r) => r.start <= start && end <= r.start + r.bytes.byteLength),
            `group ${task.group} column ${m.path_in_schema.join('.')} bytes ${start}-${end}`,
          );
        }
        const fetchedBytes = f.fetched.ranges.reduce((n, r) => n + r.bytes.byteLength, 0);
        assert.equal(f.bytes, fetchedBytes, 'the bytes read are the ranges fetched');
        // The same rows from memory as from the file ...
        const groupRows = { rowStart: 0, rowEnd: task.rowEnd - task.rowStart, columns: task.columns };
        const fromMemory = await decodeRowGroup(fetchedRangeBuffer(f.fetched), f.fetched.metadata, groupRows);
        assert.deepEqual(fromMemory, await decodeRowGroup(fileRangeBuffer(handle, size), metadata, task));
        assert.equal(fromMemory.length, task.rowEnd - task.rowStart);
        // ... and the same documents (ids and rows of the file) as a worker reading the file itself, which reads the same bytes.
        const local = await readRowGroupRecords(task, bctx(name));
        const remote = await readRowGroupRecords({ ...task, path: '', fetched: f.fetched }, bctx(name));
        assert.deepEqual(remote.docs, local.docs);
        assert.deepEqual(remote.rejects, local.rejects);
        assert.equal(remote.error, undefined);
        assert.equal(local.bytes, fetchedBytes);
        assert.equal(remote.docs[0]!.loc.row, task.rowStart);
      }
      assert.ok(dictionaries > 0, 'the fixture has dictionary pages');
    } finally {
      await handle.close();
    }
  });
}

test('decoding a fetched row group outside its fetched bytes is an internal error, never a corrupt group', async () => {
  const path = fixture('corpus', 'sotu.snappy.parquet');
  const bytes = readFileSync(path);
  const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
  const task = tasks(metadata, path, bytes.length, ['text', 'id'])[1]!;
  const handle = await open(path, 'r');
  try {
    const f = await fetchRowGroup(fileRangeBuffer(handle, bytes.length), metadata, 1, task);
    const partial = { ...f.fetched!, ranges: f.fetched!.ranges.slice(0, -1) };
    await assert.rejects(readRowGroupRecords({ ...task, path: '', fetched: partial }, bctx('x')), /internal error: decoding a fetched Parquet row group read bytes \d+-\d+, outside the ranges fetched for it/);
    await assert.rejects(async () => fetchedRangeBuffer(f.fetched!).slice(0, 4), /read bytes 0-4, outside the ranges fetched for it \(\d+-\d+\)/);
  } finally {
    await handle.close();
  }
});

/** A remote object served from memory: the real remote buffer (its 512 KiB footer tail) over a reader that counts requests. */
function servedFrom(bytes: Buffer): { file: ReturnType<typeof remoteRangeBuffer>; requests: string[] } {
  const requests: string[] = [];
  const reader = {
    size: bytes.length,
    async read(start: number, end: number) {
      requests.push(`${start}-${end}`);
      return new Uint8Array(bytes.subarray(start, end));
    },
  } as unknown as RangeReader;
  return { file: remoteRangeBuffer(reader), requests };
}

/** Everything reading `bytes` by ranges shows: documents with the counts at each, rejects, the report, progress, the requests. */
async function observe(bytes: Buffer, policy: OnError, blocks?: BlockProcessor) {
  const rejects = new RejectSink(policy);
  const report: FileReport = { path: 'remote.parquet', format: 'parquet', bytes: 0, documents: 0, status: 'ok' };
  let progress = 0;
  const ctx: ReaderContext = { displayPath: 'remote.parquet', fields: { text: 'text' }, sourceName: 'remote', rejects, report, onBytes: (n) => (progress += n), ...(blocks ? { blocks } : {}) };
  const { file, requests } = servedFrom(bytes);
  const docs: string[] = [];
  try {
    for await (const d of readParquetRanges(file, ctx)) docs.push(`${JSON.stringify(d)} rows=${report.rows} docs=${report.documents} rejects=${rejects.kept.length}`);
  } catch (e) {
    return { error: (e as Error).message, docs, kept: rejects.kept };
  }
  return { docs, kept: rejects.kept, counts: rejects.counts, report, progress, requests };
}

test('a file read by byte ranges (as a remote one) gives the same documents, rejects, counts, bytes and requests with its row groups decoded elsewhere from fetched bytes', async () => {
  const inProcess = (depth: number): BlockProcessor => ({ blockBytes: 1 << 20, depth, process: async () => assert.fail('no line blocks here'), processRowGroup: (task, c) => readRowGroupRecords(task, c) });
  const sotu = readFileSync(fixture('corpus', 'sotu.zstd.parquet'));
  // A large file (the footer's 512 KiB tail does not hold its row groups: each is a request) ...
  const large = readFileSync(fixture('corpus', 'sotu.snappy.parquet'));
  // ... and one whose row group 1 does not decode.
  const small = readFileSync(fixture('parquet', 'small.snappy.parquet'));
  const text1 = parquetMetadata(small.buffer.slice(small.byteOffset, small.byteOffset + small.length) as ArrayBuffer).row_groups[1]!.columns.find((c) => c.meta_data!.path_in_schema[0] === 'text')!.meta_data!;
  const broken = Buffer.from(small);
  broken.fill(0xff, Number(text1.data_page_offset), Number(text1.data_page_offset) + 64);
  for (const bytes of [sotu, large, broken]) {
    for (const policy of ['skip', 'fail'] as const) {
      const want = await observe(bytes, policy);
      for (const depth of [1, 2, 5]) assert.deepEqual(await observe(bytes, policy, inProcess(depth)), want, `${bytes.length} bytes, ${policy}, depth ${depth}`);
      if (bytes === broken && policy === 'skip') {
        assert.deepEqual(want.counts, { corrupt_input: 2 });
        assert.match(want.kept[0]!.detail, /^row group 1 \(rows 2-3\) cannot be decoded: /);
        assert.deepEqual(want.kept[0]!.location, { file: 'remote.parquet', row: 2 });
      }
      if (bytes === large) assert.ok(want.requests!.length >= 2, 'a row group outside the footer tail costs a request');
    }
  }
});
