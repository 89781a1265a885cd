import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { loadTokenizer } from '../../src/tokenize/load-tokenizer.js';

for (const name of ['llama3', 'o200k_base']) {
  test(`${name}: addTokens gives fresh ids past the vocabulary that decode, idToToken and tokenToId know, and text never encodes to`, async () => {
    const e = await loadTokenizer({ name });
    const before = e.info.vocabSize;
    const ids = e.addTokens(['<|knot_1_end|>', '<|D|>']);
    assert.ok(ids[0]! >= before, `first added id ${ids[0]} >= vocab ${before}`);
    assert.equal(ids[1], ids[0]! + 1);
    for (let id = before; id < ids[0]!; id++) assert.notEqual(e.idToToken(id), undefined, 'skipped ids are in use by the vocabulary');
    assert.deepEqual(e.addTokens(['<|D|>']), [ids[1]], 'registering again keeps the id');
    assert.deepEqual(e.addedTokens(), { '<|knot_1_end|>': ids[0], '<|D|>': ids[1] });
    assert.equal(e.tokenToId('<|D|>'), ids[1]);
    assert.equal(e.idToToken(ids[0]!), '<|knot_1_end|>');
    const [hello] = await e.encodeBatch(['Hello']);
    assert.equal(await e.decode([...hello!, ids[1]!, ...hello!, ids[0]!]), 'Hello<|D|>Hello<|knot_1_end|>');
    const [text] = await e.encodeBatch(['a <|D|> b']);
    assert.ok(!Array.from(text!).some((t) => ids.includes(t)), 'document text never encodes to an added token');
    assert.equal(await e.decode(text!), 'a <|D|> b');
    assert.throws(() => e.addTokens(['Hello']), /already token/);
  });
}

const DECODE_CASES: Array<[string, 'skein-bpe' | 'native' | 'hf-js' | 'gpt-tokenizer']> = [
  ['llama3', 'skein-bpe'],
  ['llama3', 'native'],
  ['llama3', 'hf-js'],
  ['qwen3', 'native'],
  ['llama2', 'native'],
  ['llama2', 'hf-js'],
  ['o200k_base', 'skein-bpe'],
  ['cl100k_base', 'gpt-tokenizer'],
];
for (const [name, engine] of DECODE_CASES) {
  test(`${name} (${engine}): decodeSync gives decode's text on random id runs (split characters, special and added tokens included)`, async () => {
    const e = await loadTokenizer({ name, engine });
    const [added] = e.addTokens(['<|knot_1_end|>']);
    const n = e.info.vocabSize;
    const [text] = await e.encodeBatch(['E = mc², Step ❶, ፩ and 1797.']);
    const runs: number[][] = [Array.from(text!), Array.from(text!).slice(3, 9), [added!, ...Array.from(text!).slice(0, 4), added!]];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: n - 1 }), fc.constant(added!)), { maxLength: 12 }), (ids) => void runs.push(ids)),
      { numRuns: 200, seed: 7 },
    );
    // An id no token has (OpenAI encodings have gaps) fails in both.
    const outcome = async (f: () => string | Promise<string>) => {
      try {
        return { text: await f() };
      } catch (err) {
        return { error: (err as Error).message };
      }
    };
    for (const ids of runs) assert.deepEqual(await outcome(() => e.decodeSync(ids)), await outcome(() => e.decode(ids)), JSON.stringify(ids));
  });
}
