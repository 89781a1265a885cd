import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tableFromIPC } from '@uwdata/flechette';
import { openDataset, type Row } from '../../src/index.js';
import { ROOT } from '../helpers/corpus.js';
import { manifestOf, shardHashes, skein, tempDir } from '../helpers/cli.js';

/** Every row through the reader API. */
async function readRows(dir: string): Promise<Row[]> {
  const ds = await openDataset(dir);
  const rows: Row[] = [];
  for await (const r of ds.rows()) rows.push({ ...r, inputIds: r.inputIds.slice(), lossMask: r.lossMask?.slice() });
  return rows;
}

/** Every row through an independent Arrow reader (flechette). */
function flechetteRows(dir: string): Array<Record<string, ArrayLike<number> | string[]>> {
  const m = manifestOf(dir);
  return m.shards.flatMap((s: { file: string }) => tableFromIPC(fs.readFileSync(path.join(dir, s.file))).toArray());
}

test("preset utk.json builds on the bundled corpus at --seq-len 2048: markers are Llama-3's reserved special tokens (no embedding resize), backtracing summaries, §1.5 loss mask, causal/continuous", async () => {
  const out = path.join(tempDir(), 'utk');
  const r = skein(['build', path.join(ROOT, 'pipelines', 'utk.json'), '--seq-len', '2048', '--output', out, '--no-progress']);
  assert.equal(r.code, 0, r.stderr);
  const m = manifestOf(out);
  assert.equal(m.attention, 'causal');
  assert.equal(m.positions, 'continuous');
  assert.deepEqual(m.columns, ['input_ids', 'doc_lengths', 'loss_mask', 'doc_sources']);
  assert.equal(m.tokenizer.added_tokens, undefined, 'no new token ids');
  assert.equal(m.tokenizer.total_vocab_size, undefined);
  assert.deepEqual(m.augment.map((a: { type: string }) => a.type), ['utk', 'eod-mask-loss']);
  assert.equal(m.augment[0].markers, 'auto');
  assert.equal(m.augment[0].marker_source, 'reserved');
  // The first nine <|reserved_special_token_N|> in id order: knots, then <D> </D> <S> <s> </S>.
  const reserved = ['0', '1', '2', '3', '4', '5', '6', '7', '8'].map((n) => `<|reserved_special_token_${n}|>`);
  assert.deepEqual([...m.augment[0].knot_tokens, ...m.augment[0].sort_tokens], reserved);
  const added: Record<string, number> = m.augment[0].marker_ids;
  assert.deepEqual(Object.values(added), [128002, 128003, 128004, 128005, 128008, 128010, 128011, 128012, 128013]);
  assert.ok(Object.values(added).every((id) => id < m.tokenizer.vocab_size), 'inside the vocabulary');
  const st = m.augment[0].stats;
  assert.equal(st.rows, m.totals.rows);
  assert.ok(st.augmented_rows > 0.6 * st.rows && st.augmented_rows < st.rows, `about 80 % of rows augmented: ${st.augmented_rows}/${st.rows}`);
  const knots = new Set(reserved.slice(0, 4).map((k) => added[k]!));
  const [D, D_, S, s, S_] = reserved.slice(4).map((k) => added[k]!);
  const eos = m.tokenizer.special_ids.eos;

  const rows = await readRows(out);
  assert.equal(rows.length, m.totals.rows);
  let summaries = 0;
  for (const row of rows) {
    const ids = Array.from(row.inputIds);
    const mask = row.lossMask!;
    assert.equal(ids.length, 2048);
    assert.deepEqual(Array.from(row.positionIds), ids.map((_, i) => i));
    assert.ok(row.segmentIds.every((x) => x === 0));
    // Headers: IDs of 6 characters between <D> and </D>; collect them.
    const headerIds = new Set<string>();
    for (let j = 0; j < ids.length; j++) {
      if (knots.has(ids[j]!)) {
        assert.equal(mask[j], 0, 'a knot is not a target');
        if (j + 1 < ids.length) assert.equal(mask[j + 1], 0, 'nor the token after it');
      }
      if (j > 0 && ids[j - 1] === eos) assert.equal(mask[j], 0, 'no prediction across a document end');
      if (ids[j] === D) {
        const close = ids.indexOf(D_, j);
        if (close < 0) break; // truncated header at the row's end
        headerIds.add(ids.slice(j + 1, close).join(','));
        for (let k = j; k <= Math.min(close + 1, ids.length - 1); k++) assert.equal(mask[k], 0, 'headers are not targets');
      }
      if (ids[j] === S) {
        const close = ids.indexOf(S_, j);
        if (close < 0) break;
        summaries++;
        assert.equal(mask[j], 0, '<S> is not a target');
        const listed = ids.slice(j + 1, close);
        for (let k = j + 1; k <= close; k++) assert.equal(mask[k], 1, 'summary IDs, <s> and </S> are targets');
        const parts: number[][] = [[]];
        for (const t of listed) (t === s ? parts.push([]) : parts[parts.length - 1]!.push(t));
        assert.ok(parts.length >= 2 && parts.length <= 3, 'two or three chunks per document');
        for (const p of parts) assert.ok(headerIds.has(p.join(',')), 'each ID in a summary is the header of a chunk seen before');
      }
    }
  }
  // Most rows at this length hold one or two documents whose summary (after the pinned last
  // chunk) is cut off by the truncation; those of earlier documents survive.
  assert.ok(summaries > 5, `summaries seen: ${summaries}`);
  // The independent reader agrees row for row.
  const fl = flechetteRows(out);
  assert.equal(fl.length, rows.length);
  fl.forEach((fr, i) => {
    assert.deepEqual(Array.from(fr.input_ids as Int32Array), Array.from(rows[i]!.inputIds));
    assert.deepEqual(Array.from(fr.loss_mask as Uint8Array), Array.from(rows[i]!.lossMask!));
    assert.deepEqual(Array.from(fr.doc_lengths as Int32Array), Array.from(rows[i]!.docLengths));
  });
  // Same seed, same bytes.
  const again = path.join(tempDir(), 'utk2');
  assert.equal(skein(['build', path.join(ROOT, 'pipelines', 'utk.json'), '--seq-len', '2048', '--output', again, '--quiet']).code, 0);
  assert.deepEqual(shardHashes(again), shardHashes(out));
});

