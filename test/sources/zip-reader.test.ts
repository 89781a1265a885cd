import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { expandInputs } from '../../src/sources/expand-inputs.js';
import { readDocs } from '../../src/sources/read-docs.js';
import { RecordError } from '../../src/util/errors.js';
import { RejectSink } from '../../src/util/reject-sink.js';
import { assertCorpusDocs, expected, fixture, makeZip, readAll, sha256, withTempDir } from './helpers.js';

const corpus = expected('corpus.json');
const small = expected('small.json');

test('sotu.zip (jsonl, jsonl.zst and parquet members) yields exactly the expected documents', async () => {
  const { docs, reports, bytes, size } = await readAll(['fixtures/corpus/sotu.zip']);
  assertCorpusDocs(docs);
  assert.deepEqual(docs[0].loc, { file: 'fixtures/corpus/sotu.zip', member: 'part-1.jsonl', line: 1 });
  assert.deepEqual(docs[25].loc, { file: 'fixtures/corpus/sotu.zip', member: 'part-3.parquet', row: 7 });
  assert.equal(docs[0].source, 'sotu');
  assert.deepEqual(
    reports.map((r) => [r.member, r.format, r.documents, r.status]),
    [
      [undefined, 'zip', 26, 'ok'],
      ['part-1.jsonl', 'jsonl', 9, 'ok'],
      ['part-2.jsonl.zst', 'jsonl', 9, 'ok'],
      ['part-3.parquet', 'parquet', 8, 'ok'],
    ],
  );
  assert.equal(reports[0].skippedMembers, 0);
  assert.equal(reports[0].bytes, reports[1].bytes + reports[2].bytes + reports[3].bytes);
  assert.equal(bytes, size, 'onBytes adds up to the archive size');
});

/** Runs `fn` with os.tmpdir() pointing at a fresh folder, and returns what is left in it. */
async function leftInTmp(dir: string, fn: () => Promise<void>): Promise<string[]> {
  const tmp = mkdtempSync(join(dir, 'tmp-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    await fn();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  return readdirSync(tmp);
}

function mixedZip(): Buffer {
  const lines = (texts: string[]) => texts.map((t) => JSON.stringify({ text: t })).join('\n') + '\n';
  return makeZip([
    { name: 'z.jsonl', data: lines(['z1', 'z2']) },
    { name: 'docs/' },
    { name: 'README.txt', data: 'not data' },
    { name: 'a.jsonl.gz', data: gzipSync(lines(['a1'])) },
    { name: 'm/b.parquet', data: readFileSync(fixture('parquet', 'small.snappy.parquet')) },
    { name: 'inner.zip', data: 'PK' },
  ]);
}

test('members are read in name order; directories and unsupported members are skipped and counted', async () => {
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, 'x.zip'), mixedZip());
    let result: Awaited<ReturnType<typeof readAll>> | undefined;
    const left = await leftInTmp(dir, async () => {
      result = await readAll([join(dir, 'x.zip')], 'fail', { displayRoot: dir, fields: { text: 'text', id: 'none' } });
    });
    const { docs, reports } = result!;
    assert.deepEqual(
      docs.map((d) => d.id),
      ['x.zip!a.jsonl.gz:1', ...small.ids.map((_: string, i: number) => `x.zip!m/b.parquet#${i}`), 'x.zip!z.jsonl:1', 'x.zip!z.jsonl:2'],
    );
    assert.deepEqual(
      docs.map((d) => d.loc.member),
      ['a.jsonl.gz', ...small.ids.map(() => 'm/b.parquet'), 'z.jsonl', 'z.jsonl'],
    );
    assert.equal(reports[0].skippedMembers, 3);
    assert.deepEqual(
      reports.slice(1).map((r) => r.member),
      ['a.jsonl.gz', 'm/b.parquet', 'z.jsonl'],
    );
    assert.deepEqual(left, [], 'the extracted parquet member is deleted');
  });
});

