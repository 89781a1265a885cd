import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectFormat, inputName, SUPPORTED_EXTENSIONS } from '../../src/sources/input-format.js';

test('detectFormat recognises every supported name and nothing else', () => {
  const cases: Array<[string, string, string]> = [
    ['a.jsonl', 'jsonl', 'none'],
    ['a.json', 'jsonl', 'none'],
    ['a.ndjson', 'jsonl', 'none'],
    ['dir/a.JSONL.GZ', 'jsonl', 'gzip'],
    ['a.json.zst', 'jsonl', 'zstd'],
    ['a.ndjson.zstd', 'jsonl', 'zstd'],
    ['a.snappy.parquet', 'parquet', 'none'],
    ['a.zip', 'zip', 'none'],
  ];
  for (const [name, format, compression] of cases) {
    assert.deepEqual(
      { format: detectFormat(name)?.format, compression: detectFormat(name)?.compression },
      { format, compression },
      name,
    );
  }
  for (const name of ['a.txt', 'a.gz', 'a.parquet.gz', 'a.csv', 'jsonl', '.jsonl', 'a.tar.gz']) {
    assert.equal(detectFormat(name), undefined, name);
  }
  for (const ext of SUPPORTED_EXTENSIONS) assert.ok(detectFormat('x' + ext), ext);
});

test('inputName strips only the recognised extensions', () => {
  assert.equal(inputName('data/sotu.jsonl.gz'), 'sotu');
  assert.equal(inputName('c4.00001-of-01024.json.zst'), 'c4.00001-of-01024');
  assert.equal(inputName('/x/sotu.snappy.parquet'), 'sotu.snappy');
  assert.equal(inputName('a.zip'), 'a');
});
