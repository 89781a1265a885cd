// Which files an input names, and reading them as they were listed: links and loops read once,
// non-UTF-8 names found and named faithfully, output and dataset folders recognised, files that
// change or vanish during a build refused with one line.
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, linkSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { expandInputs } from '../../src/sources/expand-inputs.js';
import { displayName } from '../../src/sources/file-names.js';
import { readDocs } from '../../src/sources/read-docs.js';
import { UserError } from '../../src/util/errors.js';
import { RejectSink } from '../../src/util/reject-sink.js';
import { fixture, withTempDir } from './helpers.js';

const line = (text: string) => `${JSON.stringify({ text })}\n`;

async function listed(patterns: string[], cwd: string, exclude?: string[]): Promise<{ paths: string[]; notes: string[] }> {
  const notes: string[] = [];
  const files = await expandInputs(patterns, { cwd, exclude, onNote: (m) => notes.push(m) });
  return { paths: files.map((f) => f.path.slice(cwd.length + 1)), notes };
}

test('a folder link back up (sub/up -> ..) and a link to a file next to it are read once, under the real paths', async () => {
  await withTempDir(async (dir) => {
    mkdirSync(join(dir, 'data/sub'), { recursive: true });
    writeFileSync(join(dir, 'data/a.jsonl'), line('a'));
    writeFileSync(join(dir, 'data/sub/b.jsonl'), line('b'));
    symlinkSync('..', join(dir, 'data/sub/up'));
    symlinkSync('a.jsonl', join(dir, 'data/0-link-to-a.jsonl')); // sorts before its target
    symlinkSync(join(dir, 'data/sub'), join(dir, 'data/again'));
    symlinkSync('loop', join(dir, 'data/loop')); // a link to itself
    const { paths, notes } = await listed(['data'], dir);
    assert.deepEqual(paths, ['data/a.jsonl', 'data/sub/b.jsonl']);
    assert.ok(notes.some((n) => /read .*data\/a\.jsonl once: .*0-link-to-a\.jsonl is the same file/.test(n)), notes.join('\n'));
    assert.ok(notes.some((n) => /left out .*data\/sub\/up: a link to a folder already read/.test(n)), notes.join('\n'));
    assert.ok(notes.some((n) => /left out .*data\/loop: a symbolic link that leads nowhere \(ELOOP\)/.test(n)), notes.join('\n'));
    // Patterns that overlap, a glob and a hard link: still one entry per file.
    linkSync(join(dir, 'data/sub/b.jsonl'), join(dir, 'data/hard.jsonl'));
    const again = await listed(['data', 'data/**/*.jsonl', 'data/0-link-to-a.jsonl'], dir);
    assert.deepEqual(again.paths, ['data/a.jsonl', 'data/hard.jsonl']);
    // Every document once.
    const rejects = new RejectSink('fail');
    const docs = [];
    for await (const d of readDocs(await expandInputs(['data'], { cwd: dir }), { fields: { text: 'text' }, rejects, displayRoot: dir })) docs.push(d.text);
    assert.deepEqual(docs.sort(), ['a', 'b']);
  });
});

test('a file name that is not UTF-8 is found, read by its bytes and named with \\xHH escapes in ids', async () => {
  await withTempDir(async (dir) => {
    const raw = Buffer.concat([Buffer.from(join(dir, 'caf')), Buffer.from([0xe9]), Buffer.from('.jsonl')]);
    writeFileSync(raw, line('café in Latin-1'));
    writeFileSync(join(dir, 'plain.jsonl'), line('plain'));
    assert.deepEqual(displayName(Buffer.from([0x63, 0x61, 0x66, 0xe9])), { name: 'caf\\xe9', utf8: false });
    const files = await expandInputs([dir]);
    assert.equal(files.length, 2);
    const latin = files.find((f) => f.rawPath)!;
    assert.equal(latin.path, join(dir, 'caf\\xe9.jsonl'));
    assert.ok(latin.rawPath!.equals(raw));
    const docs = [];
    for await (const d of readDocs(files, { fields: { text: 'text', id: 'none' }, rejects: new RejectSink('fail'), displayRoot: dir })) docs.push(d);
    assert.deepEqual(
      docs.map((d) => [d.id, d.text]),
      [
        ['caf\\xe9.jsonl:1', 'café in Latin-1'],
        ['plain.jsonl:1', 'plain'],
      ],
    );
  });
});