test('temporary files are deleted when the reader stops early or fails', async () => {
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, 'x.zip'), mixedZip());
    const files = await expandInputs([join(dir, 'x.zip')]);
    const early = await leftInTmp(dir, async () => {
      for await (const d of readDocs(files, { fields: { text: 'text' }, rejects: new RejectSink('fail') })) {
        if (d.loc.member === 'm/b.parquet') break;
      }
    });
    assert.deepEqual(early, []);
    writeFileSync(join(dir, 'p.zip'), makeZip([{ name: 'b.parquet', data: readFileSync(fixture('parquet', 'small.snappy.parquet')) }]));
    const parquetOnly = await expandInputs([join(dir, 'p.zip')]);
    const failed = await leftInTmp(dir, async () => {
      // `meta` is a struct, not a string: the first parquet row fails under `fail`.
      await assert.rejects(async () => {
        for await (const _ of readDocs(parquetOnly, { fields: { text: 'meta' }, rejects: new RejectSink('fail') })) void _;
      }, /non_string_text/);
    });
    assert.deepEqual(failed, []);
  });
});

test('a bad record inside a member is located by archive, member and line', async () => {
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, 'y.zip'), makeZip([{ name: 'p.jsonl', data: '{"text":"ok"}\n{"text":\n' }]));
    await assert.rejects(readAll([join(dir, 'y.zip')], 'fail', { displayRoot: dir }), (e: unknown) => {
      assert.ok(e instanceof RecordError);
      assert.equal(e.reason, 'malformed_json');
      assert.deepEqual(e.location, { file: 'y.zip', member: 'p.jsonl', line: 2 });
      assert.match(e.message, /^y\.zip!p\.jsonl:2: /);
      return true;
    });
  });
});

test('a corrupt archive is corrupt_input; a corrupt member is corrupt_input and the next member is read', async () => {
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, 'bad.zip'), Buffer.from('this is not a zip archive at all, just text'));
    await assert.rejects(readAll([join(dir, 'bad.zip')], 'fail', { displayRoot: dir }), (e: unknown) => {
      assert.ok(e instanceof RecordError);
      assert.equal(e.reason, 'corrupt_input');
      assert.equal(e.location.file, 'bad.zip');
      return true;
    });
    const skipped = await readAll([join(dir, 'bad.zip')], 'skip', { displayRoot: dir });
    assert.deepEqual(skipped.rejects.counts, { corrupt_input: 1 });
    assert.equal(skipped.reports[0].status, 'corrupt');

    const text = Array.from({ length: 200 }, (_, i) => JSON.stringify({ text: `line ${i} ` + 'word '.repeat(i % 40) })).join('\n') + '\n';
    const zip = makeZip([
      { name: 'a.jsonl', data: text },
      { name: 'b.jsonl', data: '{"text":"b"}\n' },
    ]);
    // Overwrite the middle of a.jsonl's deflate data.
    const bodyStart = 30 + 'a.jsonl'.length;
    zip.fill(0xff, bodyStart + 20, bodyStart + 60);
    writeFileSync(join(dir, 'member.zip'), zip);
    const { docs, rejects, reports } = await readAll([join(dir, 'member.zip')], 'skip', { displayRoot: dir });
    assert.equal(docs.at(-1)?.text, 'b');
    assert.equal(rejects.kept.length, 1);
    assert.equal(rejects.kept[0].reason, 'corrupt_input');
    assert.deepEqual(rejects.kept[0].location, { file: 'member.zip', member: 'a.jsonl' });
    assert.deepEqual(
      reports.map((r) => [r.member, r.status]),
      [
        [undefined, 'corrupt'],
        ['a.jsonl', 'corrupt'],
        ['b.jsonl', 'ok'],
      ],
    );
  });
});

test('macOS metadata members (__MACOSX/, ._*, .DS_Store) are skipped with one note; the data members are read', async () => {
  await withTempDir(async (dir) => {
    // As Finder writes an archive of a folder holding a.jsonl.
    writeFileSync(
      join(dir, 'mac.zip'),
      makeZip([
        { name: 'data/' },
        { name: 'data/a.jsonl', data: '{"text":"a"}\n' },
        { name: 'data/.DS_Store', data: Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]) },
        { name: '__MACOSX/' },
        { name: '__MACOSX/data/' },
        { name: '__MACOSX/data/._a.jsonl', data: Buffer.from([0, 5, 0x16, 7, 0, 2, 0, 0, 0x4d, 0x61, 0x63, 0x20]) },
      ]),
    );
    const warnings: string[] = [];
    const { docs, reports, rejects } = await readAll([join(dir, 'mac.zip')], 'fail', { displayRoot: dir, onWarning: (f, m) => warnings.push(`${f}: ${m}`) });
    assert.deepEqual(
      docs.map((d) => d.text),
      ['a'],
    );
    assert.deepEqual(rejects.counts, {});
    assert.deepEqual(warnings, ['mac.zip: skipped 2 macOS metadata members (__MACOSX/, ._*, .DS_Store): resource forks and folder settings, not data']);
    assert.equal(reports[0].skippedMembers, 5);
    assert.deepEqual(reports[0].notes, [warnings[0]!.slice('mac.zip: '.length)]);
  });
});

