import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfigFile, loadConfigObject, openDataset, runBuild, validateConfig, type LoadedConfig } from '../../src/index.js';
import { readConfigJson } from '../../src/config/load-config.js';
import { fixture, ROOT } from '../helpers/corpus.js';
import { tempDir } from '../helpers/cli.js';

/** A preset with small overrides, as the docs show: the fixture, short rows, a 200K-token budget, the short threshold scaled down. */
function preset(name: string, out: string, over: { seed?: number; total?: number; seqLen?: number } = {}): LoadedConfig {
  const file = path.join(ROOT, 'pipelines', name);
  const raw = readConfigJson(file) as any;
  raw.builder.seq_len = over.seqLen ?? 2048;
  raw.mix.total_tokens = over.total ?? 200_000;
  raw.mix.short_threshold = 512;
  raw.output = { dir: out, shard_tokens: 100_000 };
  if (over.seed !== undefined) raw.seed = over.seed;
  return { config: validateConfig(raw, file), baseDir: path.dirname(file), file };
}

test('LCEG 32K preset on the SlimPajama-format fixture: every source within 1% of its SlimPajama share, Llama-2 BOS-only documents, upsampled long documents', async () => {
  for (const seed of [42, 0]) {
    const out = path.join(tempDir(), 'lceg');
    const { manifest: m } = await runBuild(preset('lceg-slimpajama-32k.json', out, { seed }));
    assert.ok(m.mix, 'manifest records the mix');
    assert.equal(Object.keys(m.mix.sources).length, 7);
    for (const [name, s] of Object.entries(m.mix.sources)) {
      assert.ok(Math.abs(s.share - s.target_share!) < 0.01, `seed ${seed}: ${name} achieved ${s.share} vs target ${s.target_share}`);
      assert.ok(s.tokens >= s.target_tokens!, `${name} filled its budget`);
    }
    assert.equal(m.mix.stopped_early, true, 'reading stopped once every budget was full');
    assert.ok(m.documents.read < 923, 'the rest of the corpus was not read');
    // Length distribution before and after: long documents gain share in every source.
    for (const [name, h] of Object.entries(m.histograms.sources!)) {
      const longShare = (x: typeof h.read) => x.buckets.filter((b) => b.lo >= 512).reduce((n, b) => n + b.count, 0) / x.count;
      assert.ok(longShare(h.kept) >= longShare(h.read), `${name}: long documents upsampled`);
    }
    assert.equal(m.tokenizer.name, 'llama2');
    assert.equal(m.tokenizer.add_bos, true);
    assert.equal(m.tokenizer.add_eos, false);
    const ds = await openDataset(out);
    let rows = 0;
    let docStarts = 0;
    for await (const row of ds.rows()) {
      assert.equal(row.inputIds.length, 2048);
      for (const id of row.inputIds) if (id === 2) assert.fail('no EOS in Llama-2 style documents');
      let off = 0;
      for (const len of row.docLengths) {
        if (row.inputIds[off] === 1) docStarts++;
        off += len;
      }
      rows++;
    }
    assert.equal(rows, m.totals.rows);
    assert.ok(docStarts > 0 && docStarts <= m.documents.written);
  }
});

test('LCEG 64K preset runs with small overrides; mix settings match the paper (per_source, 1B, 4096, 0.1)', async () => {
  const cfg = loadConfigFile(path.join(ROOT, 'pipelines', 'lceg-slimpajama-64k.json')).config;
  assert.equal(cfg.builder.seq_len, 65536);
  assert.deepEqual([cfg.mix.mode, cfg.mix.total_tokens, cfg.mix.short_threshold, cfg.mix.short_keep, cfg.mix.weights], ['per_source', 1_000_000_000, 4096, 0.1, 'slimpajama']);
  const out = path.join(tempDir(), 'lceg64');
  const { manifest: m } = await runBuild(preset('lceg-slimpajama-64k.json', out, { seqLen: 4096, total: 100_000 }));
  assert.equal(m.builder.seq_len, 4096);
  assert.ok(m.totals.rows > 10);
  assert.equal(m.mix!.mode, 'per_source');
});

test('[N] subsets: exactly N documents, the same seed picks the same ones, another seed others', async () => {
  const ids = async (seed: number, n: number) => {
    const out = path.join(tempDir(), 'sub');
    const { manifest: m } = await runBuild(
      loadConfigObject({
        seed,
        inputs: [{ path: `${fixture('slimpajama', 'train')}[${n}]`, fields: { text: 'text', source: 'meta.redpajama_set_name' } }],
        tokenizer: { name: 'llama3' },
        // Rows long enough for the fixture's longest documents: every document is one piece.
        builder: { type: 'pack', seq_len: 32768 },
        output: { dir: out },
      }),
    );
    assert.equal(m.documents.written, Math.min(n, 923));
    assert.deepEqual(m.subsets, { '0': { requested: n, available: 923, eligible: 923, selected: Math.min(n, 923) } });
    assert.equal(m.documents.dropped.subset ?? 0, Math.max(0, 923 - n));
    const seen: string[] = [];
    for await (const row of (await openDataset(out)).rows()) {
      let off = 0;
      for (const len of row.docLengths) {
        seen.push(Array.from(row.inputIds.subarray(off, off + 12)).join(','));
        off += len;
      }
    }
    return seen.sort();
  };
  const a = await ids(1, 50);
  assert.equal(a.length, 50);
  assert.deepEqual(await ids(1, 50), a);
  assert.notDeepEqual(await ids(2, 50), a);
  assert.equal((await ids(1, 5000)).length, 923, 'N above the input size keeps every document');
});

