import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tableFromIPC } from '@uwdata/flechette';
import { fixture } from '../helpers/corpus.js';
import { manifestOf, shardHashes, skein, tempDir } from '../helpers/cli.js';

const expected = JSON.parse(fs.readFileSync(fixture('expected', 'corpus.json'), 'utf8')) as { documents: number };

test('skein build with no config builds the bundled corpus; an independent Arrow reader (flechette) reads the shards with the contract schema', () => {
  const out = path.join(tempDir(), 'shards');
  const r = skein(['build', '--output', out, '--shard-tokens', '100000']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /documents: read 26 = written 26 \+ dropped 0/);
  const m = manifestOf(out);
  assert.equal(m.documents.read, expected.documents);
  assert.equal(m.builder.name, 'concat-chunk');
  assert.equal(m.attention, 'causal');
  assert.equal(m.positions, 'continuous');
  assert.deepEqual(m.columns, ['input_ids', 'doc_lengths', 'doc_sources']);
  let rows = 0;
  let tokens = 0;
  for (const s of m.shards) {
    const bytes = fs.readFileSync(path.join(out, s.file));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), s.sha256);
    const t = tableFromIPC(bytes);
    assert.deepEqual(t.schema.fields.map((f) => f.name), ['input_ids', 'doc_lengths', 'doc_sources']);
    const types = t.schema.fields.map((f) => [f.type.typeId, (f.type as any).children[0].name, (f.type as any).children[0].type.typeId, (f.type as any).children[0].type.bitWidth]);
    // typeId 12 = List, 2 = Int, 5 = Utf8 (Arrow's Type enum).
    assert.deepEqual(types, [[12, 'item', 2, 32], [12, 'item', 2, 32], [12, 'item', 5, undefined]]);
    for (const row of t.toArray() as Array<{ input_ids: Int32Array; doc_lengths: Int32Array; doc_sources: string[] }>) {
      assert.equal(row.input_ids.length, 4096);
      assert.equal(Array.from(row.doc_lengths).reduce((a, b) => a + b, 0), 4096);
      assert.equal(row.doc_sources.length, row.doc_lengths.length);
      assert.ok(row.doc_sources.every((x) => x === 'sotu'));
      rows++;
      tokens += row.input_ids.length;
    }
  }
  assert.equal(rows, m.totals.rows);
  assert.equal(tokens, m.totals.tokens);
  assert.ok(m.shards.length >= 2, 'shard_tokens splits the corpus into several shards');
  const state = JSON.parse(fs.readFileSync(path.join(out, 'state.json'), 'utf8'));
  assert.deepEqual(state._data_files.map((f: { filename: string }) => f.filename), m.shards.map((s: { file: string }) => s.file));
});

test('determinism: the same config and seed give byte-identical shards; the same build again is done, another config needs --overwrite', () => {
  const base = tempDir();
  const a = path.join(base, 'a');
  const b = path.join(base, 'b');
  assert.equal(skein(['build', '--output', a, '--seq-len', '1024', '--shard-tokens', '50000']).code, 0);
  assert.equal(skein(['build', '--output', b, '--seq-len', '1024', '--shard-tokens', '50000']).code, 0);
  assert.deepEqual(shardHashes(a), shardHashes(b));
  assert.ok(shardHashes(a).length > 3);
  const again = skein(['build', '--output', a, '--seq-len', '1024', '--shard-tokens', '50000']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /already complete: nothing was built/);
  const other = skein(['build', '--output', a]);
  assert.equal(other.code, 1);
  assert.match(other.stderr, /holds a finished build of another configuration \(its config differs at builder\.seq_len\); pass --overwrite/);
  assert.equal(skein(['build', '--output', a, '--overwrite']).code, 0);
  assert.deepEqual(fs.readdirSync(a).filter((f) => f.endsWith('.arrow')).length, manifestOf(a).shards.length, 'no stale shards left');
});

test('every fixture format (JSONL, .gz, .zst, Parquet snappy and zstd v2, ZIP of mixed members) yields the same documents and byte-identical shards', () => {
  const base = tempDir();
  const formats = ['sotu.jsonl', 'sotu.jsonl.gz', 'sotu.jsonl.zst', 'sotu.snappy.parquet', 'sotu.zstd.parquet', 'sotu.zip'];
  const hashes = formats.map((f, i) => {
    const out = path.join(base, String(i));
    const r = skein(['build', '--input', fixture('corpus', f), '--name', 'sotu', '--output', out, '--seq-len', '2048']);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    assert.equal(manifestOf(out).documents.written, expected.documents, f);
    return shardHashes(out).join(',');
  });
  for (const [i, h] of hashes.entries()) assert.equal(h, hashes[0], `${formats[i]} differs from sotu.jsonl`);
});