test('a member compressed with bzip2 or LZMA, or encrypted, is unsupported_compression naming the method; the next member is read', async () => {
  await withTempDir(async (dir) => {
    writeFileSync(
      join(dir, 'm.zip'),
      makeZip([
        { name: 'a.jsonl', data: 'BZh91AY&SY...', method: 12 },
        { name: 'b.jsonl', data: '{"text":"b"}\n' },
        { name: 'c.jsonl', data: ']\u0000\u0000\u0080\u0000', method: 14 },
      ]),
    );
    const { docs, rejects, reports } = await readAll([join(dir, 'm.zip')], 'skip', { displayRoot: dir });
    assert.deepEqual(
      docs.map((d) => d.text),
      ['b'],
    );
    assert.deepEqual(rejects.counts, { unsupported_compression: 2 });
    assert.match(rejects.kept[0]!.detail, /compressed with method 12 \(bzip2\), which skein cannot read .*repack the archive with deflate/);
    assert.match(rejects.kept[1]!.detail, /method 14 \(LZMA\)/);
    assert.deepEqual(
      reports.map((r) => r.status),
      ['corrupt', 'corrupt', 'ok', 'corrupt'],
    );
    await assert.rejects(readAll([join(dir, 'm.zip')], 'fail', { displayRoot: dir }), (e: unknown) => e instanceof RecordError && e.reason === 'unsupported_compression' && /^m\.zip!a\.jsonl: /.test(e.message));
  });
});

test('a Parquet member is read through a temporary file that has no name while it is read (nothing survives a kill)', async () => {
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, 'p.zip'), makeZip([{ name: 'b.parquet', data: readFileSync(fixture('parquet', 'small.snappy.parquet')) }]));
    const files = await expandInputs([join(dir, 'p.zip')]);
    let seenDuring: string[] | undefined;
    const left = await leftInTmp(dir, async () => {
      for await (const _ of readDocs(files, { fields: { text: 'text' }, rejects: new RejectSink('fail') })) {
        seenDuring ??= readdirSync(process.env.TMPDIR!);
      }
    });
    assert.deepEqual(seenDuring, [], 'no temporary file has a name while the member is read');
    assert.deepEqual(left, []);
  });
});

test('stale temporary files of killed processes on this boot are removed; others are left alone', async () => {
  const { removeStaleTempFiles, resetTempSweepForTests } = await import('../../src/sources/unlinked-temp-file.js');
  await withTempDir(async (dir) => {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().replace(/-/g, '').slice(0, 16);
    const startOf = (pid: number) => { const st = readFileSync(`/proc/${pid}/stat`, 'utf8'); return st.slice(st.lastIndexOf(')') + 2).split(' ')[19]; };
    const names = {
      dead: `skein-zip-${boot}-999999999-12345-abc.tmp`, // no such process
      reused: `skein-zip-${boot}-${process.ppid}-1-abc.tmp`, // a live process, started at another time: the pid was reused
      alive: `skein-zip-${boot}-${process.ppid}-${startOf(process.ppid)}-abc.tmp`, // its owner is running
      self: `skein-zip-${boot}-${process.pid}-${startOf(process.pid)}-abc.tmp`,
      otherBoot: `skein-zip-0123456789abcdef-999999999-1-abc.tmp`,
      oldStyle: 'skein-zip-AbC123',
      user: 'notes.tmp',
    };
    for (const n of Object.values(names)) writeFileSync(join(dir, n), 'x');
    resetTempSweepForTests();
    const removed = await removeStaleTempFiles(dir);
    assert.deepEqual(removed.sort(), [names.dead, names.reused].sort());
    assert.deepEqual(readdirSync(dir).sort(), Object.values(names).filter((n) => n !== names.dead && n !== names.reused).sort());
  });
});
