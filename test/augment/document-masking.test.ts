import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tableFromIPC } from '@uwdata/flechette';
import { loadConfigObject, loadTokenizer, openDataset, runBuild } from '../../src/index.js';
import { tempDir } from '../helpers/cli.js';

test('golden §6.1 end to end: x0 x1 EOD | y0 y1 y2 EOD | z0 → positions 0 1 2 0 1 2 3 0, segments 0 0 0 1 1 1 1 2, eod_mask_loss mask', async () => {
  // o200k_base has no BOS, so every document is `tokens + <|endoftext|>` (Megatron's EOD layout).
  const e = await loadTokenizer({ name: 'o200k_base' });
  const texts = ['x y', 'a b c', 'z q r s t'];
  const enc = await e.encodeBatch(texts);
  assert.deepEqual(enc.map((t) => t.length), [2, 3, 5], 'the texts tokenize to 2, 3 and 5 tokens');
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'docs.jsonl'), texts.map((text, i) => JSON.stringify({ id: `d${i}`, text })).join('\n') + '\n');
  const loaded = loadConfigObject(
    {
      inputs: [{ path: 'docs.jsonl', name: 'toy' }],
      tokenizer: { name: 'o200k_base' },
      builder: { type: 'concat-chunk', seq_len: 8, remainder: 'drop', attention: 'document', positions: 'reset' },
      augment: [{ type: 'eod-mask-loss' }],
      output: { dir: 'out' },
    },
    dir,
  );
  const { manifest } = await runBuild(loaded);
  assert.equal(manifest.attention, 'document');
  assert.equal(manifest.positions, 'reset');
  assert.deepEqual(manifest.columns, ['input_ids', 'doc_lengths', 'loss_mask', 'doc_sources']);
  const EOD = e.info.specialIds.eos!;
  const ds = await openDataset(path.join(dir, 'out'));
  const rows = [];
  for await (const r of ds.rows()) rows.push(r);
  assert.equal(rows.length, 1, 'the incomplete second row is dropped');
  const r = rows[0]!;
  const [x, y, z] = enc;
  assert.deepEqual(Array.from(r.inputIds), [...x!, EOD, ...y!, EOD, z![0]]);
  assert.deepEqual(Array.from(r.docLengths), [3, 4, 1]);
  assert.deepEqual(Array.from(r.positionIds), [0, 1, 2, 0, 1, 2, 3, 0]);
  assert.deepEqual(Array.from(r.segmentIds), [0, 0, 0, 1, 1, 1, 1, 2], 'cu_seqlens [0, 3, 7, 8]');
  // Megatron: loss 0 at the EOD *inputs* (positions 2 and 6). Label-aligned, entry j weighs the
  // prediction of token j: y0 (3) and z0 (7) are not targets; the EODs are.
  assert.deepEqual(Array.from(r.lossMask!), [1, 1, 1, 0, 1, 1, 1, 0]);
  // Attention: token i sees j iff j ≤ i and segment[i] == segment[j] — y* do not see the first EOD.
  const sees = (i: number, j: number) => j <= i && r.segmentIds[i] === r.segmentIds[j];
  assert.equal(sees(3, 2), false);
  assert.equal(sees(6, 3), true);
  assert.equal(sees(7, 6), false);
  // An independent Arrow reader sees the same columns.
  const t = tableFromIPC(fs.readFileSync(path.join(dir, 'out', manifest.shards[0]!.file)));
  const row = t.toArray()[0] as { input_ids: Int32Array; loss_mask: Uint8Array; doc_lengths: Int32Array };
  assert.deepEqual(Array.from(row.loss_mask), [1, 1, 1, 0, 1, 1, 1, 0]);
  assert.deepEqual(Array.from(row.doc_lengths), [3, 4, 1]);
});

test('eod-mask-loss without a document delimiter and utk with document attention are user errors naming the key', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'docs.jsonl'), '{"text":"hello"}\n');
  const base = { inputs: [{ path: 'docs.jsonl' }], output: { dir: 'out' } };
  await assert.rejects(
    runBuild(loadConfigObject({ ...base, tokenizer: { name: 'llama3', add_bos: false, add_eos: false }, builder: { type: 'pack', seq_len: 8 }, augment: [{ type: 'eod-mask-loss' }] }, dir)),
    /augment\[0\]: eod-mask-loss needs a document delimiter token .*set tokenizer.add_eos/,
  );
  await assert.rejects(
    runBuild(loadConfigObject({ ...base, tokenizer: { name: 'llama3' }, builder: { type: 'pack', seq_len: 8 }, augment: [{ type: 'eod-mask-loss' }, { type: 'utk' }] }, dir)),
    /augment\[1\]: utk needs builder.attention "causal" and builder.positions "continuous"/,
  );
  await assert.rejects(
    runBuild(loadConfigObject({ ...base, tokenizer: { name: 'llama3' }, builder: { type: 'concat-chunk', seq_len: 8 }, augment: [{ type: 'utk', sort_tokens: ['<|D|>', '<|/D|>', '<|S|>', '<|begin_of_text|>', '<|/S|>'] }] }, dir)),
    /augment\[0\]\.sort_tokens\[3\] "<\|begin_of_text\|>" is the tokenizer's bos token; a marker must not be a document delimiter/,
  );
  await assert.rejects(
    runBuild(loadConfigObject({ ...base, tokenizer: { name: 'llama3' }, builder: { type: 'concat-chunk', seq_len: 8 }, augment: [{ type: 'utk', sort_tokens: ['<|D|>', '<|/D|>', '<|S|>', 'the', '<|/S|>'] }] }, dir)),
    /augment\[0\]\.sort_tokens\[3\] "the" is ordinary token 1820 of tokenizer llama3: text encodes to it/,
  );
  assert.equal(fs.existsSync(path.join(dir, 'out')), false, 'nothing written');
});