test("[N] subsets are drawn after the build's filters, as Llama-3-80K's loader drops too-long conversations and then keeps N of the rest", async () => {
  // sotu-chat.jsonl: 26 rows, of which 12 render to at most 512 tokens; the reference keeps 8 of those 12.
  const build = async (input: string, extra: Record<string, unknown> = {}) => {
    const out = path.join(tempDir(), 'sft');
    const { manifest: m } = await runBuild(
      loadConfigObject({
        inputs: [{ path: input, fields: { text: 'text', messages: 'conversations' } }],
        tokenizer: { name: 'llama3', chat_template: 'llama-3', add_eos: true, ...extra },
        builder: { type: 'single', seq_len: 512 },
        output: { dir: out },
      }),
    );
    const rows: string[] = [];
    for await (const r of (await openDataset(out)).rows()) rows.push(Array.from(r.inputIds).join(','));
    return { m, rows };
  };
  const all = await build(fixture('chat', 'sotu-chat.jsonl'));
  assert.deepEqual([all.m.documents.written, all.m.documents.dropped.too_long], [12, 14]);
  const sub = await build(`${fixture('chat', 'sotu-chat.jsonl')}[8]`);
  assert.equal(sub.m.documents.written, 8, '8 requested, 8 rows built (drawn before the filter it was 3)');
  assert.deepEqual({ ...sub.m.subsets!['0'], selected: undefined }, { requested: 8, available: 26, eligible: 12, selected: undefined });
  const d = sub.m.documents.dropped;
  assert.equal(d.too_long! + d.subset!, 18, 'long documents ranked among the chosen count as too_long, the rest as subset');
  assert.equal(sub.m.subsets!['0']!.selected, 8 + d.too_long!);
  const everyRow = new Set(all.rows);
  assert.ok(sub.rows.every((r) => everyRow.has(r)), 'the subset rows are rows of the unfiltered build');
  // The same 8 whatever the tokenizer worker count (pass 1 tokenizes on the pool).
  assert.deepEqual((await build(`${fixture('chat', 'sotu-chat.jsonl')}[8]`, { workers: 2 })).rows, sub.rows);
  // Asking for more than the eligible: all 12.
  assert.equal((await build(`${fixture('chat', 'sotu-chat.jsonl')}[20]`)).m.documents.written, 12);
  // The builder's own length filter (long_documents: drop) counts too: 4 of the 26 addresses fit 4096 tokens.
  const out = path.join(tempDir(), 'pack');
  const logs: string[] = [];
  const { manifest: p } = await runBuild(
    loadConfigObject({ inputs: [{ path: `${fixture('corpus', 'sotu.jsonl')}[3]` }], tokenizer: { name: 'llama3' }, builder: { type: 'pack', seq_len: 4096, long_documents: 'drop' }, output: { dir: out } }),
    { log: (l) => logs.push(l) },
  );
  assert.equal(p.documents.written, 3);
  assert.equal(p.subsets!['0']!.eligible, 4);
  const { manifest: p5 } = await runBuild(
    loadConfigObject({ inputs: [{ path: `${fixture('corpus', 'sotu.jsonl')}[5]` }], tokenizer: { name: 'llama3' }, builder: { type: 'pack', seq_len: 4096, long_documents: 'drop' }, output: { dir: path.join(tempDir(), 'pack5') } }),
    { log: (l) => logs.push(l) },
  );
  assert.equal(p5.documents.written, 4);
  assert.deepEqual(logs.filter((l) => l.startsWith('inputs[0]')), ['inputs[0] holds 4 documents the build keeps (of 26), fewer than the 5 asked for; all are used']);
});

test('curriculum: every row of the build in ascending length order (stable external sort), the same whatever the batch size', async () => {
  const build = async (batchDocs: number) => {
    const out = path.join(tempDir(), 'cur');
    await runBuild(
      loadConfigObject({
        inputs: [{ path: fixture('slimpajama', 'train'), fields: { text: 'text', source: 'meta.redpajama_set_name' } }],
        tokenizer: { name: 'llama3', batch_docs: batchDocs },
        builder: { type: 'single', seq_len: 4096 },
        order: { curriculum: true, curriculum_run_rows: 120, shuffle_buffer: 50 },
        output: { dir: out, shard_tokens: 100_000 },
      }),
    );
    const rows: string[] = [];
    let last = 0;
    for await (const row of (await openDataset(out)).rows()) {
      assert.ok(row.inputIds.length >= last, 'ascending');
      last = row.inputIds.length;
      rows.push(Array.from(row.inputIds.subarray(0, 8)).join(','));
    }
    return rows;
  };
  const a = await build(32);
  assert.equal(a.length, 923);
  assert.deepEqual(await build(256), a);
});
