import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { readEvalRows, type EvalRow } from '../../src/eval/eval-shards.js';
import { generateEvalSet } from '../../src/eval/gen-eval.js';
import { FILLER, NIAH_NEEDLE, PASSKEY_QUESTION, PASSKEY_TASK, passkeyLine } from '../../src/eval/texts.js';
import { openDataset } from '../../src/shards/reader.js';
import type { TokenizerEngine } from '../../src/tokenize/engine.js';
import { loadTokenizer } from '../../src/tokenize/load-tokenizer.js';
import { tempDir } from '../helpers/cli.js';
import { python } from '../helpers/python.js';

const root = tempDir('skein-gen-eval-test-');
let engine: TokenizerEngine;
before(async () => {
  engine = await loadTokenizer({ name: 'o200k_base' });
});

/** All rows of an eval set. */
async function rows(dir: string): Promise<EvalRow[]> {
  const out: EvalRow[] = [];
  for await (const r of readEvalRows(dir)) out.push(r);
  return out;
}

const decode = (ids: ArrayLike<number>) => engine.decode(ids);

test('passkey: the spec strings, fillers filling the length, the key line at the requested depth, answer " K"', async () => {
  const dir = path.join(root, 'passkey');
  const m = await generateEvalSet({ task: 'passkey', lengths: [200, 600], depths: [0, 50, 100], samples: 2, tokenizer: 'o200k_base', output: dir, seed: 1 });
  assert.equal(m.totals.rows, 12);
  assert.deepEqual(m.eval.depths, [0, 50, 100]);
  for (const r of await rows(dir)) {
    assert.ok(r.inputIds.length <= r.length && r.inputIds.length > r.length - 30, `${r.inputIds.length} tokens for length ${r.length}`);
    const prompt = await decode(r.inputIds.subarray(0, r.promptLength));
    const key = Number(/^ (\d+)$/.exec(r.answer)![1]);
    assert.ok(key >= 1 && key <= 50000);
    assert.equal(await decode(r.inputIds.subarray(r.promptLength)), r.answer);
    const lines = prompt.split('\n');
    assert.equal(lines.length, 5);
    assert.equal(lines[0], PASSKEY_TASK);
    assert.equal(lines[2], passkeyLine(key));
    assert.equal(lines[4], PASSKEY_QUESTION);
    const before = lines[1]!.length / FILLER.length;
    const after = lines[3]!.length / FILLER.length;
    assert.ok(Number.isInteger(before) && Number.isInteger(after) && lines[1] === FILLER.repeat(before));
    assert.equal(before, Math.round(((before + after) * r.depth) / 100));
  }
  // Deterministic: the same options write the same bytes.
  const again = await generateEvalSet({ task: 'passkey', lengths: [200, 600], depths: [0, 50, 100], samples: 2, tokenizer: 'o200k_base', output: path.join(root, 'passkey2'), seed: 1 });
  assert.equal(again.shards[0]!.sha256, m.shards[0]!.sha256);
  // Any skein reader sees ordinary rows: one document, loss mask on the answer.
  const ds = await openDataset(dir);
  for await (const row of ds.rows()) {
    const n = row.inputIds.length;
    const answerTokens = Array.from(row.lossMask!).filter((x) => x === 1).length;
    assert.deepEqual(Array.from(row.docLengths), [n]);
    assert.ok(answerTokens >= 1 && row.lossMask![n - 1] === 1 && row.lossMask![0] === 0);
  }
});

test('gen-eval reports each sample as it is made, up to the number of cells × samples', async () => {
  const seen: Array<[number, number]> = [];
  await generateEvalSet({ task: 'passkey', lengths: [128, 256], depths: [0, 100], samples: 2, tokenizer: 'o200k_base', output: path.join(root, 'progress'), onSample: (d, t) => seen.push([d, t]) });
  assert.deepEqual(seen, Array.from({ length: 8 }, (_, i) => [i + 1, 8]));
});

