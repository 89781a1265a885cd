import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { mergeBuilds, openDataset } from '../../src/index.js';
import { manifestOf, skein, tempDir } from '../helpers/cli.js';
import { ROOT } from '../helpers/corpus.js';
import { python } from '../helpers/python.js';
import { skeinAsync } from '../helpers/spawn.js';

const READER = path.join(ROOT, 'test', 'shards', 'read_megatron.py');

/** What the independent Python reader (test/shards/read_megatron.py) finds in a Megatron folder. */
interface MegatronRead {
  pairs: Array<{ prefix: string; dtype: string; code: number; sequences: number; documents: number }>;
  doc_lengths: number[];
  tokens_sha256: string;
  max_id: number;
  last_tokens: number[];
}

function readMegatron(dir: string): MegatronRead {
  const m = manifestOf(dir);
  const r = python([READER, ...m.megatron.prefixes.map((p: string) => path.join(dir, p))]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as MegatronRead;
}

/**
 * The Arrow build's tokens (sha256 of all of them as int32 little endian, in row order) and its
 * document lengths: the pieces of every row, where `joins(rowFirstTokens)` says a row's first piece
 * continues the previous row's last document, or (rows: true) one length per row.
 */
async function arrowDocuments(dir: string, opts: { continues?: (first: number) => boolean; rows?: boolean } = {}): Promise<{ sha: string; lengths: number[] }> {
  const hash = createHash('sha256');
  const lengths: number[] = [];
  for await (const row of (await openDataset(dir)).rows()) {
    hash.update(Buffer.from(row.inputIds.buffer, row.inputIds.byteOffset, row.inputIds.byteLength));
    if (opts.rows) {
      lengths.push(row.inputIds.length);
      continue;
    }
    row.docLengths.forEach((len, k) => {
      if (k === 0 && lengths.length > 0 && opts.continues?.(row.inputIds[0]!)) lengths[lengths.length - 1]! += len;
      else lengths.push(len);
    });
  }
  return { sha: hash.digest('hex'), lengths };
}

/** Builds the same command as Arrow and as Megatron into `base/arrow` and `base/megatron`. */
async function bothFormats(args: string[]): Promise<{ arrow: string; megatron: string; stdout: string }> {
  const base = tempDir('skein-megatron-');
  const arrow = path.join(base, 'arrow');
  const megatron = path.join(base, 'megatron');
  const [a, m] = await Promise.all([skeinAsync(['build', ...args, '--output', arrow, '--no-progress']), skeinAsync(['build', ...args, '--format', 'megatron', '--output', megatron, '--no-progress'])]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(m.code, 0, m.stderr);
  return { arrow, megatron, stdout: m.stdout };
}

test('the bundled corpus as Megatron pairs reads back, through an independent reader, with the tokens and document boundaries of the Arrow build (Llama-3: int32)', async () => {
  const { arrow, megatron, stdout } = await bothFormats(['--shard-tokens', '60000']);
  const m = manifestOf(megatron);
  const a = manifestOf(arrow);
  const read = readMegatron(megatron);
  // Llama-3 documents are [BOS] + tokens: a row whose first token is not BOS continues a document.
  const bos = a.tokenizer.special_ids.bos as number;
  assert.equal(a.tokenizer.add_bos, true);
  const expected = await arrowDocuments(arrow, { continues: (first) => first !== bos });
  assert.equal(read.tokens_sha256, expected.sha, 'the same tokens in the same order');
  assert.deepEqual(read.doc_lengths, expected.lengths, 'the same document boundaries');
  assert.equal(read.doc_lengths.length, a.documents.written, 'one Megatron document per document written');
  assert.ok(read.pairs.length >= 3, `several pairs (${read.pairs.length})`);
  assert.ok(read.pairs.every((p) => p.dtype === 'int32' && p.code === 4 && p.sequences === p.documents));
  assert.ok(read.max_id < 128256);
  assert.deepEqual(
    read.pairs.map((p) => p.sequences),
    m.shards.map((s: { documents: number }) => s.documents),
  );
  // The manifest's accounting is the Arrow build's; the format section says how to read it.
  assert.equal(m.shard_format, 'megatron');
  assert.deepEqual(m.megatron, { documents: 'documents', dtype: 'int32', dtype_code: 4, prefixes: m.shards.map((s: { file: string }) => s.file.replace('.bin', '')), sequences: read.doc_lengths.length, eod_id: null, flags: [] });
  assert.deepEqual([m.totals.tokens, m.totals.rows, m.documents], [a.totals.tokens, a.totals.rows, a.documents]);
  assert.deepEqual(m.columns, ['input_ids']);
  assert.ok(!fs.existsSync(path.join(megatron, 'state.json')) && !fs.existsSync(path.join(megatron, 'dataset_info.json')), 'no Hugging Face layout for a Megatron folder');
  assert.match(stdout, /megatron: 26 documents \(the build's documents\) as int32 tokens in \d+ \.bin\/\.idx pairs, EOD none/);

  // Deterministic whatever the tokenizer worker count.
  const threads = await skeinAsync(['build', '--shard-tokens', '60000', '--format', 'megatron', '--workers', '2', '--output', path.join(megatron, '..', 'threads'), '-q']);
  assert.equal(threads.code, 0, threads.stderr);
  assert.deepEqual(manifestOf(path.join(megatron, '..', 'threads')).shards, m.shards);

  const inspect = skein(['inspect', megatron, '--verify']);
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.match(inspect.stdout, /shard-00000\.bin .* \+ shard-00000\.idx \(\d+ documents\)/);
  assert.match(inspect.stdout, /verified: \d+ shards match their sha256/);
  fs.appendFileSync(path.join(megatron, 'shard-00001.idx'), 'x');
  const bad = skein(['inspect', megatron, '--verify', '--rows', '0']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /do not match the manifest checksums \(shard-00001\.idx\)/);
  // The folder is skein's own: a finished one is verified (the .idx too), and --overwrite removes every pair.
  const again = skein(['build', '--shard-tokens', '60000', '--format', 'megatron', '--output', megatron, '--no-progress']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /holds this build, complete, but its shard-00001\.idx has \d+ bytes, not the \d+ recorded/);
  const over = skein(['build', '--shard-tokens', '60000', '--output', megatron, '--overwrite', '-q']);
  assert.equal(over.code, 0, over.stderr);
  assert.deepEqual(fs.readdirSync(megatron).filter((f) => /\.(bin|idx)$/.test(f)), [], 'an Arrow build over it leaves no pair behind');
  // Readers of Arrow rows refuse a Megatron folder, saying what to do.
  await assert.rejects(openDataset(path.join(megatron, '..', 'threads')), /holds Megatron \.bin\/\.idx shards \(output\.format megatron\).*--data-path/);
  const explain = skein(['inspect', path.join(megatron, '..', 'threads'), '--explain', '0']);
  assert.equal(explain.code, 1);
  assert.equal(explain.stderr.trim().split('\n').length, 1);
});

test('Llama-2 (32,000 ids) writes uint16 pairs; the Index-1.9B packing preset reads back document for document and names its Megatron flags', async () => {
  const { arrow, megatron } = await bothFormats(['pipelines/index-32k.json', '--tokenizer', 'llama2', '--seq-len', '2048']);
  const m = manifestOf(megatron);
  const read = readMegatron(megatron);
  const expected = await arrowDocuments(arrow);
  assert.equal(read.tokens_sha256, expected.sha);
  assert.deepEqual(read.doc_lengths, expected.lengths, 'pack rows hold whole documents: one Megatron document per piece');
  assert.ok(read.pairs.every((p) => p.dtype === 'uint16' && p.code === 8));
  const eos = m.tokenizer.special_ids.eos as number;
  assert.ok(read.last_tokens.every((t) => t === eos), 'every document ends with the EOD Megatron looks for');
  assert.deepEqual(m.megatron.flags, ['--reset-attention-mask', '--reset-position-ids']);
  assert.equal(m.megatron.eod_id, eos);
});

test('rows as documents: UtK rows without marker masks, one Megatron document per row; the eod-mask-loss column becomes --eod-mask-loss', async () => {
  const args = ['pipelines/utk.json', '--seq-len', '2048', '--set', 'augment[0].mask_markers=false', '--set', 'output.megatron_documents=rows'];
  const base = tempDir('skein-megatron-');
  const arrowArgs = ['pipelines/utk.json', '--seq-len', '2048', '--set', 'augment[0].mask_markers=false'];
  const [a, mg] = await Promise.all([skeinAsync(['build', ...arrowArgs, '--output', path.join(base, 'a'), '-q']), skeinAsync(['build', ...args, '--format', 'megatron', '--output', path.join(base, 'm'), '-q'])]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(mg.code, 0, mg.stderr);
  const m = manifestOf(path.join(base, 'm'));
  const read = readMegatron(path.join(base, 'm'));
  const expected = await arrowDocuments(path.join(base, 'a'), { rows: true });
  assert.equal(read.tokens_sha256, expected.sha);
  assert.deepEqual(read.doc_lengths, expected.lengths);
  assert.deepEqual([m.megatron.documents, m.megatron.flags], ['rows', ['--eod-mask-loss']]);
  // Llama-3's reserved special tokens carry the UtK markers: every id stays inside the vocabulary.
  assert.equal(m.augment[0].marker_source, 'reserved');
  assert.ok(read.max_id < m.tokenizer.vocab_size, `max id ${read.max_id} within the vocabulary of ${m.tokenizer.vocab_size}`);
  const markerIds = new Set(Object.values(m.augment[0].marker_ids as Record<string, number>));
  let markers = 0;
  // The flag is exact: the Arrow loss mask is 0 right after every EOS and nowhere else.
  const eos = m.tokenizer.special_ids.eos as number;
  for await (const row of (await openDataset(path.join(base, 'a'))).rows()) {
    for (let j = 1; j < row.inputIds.length; j++) assert.equal(row.lossMask![j], row.inputIds[j - 1] === eos ? 0 : 1);
    for (const id of row.inputIds) if (markerIds.has(id)) markers++;
  }
  assert.ok(markers > 0, 'the rows (and so the Megatron documents, same sha256) hold UtK markers');
});

test('what an IndexedDataset cannot carry is refused before any work, in one line naming what to use (the PoSE and UtK presets; every rule: test/pipeline/megatron-setup.test.ts)', () => {
  const base = tempDir('skein-megatron-');
  const cases: Array<[string[], RegExp]> = [
    [['pipelines/pose.json', '--seq-len', '256', '--target-len', '2048'], /builder pose gives every row explicit position_ids, which a Megatron IndexedDataset cannot carry .*; use output\.format arrow and train with the skein_data PyTorch loader/],
    [['pipelines/utk.json', '--seq-len', '2048'], /the rows carry a loss mask from utk mask_markers .* cannot carry/],
  ];
  cases.forEach(([args, why], i) => {
    const out = path.join(base, String(i));
    const r = skein(['build', ...args, '--format', 'megatron', '--output', out, '--no-progress']);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, why);
    assert.ok(!fs.existsSync(out) || fs.readdirSync(out).length === 0, 'nothing was written');
  });
});

test('scaled-out Megatron ranks merge into one folder listing every pair', async () => {
  const base = tempDir('skein-megatron-');
  const ranks = await Promise.all([0, 1].map((r) => skeinAsync(['build', '--format', 'megatron', '--rank', String(r), '--world-size', '2', '--output', base, '-q'])));
  for (const r of ranks) assert.equal(r.code, 0, r.stderr);
  const dirs = fs.readdirSync(base).filter((d) => d.startsWith('rank-')).map((d) => path.join(base, d));
  const merged = await mergeBuilds(dirs, path.join(base, 'all'), { hardlink: true });
  assert.equal(merged.shard_format, 'megatron');
  assert.deepEqual(merged.megatron!.prefixes, merged.shards.map((s) => s.file.replace('.bin', '')));
  assert.ok(merged.shards.every((s) => s.index && fs.existsSync(path.join(base, 'all', s.index.file))), 'both files of every pair are linked');
  const read = readMegatron(path.join(base, 'all'));
  assert.equal(read.doc_lengths.length, merged.megatron!.sequences);
  assert.equal(read.doc_lengths.reduce((a, b) => a + b, 0), merged.totals.tokens);
  assert.ok(!fs.existsSync(path.join(base, 'all', 'state.json')));
  const verify = skein(['inspect', path.join(base, 'all'), '--verify']);
  assert.equal(verify.code, 0, verify.stderr);
});
