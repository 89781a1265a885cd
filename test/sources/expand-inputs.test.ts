import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { expandInputs } from '../../src/sources/expand-inputs.js';
import { UserError } from '../../src/util/errors.js';
import { fixture, ROOT, withTempDir } from './helpers.js';

function tree(dir: string): void {
  const files: Record<string, string> = {
    'b/2.jsonl.gz': 'x',
    'b/1.ndjson': 'xx',
    'a.parquet': 'xxx',
    'a.json.zstd': 'x',
    'c/deep/d.zip': 'x',
    'c/deep/notes.txt': 'x',
    'c/.hidden.jsonl': 'x',
    '.git/x.jsonl': 'x',
    'README.md': 'x',
  };
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
}

test('a directory is searched recursively for supported files, sorted, with size and format', async () => {
  await withTempDir(async (dir) => {
    tree(dir);
    const files = await expandInputs([dir]);
    assert.deepEqual(
      files.map((f) => [f.path.slice(dir.length + 1), f.size, f.format, f.compression]),
      [
        ['a.json.zstd', 1, 'jsonl', 'zstd'],
        ['a.parquet', 3, 'parquet', 'none'],
        ['b/1.ndjson', 2, 'jsonl', 'none'],
        ['b/2.jsonl.gz', 1, 'jsonl', 'gzip'],
        ['c/deep/d.zip', 1, 'zip', 'none'],
      ],
    );
  });
});

test('files, directories and globs combine, de-duplicated and sorted by path', async () => {
  await withTempDir(async (dir) => {
    tree(dir);
    const files = await expandInputs(['b/*.gz', 'a.parquet', 'b', join(dir, 'a.parquet'), '**/*.zip'], { cwd: dir });
    assert.deepEqual(
      files.map((f) => f.path.slice(dir.length + 1)),
      ['a.parquet', 'b/1.ndjson', 'b/2.jsonl.gz', 'c/deep/d.zip'],
    );
    assert.ok(files.every((f) => f.path.startsWith(dir)), 'absolute paths');
    const absGlob = await expandInputs([join(dir, 'b', '*')]);
    assert.deepEqual(
      absGlob.map((f) => f.path.slice(dir.length + 1)),
      ['b/1.ndjson', 'b/2.jsonl.gz'],
    );
  });
});

test('the fixtures corpus folder expands to its six inputs', async () => {
  const files = await expandInputs(['fixtures/corpus'], { cwd: ROOT });
  assert.deepEqual(
    files.map((f) => f.path),
    ['sotu.jsonl', 'sotu.jsonl.gz', 'sotu.jsonl.zst', 'sotu.snappy.parquet', 'sotu.zip', 'sotu.zstd.parquet'].map((n) => fixture('corpus', n)),
  );
});

async function userError(patterns: string[], cwd: string, pattern: RegExp): Promise<void> {
  await assert.rejects(expandInputs(patterns, { cwd }), (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

test('nothing to read is a one-line UserError naming the pattern and the fix', async () => {
  await withTempDir(async (dir) => {
    tree(dir);
    mkdirSync(join(dir, 'empty'));
    await userError(['missing.jsonl'], dir, /^input not found: missing\.jsonl .*check the path/);
    await userError(['nope/*.jsonl'], dir, /^no files match nope\/\*\.jsonl .*check the pattern/);
    await userError(['c/deep/*.txt'], dir, /^c\/deep\/\*\.txt matches only unsupported files \(such as c\/deep\/notes\.txt\); skein reads \.jsonl, /);
    await userError(['README.md'], dir, /^unsupported input file README\.md: skein reads \.jsonl, .*\.parquet, \.arrow, \.zip; rename or convert it$/);
    await userError(['empty'], dir, /^directory empty holds no input files/);
    await userError([], dir, /no input files given/);
  });
});