test('pack builder: document attention and reset positions recorded in the manifest, rows never exceed seq_len', () => {
  const out = path.join(tempDir(), 'p');
  const r = skein(['build', '--builder', 'pack', '--seq-len', '8192', '--output', out]);
  assert.equal(r.code, 0, r.stderr);
  const m = manifestOf(out);
  assert.equal(m.attention, 'document');
  assert.equal(m.positions, 'reset');
  assert.ok(m.histograms.sample_tokens.max <= 8192);
  assert.equal(m.documents.written, expected.documents);
  assert.ok(m.packing.fill > 0.8 && m.packing.fill <= 1, `fill ${m.packing.fill}`);
});

test('OpenAI encodings: no BOS, so each document ends with EOS by default', () => {
  const out = path.join(tempDir(), 'o');
  const r = skein(['build', '--tokenizer', 'o200k_base', '--output', out]);
  assert.equal(r.code, 0, r.stderr);
  const m = manifestOf(out);
  assert.equal(m.tokenizer.add_bos, false);
  assert.equal(m.tokenizer.add_eos, true);
  assert.equal(m.tokenizer.special_ids.eos, 199999);
});

test('user errors exit 1 with one line naming the problem and the fix', () => {
  const dir = tempDir();
  const cfg = path.join(dir, 'bad.json');
  fs.writeFileSync(cfg, JSON.stringify({ inputs: [{ path: 'x.jsonl' }], tokenizer: { name: 'llama3' }, builder: { type: 'pack', seq_len: 10, seq_lenn: 3 } }));
  const cases: Array<[string[], RegExp]> = [
    [['build', cfg], /unknown key builder\.seq_lenn/],
    [['build', '--seq-len', 'abc'], /--seq-len must be a positive integer/],
    [['build', '--input', path.join(dir, 'none.jsonl')], /none\.jsonl/],
    [['build', '--tokenizer', 'nope-tokenizer', '--output', path.join(dir, 'o')], /tokenizer package nope-tokenizer is not installed: npm install nope-tokenizer/],
    [['build', path.join(dir, 'missing.json')], /config file .*missing\.json not found/],
    [['build', 'fixtures/corpus/sotu.jsonl.zst'], /sotu\.jsonl\.zst looks like input data, not a pipeline config; pass data with --input/],
    [['inspect', path.join(dir, 'nothing')], /manifest/],
  ];
  for (const [args, re] of cases) {
    const r = skein(args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  fs.writeFileSync(cfg, JSON.stringify({ inputs: [{ path: 'x.jsonl' }], tokenizer: { name: 'llama3' }, builder: { type: 'pack', seq_len: -4 } }));
  const r = skein(['build', cfg]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /builder\.seq_len/);
});

test('an output folder holding foreign files is refused, never emptied', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
  const r = skein(['build', '--output', dir]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /holds files skein did not write \(notes\.txt\)/);
  assert.equal(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8'), 'mine');
});

test('help: no arguments and --help print usage and exit 0', () => {
  const none = skein([]);
  assert.equal(none.code, 0);
  assert.match(none.stdout, /Usage: skein/);
  for (const cmd of ['build', 'inspect']) {
    const r = skein([cmd, '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`Usage: skein ${cmd}`));
  }
});

test('inspect reads a build back: summary, histograms and decoded text of the first rows', () => {
  const out = path.join(tempDir(), 's');
  assert.equal(skein(['build', '--output', out]).code, 0);
  const r = skein(['inspect', out, '--rows', '1', '--verify']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /documents read 26 = written 26/);
  assert.match(r.stdout, /document lengths \(tokens\):/);
  assert.match(r.stdout, /verified: \d+ shards match their sha256/);
  // The first row starts with the first document of the corpus, decoded.
  assert.match(r.stdout, /row 0: 4096 tokens.*\n\s+piece 0 .*<\|begin_of_text\|>Gentlemen of the Senate/);
});