test('skein output folders and the build output folder are left out of folder inputs; named directly they are refused', async () => {
  await withTempDir(async (dir) => {
    mkdirSync(join(dir, 'data/old-build/.skein'), { recursive: true });
    writeFileSync(join(dir, 'data/a.jsonl'), line('a'));
    writeFileSync(join(dir, 'data/old-build/manifest.json'), JSON.stringify({ format: 'skein-shards' }));
    writeFileSync(join(dir, 'data/old-build/state.json'), '{}');
    mkdirSync(join(dir, 'data/out'));
    writeFileSync(join(dir, 'data/out/rejects.jsonl'), line('not an input'));
    const { paths, notes } = await listed(['data'], dir, [join(dir, 'data/out')]);
    assert.deepEqual(paths, ['data/a.jsonl']);
    assert.ok(notes.some((n) => /left out .*data\/old-build: a skein output folder/.test(n)));
    assert.ok(notes.some((n) => /left out .*data\/out: it is the build's output folder/.test(n)));
    await assert.rejects(expandInputs(['data/old-build'], { cwd: dir }), (e: unknown) => e instanceof UserError && /is a skein output folder: it holds tokenized shards, not text/.test(e.message));
  });
});

test('a Hugging Face save_to_disk folder is read as its Arrow data (nested columns included); a DatasetDict asks for a split', async () => {
  const files = await expandInputs([fixture('hf', 'sotu-head')]);
  assert.deepEqual(
    files.map((f) => [f.path.split('/').slice(-1)[0], f.format]),
    [['data-00000-of-00001.arrow', 'arrow']],
  );
  const docs = [];
  for await (const d of readDocs(files, { fields: { text: 'text', source: 'meta.party', messages: 'conversations' }, rejects: new RejectSink('fail') })) docs.push(d);
  assert.deepEqual(
    docs.map((d) => [d.id, d.source, d.messages?.map((m) => m.role)]),
    [
      ['1797-john-adams', 'Federalist', ['user', 'assistant']],
      ['1806-thomas-jefferson', 'Democratic-Republican', ['user', 'assistant']],
      ['1815-james-madison', 'Democratic-Republican', ['user', 'assistant']],
    ],
  );
  assert.match(docs[0]!.messages![1]!.content, /^Gentlemen of the Senate/);
  await withTempDir(async (dir) => {
    for (const split of ['train', 'test']) cpSync(fixture('hf', 'sotu-head'), join(dir, 'dd', split), { recursive: true });
    writeFileSync(join(dir, 'dd/dataset_dict.json'), JSON.stringify({ splits: ['train', 'test'] }));
    await assert.rejects(expandInputs(['dd'], { cwd: dir }), (e: unknown) => e instanceof UserError && /DatasetDict with splits train, test; name one split folder, e\.g\. dd\/train/.test(e.message));
    assert.equal((await expandInputs(['dd/train'], { cwd: dir })).length, 1);
  });
});

test('a file that grows, shrinks or disappears after it was listed is refused with one line naming it', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'live.jsonl');
    writeFileSync(path, line('one') + line('two'));
    const read = async () => {
      const out: string[] = [];
      for await (const d of readDocs(files, { fields: { text: 'text' }, rejects: new RejectSink('fail'), displayRoot: dir })) out.push(d.text!);
      return out;
    };
    let files = await expandInputs([path]);
    const [two, three, one] = [line('one') + line('two'), line('one') + line('two') + line('three'), line('one')].map((s) => Buffer.byteLength(s));
    appendFileSync(path, line('three'));
    await assert.rejects(read(), (e: unknown) => e instanceof UserError && new RegExp(`^input live\\.jsonl grew from ${two} to ${three} bytes since the build listed it`).test(e.message));
    files = await expandInputs([path]);
    assert.deepEqual(await read(), ['one', 'two', 'three']);
    writeFileSync(path, line('one'));
    await assert.rejects(read(), (e: unknown) => e instanceof UserError && new RegExp(`^input live\\.jsonl shrank from ${three} to ${one} bytes`).test(e.message));
    files = await expandInputs([path]);
    rmSync(path);
    await assert.rejects(read(), (e: unknown) => e instanceof UserError && /^cannot read input live\.jsonl \(ENOENT: no such file or directory\): it no longer exists: it was moved or deleted during the build/.test(e.message));
  });
});
