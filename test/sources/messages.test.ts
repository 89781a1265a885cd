import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readAll, withTempDir, fixture } from './helpers.js';
import { python } from '../helpers/python.js';

const lines = [
  { id: 'ok', conversations: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }] },
  { id: 'sharegpt', conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }] },
  { id: 'system-first', conversations: [{ role: 'system', content: 's' }, { role: 'user', content: 'q' }] },
  { id: 'text-row', text: 'a plain language-modelling row' },
  { id: 'only-system', conversations: [{ role: 'system', content: 's' }] },
  { id: 'bad-shape', conversations: 'not a list' },
  { id: 'bad-turn', conversations: [{ role: 'user', content: 3 }] },
  { id: 'nothing' },
];

test('conversations are read from fields.messages; plain-text rows fall back to text; bad shapes are invalid_messages', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'chat.jsonl');
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const { docs, rejects } = await readAll([file], 'skip', { fields: { text: 'text', messages: 'conversations' } });
    assert.deepEqual(
      docs.map((d) => [d.id, d.messages?.map((m) => m.role).join(',') ?? `text:${d.text}`]),
      [
        ['ok', 'user,assistant'],
        ['sharegpt', 'user,assistant'],
        ['system-first', 'user'],
        ['text-row', 'text:a plain language-modelling row'],
      ],
    );
    assert.deepEqual(rejects.counts, { empty: 1, invalid_messages: 2, missing_text: 1 });
    assert.match(rejects.kept.find((r) => r.reason === 'invalid_messages')!.detail, /field "conversations" is a string/);
    assert.match(rejects.kept.find((r) => r.reason === 'missing_text')!.detail, /no text at field "text" and no conversation at field "conversations"/);
    // Under fail, the first bad record stops the read, naming file and line.
    await assert.rejects(readAll([file], 'fail', { fields: { text: 'text', messages: 'conversations' } }), /chat\.jsonl:6: field "conversations" is a string.*\(invalid_messages\)/);
  });
});

test('the bundled chat fixture reads as 24 conversations and 2 plain-text rows', async () => {
  const { docs } = await readAll([fixture('chat', 'sotu-chat.jsonl')], 'fail', { fields: { text: 'text', messages: 'conversations' } });
  assert.equal(docs.length, 26);
  assert.equal(docs.filter((d) => d.messages).length, 24);
  assert.ok(docs.every((d) => !d.messages || d.messages[0]!.role === 'user'));
});

test('Parquet: a list<struct<role, content>> column is read as conversations, with only that column needed', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'chat.parquet');
    const script = `import pyarrow as pa, pyarrow.parquet as pq
t = pa.table({'id': ['a', 'b'], 'messages': [[{'role': 'user', 'content': 'q'}, {'role': 'assistant', 'content': 'r'}], [{'role': 'user', 'content': 'only'}]]})
pq.write_table(t, ${JSON.stringify(file)})`;
    const r = python(['-c', script]);
    assert.equal(r.status, 0, r.stderr);
    const { docs } = await readAll([file], 'fail', { fields: { text: 'text', messages: 'messages' } });
    assert.deepEqual(
      docs.map((d) => [d.id, d.messages]),
      [
        ['a', [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'r' }]],
        ['b', [{ role: 'user', content: 'only' }]],
      ],
    );
  });
});
