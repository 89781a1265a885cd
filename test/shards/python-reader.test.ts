import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfigObject, openDataset, runBuild } from '../../src/index.js';
import { fixture, ROOT } from '../helpers/corpus.js';
import { tempDir } from '../helpers/cli.js';

const hasPyarrow = spawnSync('python3', ['-c', 'import pyarrow, numpy'], { encoding: 'utf8' }).status === 0;

test('docs/examples/skein_reader.py reconstructs exactly the positions and segments of the TypeScript reader', { skip: hasPyarrow ? false : 'python3 with pyarrow and numpy not installed' }, async () => {
  const out = path.join(tempDir(), 'ds');
  await runBuild(loadConfigObject({ inputs: [{ path: fixture('corpus', 'sotu.jsonl') }], tokenizer: { name: 'llama3' }, builder: { type: 'pack', seq_len: 6000 }, output: { dir: out } }));
  const ours: Array<[number[], number[]]> = [];
  for await (const r of (await openDataset(out)).rows()) ours.push([Array.from(r.positionIds), Array.from(r.segmentIds)]);
  const py = spawnSync(
    'python3',
    ['-c', 'import sys, json; sys.path.insert(0, sys.argv[1]); from skein_reader import open_rows; print(json.dumps([[r["position_ids"].tolist(), r["segment_ids"].tolist()] for r in open_rows(sys.argv[2])]))', path.join(ROOT, 'docs', 'examples'), out],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  assert.equal(py.status, 0, py.stderr);
  const theirs = JSON.parse(py.stdout) as Array<[number[], number[]]>;
  assert.equal(theirs.length, ours.length);
  assert.ok(ours.some(([, seg]) => seg[seg.length - 1]! > 0), 'rows hold several documents');
  assert.deepEqual(theirs, ours);
});
