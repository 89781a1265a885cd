import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfigObject, openDataset, runBuild, type PipelineConfigInput, type Row } from '../../src/index.js';
import { fixture } from '../helpers/corpus.js';
import { tempDir } from '../helpers/cli.js';

/** Runs a build of `builder` (plus `extra` config) and reads every row back. */
async function buildRows(builder: PipelineConfigInput['builder'], extra: Partial<PipelineConfigInput> = {}): Promise<{ rows: Row[]; manifest: Awaited<ReturnType<typeof runBuild>>['manifest'] }> {
  const out = path.join(tempDir(), 'ds');
  const { manifest } = await runBuild(
    loadConfigObject({ inputs: [{ path: fixture('corpus', 'sotu.jsonl'), name: 'sotu' }], tokenizer: { name: 'llama3' }, builder, output: { dir: out }, ...extra }),
  );
  const rows: Row[] = [];
  for await (const r of (await openDataset(out)).rows()) rows.push({ ...r, inputIds: r.inputIds.slice(), positionIds: r.positionIds.slice(), lossMask: r.lossMask?.slice() });
  return { rows, manifest };
}

/** Asserts every row's positions strictly increase and stay below `target`. */
function assertIncreasing(rows: Row[], target: number): void {
  for (const r of rows) {
    for (let i = 1; i < r.positionIds.length; i++) assert.ok(r.positionIds[i]! > r.positionIds[i - 1]!);
    assert.ok(r.positionIds[0]! >= 0 && r.positionIds.at(-1)! < target);
  }
}

test('pose paper and longrecipe variants, longrecipe literal alignment: explicit positions end to end', async () => {
  const paper = await buildRows({ type: 'pose', seq_len: 300, target_len: 3000, variant: 'paper', chunks: 4 });
  assert.equal(paper.manifest.positions, 'explicit');
  assertIncreasing(paper.rows, 3000);
  // With 4 chunks most rows have 3 position jumps.
  const jumps = paper.rows.map((r) => r.positionIds.filter((p, i) => i > 0 && p !== r.positionIds[i - 1]! + 1).length);
  assert.ok(jumps.every((j) => j <= 3) && jumps.some((j) => j === 3));
  const lr = await buildRows({ type: 'pose', seq_len: 300, target_len: 3000, variant: 'longrecipe' });
  assertIncreasing(lr.rows, 3000);
  assert.ok(lr.rows.every((r) => r.inputIds.length === 300));
  const literal = await buildRows({ type: 'longrecipe', seq_len: 400, target_len: 1600, alignment: 'literal' });
  assertIncreasing(literal.rows, 1600);
  assert.equal(literal.rows.length + Object.values(literal.manifest.documents.dropped).reduce((a, b) => a + b, 0), 26);
});

test('chat rows through pack with chatml (Qwen): masks travel with their conversations into packed rows', async () => {
  const { rows, manifest } = await buildRows(
    { type: 'pack', seq_len: 4096, algorithm: 'greedy' },
    {
      inputs: [{ path: fixture('chat', 'sotu-chat.jsonl'), name: 'chat', fields: { messages: 'conversations' } }],
      tokenizer: { name: 'qwen3', chat_template: 'chatml' },
    },
  );
  assert.ok(manifest.columns.includes('loss_mask'));
  assert.equal(manifest.documents.written, 26);
  let targets = 0;
  for (const r of rows) {
    assert.equal(r.lossMask!.length, r.inputIds.length);
    targets += r.lossMask!.reduce((a, b) => a + b, 0);
  }
  assert.ok(targets > 0 && targets < rows.reduce((a, r) => a + r.inputIds.length, 0) / 2, 'most tokens (the passages) are not targets');
});

test('a conversation input without a chat template is a user error naming both keys', async () => {
  await assert.rejects(
    runBuild(loadConfigObject({ inputs: [{ path: fixture('chat', 'sotu-chat.jsonl'), fields: { messages: 'conversations' } }], tokenizer: { name: 'llama3' }, builder: { type: 'single', seq_len: 1024 }, output: { dir: tempDir() } })),
    /inputs\[0\]\.fields\.messages reads conversations but tokenizer\.chat_template is not set/,
  );
});
