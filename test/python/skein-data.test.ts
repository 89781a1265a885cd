import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { openDataset } from '../../src/index.js';
import { ROOT } from '../helpers/corpus.js';
import { tempDir } from '../helpers/cli.js';
import { python } from '../helpers/python.js';
import { skeinAsync } from '../helpers/spawn.js';

/** The builds the Python package is checked on (python/tests/builds.json, shared with pytest). */
const BUILDS = JSON.parse(fs.readFileSync(path.join(ROOT, 'python', 'tests', 'builds.json'), 'utf8')) as Record<string, string[]>;
const folders: Record<string, string> = {};

before(async () => {
  const base = tempDir('skein-python-');
  for (const [name, args] of Object.entries(BUILDS)) {
    const out = path.join(base, name);
    const r = await skeinAsync(['build', ...args, '--output', out, '-q', '--no-progress']);
    assert.equal(r.code, 0, r.stderr);
    folders[name] = out;
  }
});

/** What the Python package reads from a folder: per row its ids, positions, segments and loss mask. */
const DUMP = `
import json, sys
from skein_data import open_rows
print(json.dumps([[r["input_ids"].tolist(), r["position_ids"].tolist(), r["segment_ids"].tolist(), r["loss_mask"].tolist() if "loss_mask" in r else None] for r in open_rows(sys.argv[1])]))
`;

test('skein_data reconstructs exactly what the TypeScript reader gives, on every row of concat-chunk, pack, PoSE and UtK builds', async () => {
  for (const [name, dir] of Object.entries(folders)) {
    const ours: unknown[] = [];
    for await (const r of (await openDataset(dir)).rows()) ours.push([Array.from(r.inputIds), Array.from(r.positionIds), Array.from(r.segmentIds), r.lossMask ? Array.from(r.lossMask) : null]);
    const py = python(['-c', DUMP, dir]);
    assert.equal(py.status, 0, py.stderr);
    const theirs = JSON.parse(py.stdout) as unknown[];
    assert.equal(theirs.length, ours.length, name);
    assert.deepEqual(theirs, ours, name);
  }
  // The builds cover every mode: several documents per row, reset and explicit positions, loss masks.
  const m = (n: string) => JSON.parse(fs.readFileSync(path.join(folders[n]!, 'manifest.json'), 'utf8'));
  assert.deepEqual(['concat', 'pack', 'pose', 'utk'].map((n) => [m(n).attention, m(n).positions]), [['causal', 'continuous'], ['document', 'reset'], ['causal', 'explicit'], ['causal', 'continuous']]);
  assert.ok(m('utk').columns.includes('loss_mask'));
});

test('the Python tests (pytest python/tests): datasets, collators, a tiny Llama under every attention form', () => {
  const r = python(['-m', 'pytest', 'python/tests', '-q', '-p', 'no:cacheprovider'], { env: { SKEIN_TEST_FOLDERS: JSON.stringify(folders) } });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /\d+ passed/);
  assert.doesNotMatch(r.stdout, /skipped|xfail/, 'nothing is skipped');
});

/** The first fenced python block after a heading of a Markdown file. */
function pythonBlock(file: string, heading: string): string {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const at = text.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `${file} has the heading ${heading}`);
  const m = /```python\n([\s\S]*?)```/.exec(text.slice(at));
  assert.ok(m, `${file}: a python block under ${heading}`);
  return m[1]!;
}

test("the README's Python example runs as written on `npx skein build` output and prints what its comment says", async () => {
  const cwd = tempDir('skein-readme-');
  const r = await skeinAsync(['build', '-q', '--no-progress'], {}, cwd);
  assert.equal(r.code, 0, r.stderr);
  const code = pythonBlock('README.md', '## From Python');
  const py = python(['-c', code], { cwd });
  assert.equal(py.status, 0, py.stderr);
  const printed = py.stdout.trim().split('\n').at(-1)!;
  const promised = /# (\{.*\})\s*$/m.exec(code);
  assert.ok(promised, 'the example shows its output in a comment');
  assert.equal(printed, promised[1]);
});

test('the training example of docs/train-on-shards.md runs as written', async () => {
  const cwd = tempDir('skein-docs-');
  const r = await skeinAsync(['build', '--builder', 'pack', '--seq-len', '256', '-q', '--no-progress'], {}, cwd);
  assert.equal(r.code, 0, r.stderr);
  const py = python(['-c', pythonBlock('docs/train-on-shards.md', '## PyTorch and transformers')], { cwd });
  assert.equal(py.status, 0, py.stderr);
  const losses = [...py.stdout.matchAll(/step (\d+) loss (\d+\.\d+)/g)].map((m) => Number(m[2]));
  assert.ok(losses.length >= 3 && losses.every(Number.isFinite), py.stdout);
});
