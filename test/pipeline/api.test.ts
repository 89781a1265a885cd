import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { docStream, expandInputs, loadConfigObject, loadTokenizer, openDataset, pack, RejectSink, resolveBosEos, runBuild, tokenize, writeShards } from '../../src/index.js';
import { fixture } from '../helpers/corpus.js';
import { tempDir } from '../helpers/cli.js';

test('README example: stages compose as Node streams (read → tokenize → pack → Arrow shards)', async () => {
  const out = tempDir();
  const files = await expandInputs([fixture('corpus', 'sotu.jsonl.zst')]);
  const rejects = new RejectSink('skip');
  const tok = await loadTokenizer({ name: 'llama3' });
  const writer = writeShards(out, {
    columns: { positionIds: false, lossMask: false, docSources: true },
    shardTokens: 1 << 20,
    dataset: { attention: 'document', positions: 'reset', tokenizer: tok.info, builder: { name: 'pack', seq_len: 8192 } },
  });
  await pipeline(
    docStream(files, { fields: { text: 'text', id: 'id' }, name: 'sotu', rejects }),
    tokenize(tok, { policy: resolveBosEos(tok.info, 'auto', 'auto') }),
    pack({ seqLen: 8192, algorithm: 'best-fit', openRows: 16, longDocuments: 'split', withSources: true }),
    writer,
  );
  assert.equal(writer.shards.length, 1);
  assert.ok(writer.shards[0]!.tokens > 200_000);
  assert.ok(writer.shards[0]!.rows >= Math.ceil(writer.shards[0]!.tokens / 8192));
  // The folder is a whole dataset: the reader reconstructs reset positions from its manifest.
  const ds = await openDataset(out);
  assert.equal(ds.manifest.tokenizer.vocab_size, 128256);
  assert.equal(ds.manifest.totals.rows, writer.shards[0]!.rows);
  assert.equal(ds.manifest.histograms.sample_tokens.count, writer.shards[0]!.rows);
  let rows = 0;
  for await (const row of ds.rows()) {
    assert.equal(row.positionIds[0], 0);
    assert.equal(row.positionIds[row.docLengths[0]!], row.docLengths.length > 1 ? 0 : undefined);
    rows++;
  }
  assert.equal(rows, writer.shards[0]!.rows);
  assert.deepEqual(fs.readdirSync(out).sort(), ['dataset_info.json', 'manifest.json', 'shard-00000.arrow', 'state.json']);
});

test('runBuild from an in-code config returns the manifest and the reader reconstructs reset positions and document segments', async () => {
  const out = path.join(tempDir(), 'ds');
  const loaded = loadConfigObject({
    inputs: [{ path: fixture('corpus', 'sotu.jsonl'), name: 'sotu' }],
    tokenizer: { name: 'llama3' },
    builder: { type: 'pack', seq_len: 16384, algorithm: 'greedy' },
    output: { dir: out, shard_tokens: 100_000 },
  });
  const { manifest } = await runBuild(loaded);
  assert.equal(manifest.documents.read, 26);
  assert.equal(manifest.positions, 'reset');
  const ds = await openDataset(out);
  let rows = 0;
  let docStarts = 0;
  for await (const row of ds.rows()) {
    let off = 0;
    for (const [k, len] of Array.from(row.docLengths).entries()) {
      assert.equal(row.positionIds[off], 0, 'positions restart at every document piece');
      assert.equal(row.positionIds[off + len - 1], len - 1);
      assert.equal(row.segmentIds[off], k);
      if (row.inputIds[off] === 128000) docStarts++;
      off += len;
    }
    rows++;
  }
  assert.equal(rows, manifest.totals.rows);
  assert.equal(docStarts, 26, 'every document starts a piece with its BOS exactly once');
});
