import assert from 'node:assert/strict';
import { test } from 'node:test';
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
