import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tableFromIPC } from '@uwdata/flechette';
import { openDataset, type Row } from '../../src/shards/reader.js';
import { loadTokenizer } from '../../src/tokenize/load-tokenizer.js';
import { ROOT } from '../helpers/corpus.js';
import { manifestOf, shardHashes, skein, tempDir } from '../helpers/cli.js';

/** A plain-array view of one row as an independent Arrow reader (flechette) decodes it. */
interface FlatRow {
  input_ids: number[];
  doc_lengths: number[];
  position_ids?: number[];
  loss_mask?: number[];
  doc_sources?: string[];
}

/** Builds a preset with flag overrides; returns the output folder. */
function build(preset: string, flags: string[]): string {
  const out = path.join(tempDir(), preset);
  const r = skein(['build', path.join(ROOT, 'pipelines', `${preset}.json`), '--output', out, '--no-progress', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return out;
}

/** Every row through the reader API and through flechette; asserts both agree column by column. */
async function readBoth(dir: string): Promise<{ rows: Row[]; flat: FlatRow[] }> {
  const ds = await openDataset(dir);
  const rows: Row[] = [];
  for await (const r of ds.rows()) rows.push({ ...r, inputIds: r.inputIds.slice(), positionIds: r.positionIds.slice(), lossMask: r.lossMask?.slice() });
  const flat: FlatRow[] = [];
  for (const s of ds.manifest.shards) {
    const t = tableFromIPC(fs.readFileSync(path.join(dir, s.file)));
    assert.deepEqual(t.schema.fields.map((f) => f.name), ds.manifest.columns);
    for (const row of t.toArray() as Array<Record<string, ArrayLike<number> | string[]>>) {
      const plain: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) plain[k] = Array.from(v as ArrayLike<unknown>);
      flat.push(plain as unknown as FlatRow);
    }
  }
  assert.equal(flat.length, rows.length);
  rows.forEach((r, i) => {
    assert.deepEqual(Array.from(r.inputIds), flat[i]!.input_ids);
    if (flat[i]!.position_ids) assert.deepEqual(Array.from(r.positionIds), flat[i]!.position_ids);
    if (flat[i]!.loss_mask) assert.deepEqual(Array.from(r.lossMask!), flat[i]!.loss_mask);
  });
  return { rows, flat };
}

/** Asserts explicit positions: strictly increasing, non-negative, below `target`. */
function assertExplicitPositions(flat: FlatRow[], target: number): void {
  for (const r of flat) {
    const p = r.position_ids!;
    assert.equal(p.length, r.input_ids.length);
    assert.ok(p[0]! >= 0 && p[p.length - 1]! < target, `positions within [0, ${target})`);
    for (let i = 1; i < p.length; i++) assert.ok(p[i]! > p[i - 1]!, 'strictly increasing');
  }
}

test('pose preset: one row per document, explicit positions starting at 0 and below the target, skips beyond seq_len', async () => {
  const out = build('pose', ['--seq-len', '256', '--target-len', '2048']);
  const m = manifestOf(out);
  assert.equal(m.builder.name, 'pose');
  assert.equal(m.builder.variant, 'reference');
  assert.equal(m.positions, 'explicit');
  assert.equal(m.attention, 'causal');
  assert.deepEqual(m.columns, ['input_ids', 'doc_lengths', 'position_ids', 'doc_sources']);
  assert.equal(m.documents.written, 26);
  const { rows, flat } = await readBoth(out);
  assert.equal(rows.length, 26);
  assertExplicitPositions(flat, 2048);
  for (const r of flat) {
    assert.equal(r.input_ids.length, 256, 'every corpus address is longer than 256 tokens');
    assert.equal(r.position_ids![0], 0);
    assert.equal(r.input_ids[0], 128000, 'chunk 0 starts with the BOS');
  }
  assert.ok(flat.some((r) => r.position_ids!.at(-1)! >= 256), 'some rows reach positions past the training window');
  assert.deepEqual(shardHashes(build('pose', ['--seq-len', '256', '--target-len', '2048'])), shardHashes(out), 'deterministic');
});

test('randpos preset: the first seq_len tokens of each document with sorted distinct positions below the target', async () => {
  const out = build('randpos', ['--seq-len', '256', '--target-len', '2048']);
  const m = manifestOf(out);
  assert.equal(m.builder.name, 'randpos');
  assert.equal(m.positions, 'explicit');
  const { flat } = await readBoth(out);
  assert.equal(flat.length, 26);
  assertExplicitPositions(flat, 2048);
  for (const r of flat) assert.equal(r.input_ids[0], 128000, 'the document start is kept');
});

test('longrecipe preset: kept sentences with FS-PI positions below the target, a natural-position prefix', async () => {
  const out = build('longrecipe', ['--seq-len', '512', '--target-len', '2048']);
  const m = manifestOf(out);
  assert.equal(m.builder.name, 'longrecipe');
  assert.equal(m.builder.alignment, 'kept');
  assert.equal(m.positions, 'explicit');
  const { flat } = await readBoth(out);
  assert.equal(flat.length + (m.documents.dropped.empty_selection ?? 0), 26);
  assertExplicitPositions(flat, 2048);
  const engine = await loadTokenizer({ name: 'llama3' });
  let tokens = 0;
  for (const r of flat) {
    assert.ok(r.input_ids.length <= 512);
    tokens += r.input_ids.length;
    assert.equal(r.position_ids![0], 0, 'the right point keeps the first tokens at their natural positions');
  }
  assert.ok(tokens < 26 * 512, 'sentences without digits were dropped');
  // The kept text is whole sentences: every row but possibly its cut tail ends with a delimiter token.
  const ended = flat.filter((r) => [13, 198, 30, 0, 627].includes(r.input_ids.at(-1)!)).length;
  assert.ok(ended >= flat.length / 2, `${ended} of ${flat.length} rows end at a sentence end`);
  assert.match(await engine.decode(flat[0]!.input_ids.slice(0, 40)), /^<\|begin_of_text\|>|^[A-Z]/);
});

/** Rows with some position past its natural index. */
const extendedRows = (flat: FlatRow[]): number => flat.filter((r) => r.position_ids!.some((p, i) => p !== i)).length;

test('longrecipe preset at its own 24,000 → 80,000: every row is extended (right point drawn within the kept row), the manifest reports the share; range base drops rows as the reference', async () => {
  const out = build('longrecipe', []);
  const m = manifestOf(out);
  assert.equal(m.builder.right_point_range, 'kept');
  const { flat } = await readBoth(out);
  assert.equal(flat.length, 26, 'no document is lost to the right point');
  assert.equal(extendedRows(flat), 26);
  assert.deepEqual(m.builder.stats, { rows: 26, extended_rows: 26, extended_share: 1 });
  // The reference's range: r ~ U{1 … 12000}; the bundled addresses keep fewer tokens than that, so most rows are dropped.
  const ref = build('longrecipe', ['--set', 'builder.right_point_range=base']);
  const mr = manifestOf(ref);
  const refRows = (await readBoth(ref)).flat;
  assert.ok(mr.documents.dropped.position_mismatch >= 13, `${mr.documents.dropped.position_mismatch} dropped`);
  assert.equal(refRows.length + mr.documents.dropped.position_mismatch, 26);
  assert.deepEqual(mr.builder.stats, { rows: refRows.length, extended_rows: extendedRows(refRows), extended_share: extendedRows(refRows) / refRows.length });
});

test('llama3-80k-sft preset: loss only on assistant turns, over-long conversations dropped, text rows truncated', async () => {
  const out = build('llama3-80k-sft', ['--seq-len', '512']);
  const m = manifestOf(out);
  assert.equal(m.builder.name, 'single');
  assert.equal(m.positions, 'continuous');
  assert.deepEqual(m.columns, ['input_ids', 'doc_lengths', 'loss_mask', 'doc_sources']);
  assert.ok(m.documents.dropped.too_long > 0, 'conversations longer than 512 tokens are dropped');
  // 26 chat-fixture rows plus the 26 corpus documents, of which the [4] subset keeps 4.
  assert.equal(m.documents.read, 52);
  assert.equal(m.documents.dropped.subset, 22);
  assert.equal(m.documents.written + m.documents.dropped.too_long + m.documents.dropped.subset, 52);
  assert.equal(m.sources['sotu-text'].documents, 4);
  const { flat } = await readBoth(out);
  const engine = await loadTokenizer({ name: 'llama3' });
  let chats = 0;
  for (const r of flat) {
    assert.ok(r.input_ids.length <= 512);
    assert.equal(r.input_ids[0], 128000);
    const mask = r.loss_mask!;
    if (r.input_ids.includes(128006)) {
      chats++;
      // Targets are exactly the assistant turns' content and their <|eot_id|>.
      const text = await engine.decode(r.input_ids);
      const targets: string[] = [];
      for (let i = 0; i < mask.length; ) {
        if (!mask[i]) {
          i++;
          continue;
        }
        let j = i;
        while (j < mask.length && mask[j]) j++;
        targets.push(await engine.decode(r.input_ids.slice(i, j)));
        i = j;
      }
      const assistant = [...text.matchAll(/<\|start_header_id\|>assistant<\|end_header_id\|>\n\n([\s\S]*?<\|eot_id\|>)/g)].map((x) => x[1]);
      assert.deepEqual(targets, assistant);
      assert.equal(targets.length, 3);
      assert.doesNotMatch(text, /<\|start_header_id\|>system/, 'a leading system turn is dropped');
    } else {
      assert.ok(mask.every((v) => v === 1), 'plain-text rows are trained on every token');
      assert.equal(r.input_ids.length, 512, 'the corpus excerpts are longer than 512 tokens: truncated, not dropped');
    }
  }
  assert.ok(chats > 0);
  assert.equal(flat.length - chats, 2 + 4, "the fixture's 2 plain-text rows and the 4 corpus documents of the [4] subset");
});

test('the recipe builders reject a target below seq_len with one line naming the key', () => {
  const r = skein(['build', path.join(ROOT, 'pipelines', 'pose.json'), '--seq-len', '4096', '--target-len', '1024', '--output', path.join(tempDir(), 'x')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /builder\.target_len \(1024\) is below builder\.seq_len \(4096\)/);
});
