import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { buildOutput, manifestOf, shardHashes, skein, tempDir } from '../helpers/cli.js';
import { writeMixedInputs } from '../helpers/mixed-inputs.js';

/** Builds the bundled corpus with `tokenizer` and `--workers n`; returns the output folder. */
function build(tokenizer: string, workers: number, engine = 'auto'): string {
  const out = path.join(tempDir(), `${tokenizer}-${engine}-w${workers}`);
  const r = skein(['build', '--tokenizer', tokenizer, '--engine', engine, '--workers', String(workers), '--output', out, '--shard-tokens', '100000', '--no-progress']);
  assert.equal(r.code, 0, r.stderr);
  return out;
}

for (const tokenizer of ['o200k_base', 'llama3']) {
  test(`skein build --tokenizer ${tokenizer}: shards are byte-identical for 0 (main thread), 1, 2 and 4 workers`, () => {
    const base = build(tokenizer, 0);
    const want = shardHashes(base);
    assert.ok(want.length > 1);
    assert.equal(manifestOf(base).tokenizer.worker_pool, false);
    for (const workers of [1, 2, 4]) {
      const out = build(tokenizer, workers);
      assert.deepEqual(shardHashes(out), want, `${workers} workers`);
      const m = manifestOf(out);
      assert.equal(m.tokenizer.workers, workers);
      // auto picks skein-bpe (pure JS) for both, which runs on the worker pool.
      assert.equal(m.tokenizer.worker_pool, true);
      assert.match(m.tokenizer.engine, /^skein-bpe@/);
    }
  });
}

test('the native engine ignores the JS pool (it runs its own threads) and writes the same shards as skein-bpe', () => {
  const want = shardHashes(build('llama3', 0));
  const out = build('llama3', 2, 'native');
  assert.deepEqual(shardHashes(out), want);
  const m = manifestOf(out);
  assert.equal(m.tokenizer.worker_pool, false);
  assert.match(m.tokenizer.engine, /^tokenizers@/);
  assert.match(skein(['inspect', out]).stdout, /encoded by tokenizers@[\d.]+ in-process/);
  assert.match(skein(['inspect', build('llama3', 2)]).stdout, /encoded by skein-bpe@[\d.]+ on 2 worker threads/);
});

test('JSONL, zstd JSONL, Parquet, ZIP, many small files and one large one, bad records skipped: the same output for 0, 1, 2, 4 and 8 workers', () => {
  const dir = tempDir('skein-mixed-');
  const inputs = writeMixedInputs(dir);
  const run = (workers: number) => {
    const out = path.join(dir, `w${workers}`);
    const r = skein(['build', '--input', ...inputs, '--on-error', 'skip', '--tokenizer', 'llama3', '--workers', String(workers), '--seq-len', '2048', '--shard-tokens', '200000', '--output', out, '--no-progress']);
    assert.equal(r.code, 0, r.stderr);
    return buildOutput(out);
  };
  const want = run(0);
  const m = want.manifest as any;
  assert.ok((want.shards as string[]).length > 3);
  assert.ok(m.documents.dropped.malformed_json > 0, 'the malformed records are counted');
  assert.equal(m.inputs.filter((i: any) => i.path.includes('small/part-')).length, 40);
  for (const workers of [1, 2, 4, 8]) assert.deepEqual(run(workers), want, `${workers} workers`);
});