test('UtK markers: new ids past the vocabulary when the tokenizer reserves none (o200k_base) or markers is "new"; named special tokens are used as they are; "reserved" without enough, an ordinary token or the EOS are one-line errors', async () => {
  const utkJson = path.join(ROOT, 'pipelines', 'utk.json');
  const build = (name: string, flags: string[]) => {
    const out = path.join(tempDir(), name);
    const r = skein(['build', utkJson, '--seq-len', '1024', '--output', out, '--no-progress', ...flags]);
    return { out, r };
  };
  // OpenAI encodings have no reserved tokens: the fallback, new ids past the vocabulary.
  const o200k = build('o200k', ['--tokenizer', 'o200k_base']);
  assert.equal(o200k.r.code, 0, o200k.r.stderr);
  let m = manifestOf(o200k.out);
  assert.equal(m.augment[0].marker_source, 'new');
  assert.deepEqual(m.augment[0].marker_ids, m.tokenizer.added_tokens);
  assert.deepEqual(Object.keys(m.tokenizer.added_tokens), ['<|knot_1_end|>', '<|knot_1_start|>', '<|knot_2_end|>', '<|knot_2_start|>', '<|D|>', '<|/D|>', '<|S|>', '<|s|>', '<|/S|>']);
  assert.ok(Object.values(m.tokenizer.added_tokens as Record<string, number>).every((id) => id >= m.tokenizer.vocab_size));
  assert.equal(m.tokenizer.total_vocab_size, 200016, 'after the last special id 200006');
  assert.match(o200k.r.stdout, /UtK markers: 9 new token ids past the vocabulary .*resize the model's embeddings to 200016/);
  // Llama-3 asked for new ids: the same layout as before reserved tokens were used.
  const fresh = build('fresh', ['--set', 'augment[0].markers=new']);
  assert.equal(fresh.r.code, 0, fresh.r.stderr);
  m = manifestOf(fresh.out);
  assert.equal(m.augment[0].marker_source, 'new');
  assert.equal(m.tokenizer.added_tokens['<|knot_1_end|>'], 128256);
  assert.equal(m.tokenizer.total_vocab_size, 128265);
  // Named special tokens: used by id, nothing added.
  const named = build('named', ['--set', 'augment[0].knot_tokens=["<|reserved_special_token_200|>","<|reserved_special_token_201|>","<|reserved_special_token_202|>","<|reserved_special_token_203|>"]']);
  assert.equal(named.r.code, 0, named.r.stderr);
  m = manifestOf(named.out);
  assert.equal(m.augment[0].marker_source, 'reserved', 'the sort markers the config left out take reserved tokens');
  assert.equal(m.augment[0].marker_ids['<|reserved_special_token_200|>'], 128205);
  assert.equal(m.augment[0].sort_tokens[0], '<|reserved_special_token_0|>');
  assert.match(named.r.stdout, /UtK markers: 9 special tokens of the tokenizer \(no embedding resize\)/);
  const errors: Array<[string[], RegExp]> = [
    [['--tokenizer', 'o200k_base', '--set', 'augment[0].markers=reserved'], /augment\[0\]\.markers is "reserved" but tokenizer o200k_base has 0 unused reserved special tokens and UtK needs 9; set augment\[0\]\.markers to "new"/],
    [['--set', 'augment[0].knot_tokens=["the","<|reserved_special_token_201|>","<|reserved_special_token_202|>","<|reserved_special_token_203|>"]'], /augment\[0\]\.knot_tokens\[0\] "the" is ordinary token \d+ of tokenizer llama3: text encodes to it/],
    [['--set', 'augment[0].knot_tokens=["<|end_of_text|>","<|reserved_special_token_201|>","<|reserved_special_token_202|>","<|reserved_special_token_203|>"]'], /augment\[0\]\.knot_tokens\[0\] "<\|end_of_text\|>" is the tokenizer's eos token/],
  ];
  for (const [flags, re] of errors) {
    const { r } = build('bad', flags);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, re);
  }
});

test('preset index-32k.json builds on the bundled corpus at --seq-len 8192: packed documents, reset positions, document attention, middle truncation', async () => {
  const out = path.join(tempDir(), 'index');
  const r = skein(['build', path.join(ROOT, 'pipelines', 'index-32k.json'), '--seq-len', '8192', '--output', out, '--no-progress']);
  assert.equal(r.code, 0, r.stderr);
  const m = manifestOf(out);
  assert.equal(m.attention, 'document');
  assert.equal(m.positions, 'reset');
  assert.equal(m.builder.long_documents, 'truncate-middle');
  assert.deepEqual(m.columns, ['input_ids', 'doc_lengths', 'doc_sources']);
  assert.equal(m.documents.written, m.documents.read);
  assert.ok(m.packing.tokens_dropped > 0, 'long documents lost their middles');
  const { bos, eos } = m.tokenizer.special_ids;
  const rows = await readRows(out);
  let multi = 0;
  for (const row of rows) {
    assert.ok(row.inputIds.length <= 8192);
    if (row.docLengths.length > 1) multi++;
    let at = 0;
    row.docLengths.forEach((len, d) => {
      // Every piece is a whole (possibly middle-truncated) document: [BOS] … [EOS].
      assert.equal(row.inputIds[at], bos);
      assert.equal(row.inputIds[at + len - 1], eos);
      for (let k = 0; k < len; k++) {
        assert.equal(row.positionIds[at + k], k, 'positions restart at every document');
        assert.equal(row.segmentIds[at + k], d, 'a token attends only within its document');
      }
      at += len;
    });
  }
  assert.ok(multi > 0, 'some rows hold several documents');
  const fl = flechetteRows(out);
  assert.equal(fl.length, rows.length);
  fl.forEach((fr, i) => assert.deepEqual(Array.from(fr.doc_lengths as Int32Array), Array.from(rows[i]!.docLengths)));
});
