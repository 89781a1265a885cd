import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { fixture } from '../helpers/corpus.js';
import { loadTokenizer } from '../../src/tokenize/load-tokenizer.js';
import { contiguousRanges, pooledEngine } from '../../src/tokenize/pool-engine.js';

const texts = fs
  .readFileSync(fixture('corpus', 'sotu.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => (JSON.parse(l) as { text: string }).text);

test('contiguousRanges covers the input in order with non-empty ranges, at most `parts` of them', () => {
  for (const parts of [1, 2, 3, 4, 7, 40]) {
    for (const input of [texts, ['a'], ['', '', 'x'], texts.slice(0, 3)]) {
      const r = contiguousRanges(input, parts);
      assert.ok(r.length >= 1 && r.length <= Math.min(parts, input.length));
      assert.equal(r[0]![0], 0);
      assert.equal(r.at(-1)![1], input.length);
      for (let i = 0; i < r.length; i++) {
        assert.ok(r[i]![1] > r[i]![0]);
        if (i) assert.equal(r[i]![0], r[i - 1]![1]);
      }
    }
  }
});

test('the worker pool returns the main-thread ids in input order, special-token text kept as plain text', async () => {
  const opts = { name: 'o200k_base' };
  const base = await loadTokenizer(opts);
  const pool = pooledEngine(base, opts, 3);
  try {
    // A literal <|endoftext|> in a document must stay plain text in the workers too.
    const special = 'a page that quotes <|endoftext|> and <|im_start|> literally. '.repeat(200);
    const batch = [...texts, special, '', ...texts.slice(0, 5).reverse()];
    const want = await base.encodeBatch(batch);
    const got = await pool.encodeBatch(batch);
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++) assert.deepEqual(Array.from(got[i]!), Array.from(want[i]!), `text ${i}`);
    const eos = base.info.specialIds.eos!;
    assert.ok(!got[texts.length]!.includes(eos));
    assert.ok(got.every((a) => a instanceof Int32Array));
    assert.equal(pool.decode(got[0]!) instanceof Promise, true);
    assert.equal(await pool.decode(got[texts.length]!), special);
  } finally {
    await pool.close();
  }
});