test('niah: the needle sits at the requested depth of the bundled-corpus haystack, moved back to a sentence end; answer = the needle', async () => {
  const dir = path.join(root, 'niah');
  await generateEvalSet({ task: 'niah', lengths: [400], depths: [0, 50, 100], samples: 1, tokenizer: 'o200k_base', output: dir });
  for (const r of await rows(dir)) {
    assert.equal(r.answer, ` ${NIAH_NEEDLE}`);
    assert.ok(r.inputIds.length <= 400 && r.inputIds.length > 380);
    const prompt = await decode(r.inputIds.subarray(0, r.promptLength));
    const book = prompt.slice(prompt.indexOf('<book>') + 6, prompt.indexOf('</book>'));
    const at = book.indexOf(`\n${NIAH_NEEDLE}\n`);
    assert.ok(at >= 0, 'needle present, wrapped in newlines');
    const rel = at / (book.length - NIAH_NEEDLE.length - 2);
    if (r.depth === 0) assert.ok(at <= 1);
    if (r.depth === 100) assert.equal(book.trimEnd().endsWith(NIAH_NEEDLE), true);
    if (r.depth === 50) {
      assert.ok(rel > 0.3 && rel <= 0.55, `relative position ${rel}`);
      assert.ok(book.slice(0, at).trimEnd().endsWith('.'), 'inserted after a period');
    }
    assert.ok(prompt.includes('Gentlemen') || r.depth !== 0, 'haystack from the State of the Union corpus');
  }
});

test('RULER vt / cwe / fwe: answers follow from the generated context', async () => {
  const vt = (await generateEvalSet({ task: 'vt', lengths: [300], samples: 2, tokenizer: 'o200k_base', output: path.join(root, 'vt') }), await rows(path.join(root, 'vt')));
  for (const r of vt) {
    const text = await decode(r.inputIds.subarray(0, r.promptLength));
    const names = r.answer.trim().split(' ');
    assert.equal(names.length, 5);
    const value = /VAR [A-Z]{5} = (\d{5})/.exec(text)![1];
    assert.ok(text.includes(`VAR ${names[0]} = ${value}`));
    for (let i = 1; i < 5; i++) assert.ok(text.indexOf(`VAR ${names[i]} = VAR ${names[i - 1]}`) > text.indexOf(`VAR ${names[i - 1]} =`));
    assert.equal(r.depth, -1);
  }
  const cwe = (await generateEvalSet({ task: 'cwe', lengths: [700], samples: 1, tokenizer: 'o200k_base', output: path.join(root, 'cwe') }), await rows(path.join(root, 'cwe')));
  for (const r of cwe) {
    const text = await decode(r.inputIds.subarray(0, r.promptLength));
    const counts = new Map<string, number>();
    for (const m of text.matchAll(/\d+\. ([a-z]+)/g)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
    const words = r.answer.trim().split(' ');
    assert.equal(words.length, 10);
    for (const w of words) assert.equal(counts.get(w), 6);
    assert.ok([...counts.entries()].filter(([w]) => !words.includes(w)).every(([, c]) => c === 1));
  }
  const fwe = (await generateEvalSet({ task: 'fwe', lengths: [500], samples: 1, tokenizer: 'o200k_base', output: path.join(root, 'fwe') }), await rows(path.join(root, 'fwe')));
  for (const r of fwe) {
    const text = await decode(r.inputIds.subarray(0, r.promptLength));
    const body = text.slice(text.indexOf('\n') + 1, text.lastIndexOf('\nQuestion'));
    const counts = new Map<string, number>();
    for (const w of body.split(' ')) counts.set(w, (counts.get(w) ?? 0) + 1);
    const ranked = [...counts.entries()].filter(([w]) => w !== '...').sort((a, b) => b[1] - a[1]);
    assert.ok((counts.get('...') ?? 0) > ranked[0]![1], 'the rank-1 word is replaced by dots');
    const [w2, w3, w4] = r.answer.trim().split(' ');
    assert.ok(counts.get(w2!)! >= counts.get(w3!)! && counts.get(w3!)! >= counts.get(w4!)!);
    assert.equal(counts.get(w2!), ranked[0]![1]);
  }
});

test('eval sets open with datasets.load_from_disk, extra columns included', () => {
  const dir = path.join(root, 'passkey');
  const script = `
import datasets, json, sys
ds = datasets.load_from_disk(sys.argv[1])
r = ds[3]
print(json.dumps({"n": len(ds), "columns": ds.column_names, "task": r["task"], "depth": r["depth"], "prompt_length": r["prompt_length"], "len": len(r["input_ids"]), "mask": sum(r["loss_mask"]), "features": {k: str(v) for k, v in ds.features.items()}}))
`;
  const r = python(['-c', script, dir]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.equal(out.n, 12);
  assert.deepEqual(out.columns, ['input_ids', 'doc_lengths', 'loss_mask', 'task', 'context_length', 'depth', 'prompt_length', 'answer', 'sample']);
  assert.equal(out.task, 'passkey');
  assert.equal(out.len - out.prompt_length, out.mask);
  assert.match(out.features.depth, /float32/);
});
