import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { loadConfigFile, pipelineJsonSchema, validateConfig } from '../../src/index.js';
import { ROOT } from '../helpers/corpus.js';
import path from 'node:path';

const base = { inputs: [{ path: 'a.jsonl' }], tokenizer: { name: 'llama3' }, builder: { type: 'concat-chunk', seq_len: 8 } };

test('the published schema (pipelines/pipeline.schema.json) is the one the code validates with', () => {
  const published = JSON.parse(fs.readFileSync(path.join(ROOT, 'pipelines', 'pipeline.schema.json'), 'utf8'));
  assert.deepEqual(published, pipelineJsonSchema(), 'run `npm run schema` after changing the config schema');
});

test('every preset in pipelines/ validates', () => {
  for (const f of fs.readdirSync(path.join(ROOT, 'pipelines')).filter((f) => f.endsWith('.json') && f !== 'pipeline.schema.json')) {
    assert.doesNotThrow(() => loadConfigFile(path.join(ROOT, 'pipelines', f)), f);
  }
});

test('defaults are applied: fields, BOS/EOS auto, builder modes, output sizing, fail policy', () => {
  const c = validateConfig(base);
  assert.deepEqual(c.inputs[0]!.fields, { text: 'text', id: 'id' });
  assert.equal(c.tokenizer.add_bos, 'auto');
  assert.deepEqual(c.builder, { type: 'concat-chunk', seq_len: 8, remainder: 'drop', attention: 'causal', positions: 'continuous' });
  assert.equal(c.on_error, 'fail');
  assert.equal(c.seed, 0);
  const p = validateConfig({ ...base, builder: { type: 'pack', seq_len: 8 } });
  assert.equal(p.builder.type === 'pack' && p.builder.attention, 'document');
});

test('unknown keys and bad values name the key path', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ ...base, extra: 1 }, /unknown key extra/],
    [{ ...base, inputs: [{ path: 'a', fields: { txt: 'x' } }] }, /unknown key inputs\[0\]\.fields\.txt/],
    [{ ...base, builder: { type: 'concat-chunk', seq_len: 0 } }, /builder\.seq_len/],
    [{ ...base, builder: { type: 'shuffle', seq_len: 8 } }, /builder\.type/],
    [{ ...base, on_error: 'ignore' }, /on_error/],
    [{ ...base, tokenizer: {} }, /tokenizer\.name/],
    [{ ...base, inputs: [] }, /inputs/],
  ];
  for (const [raw, re] of cases) assert.throws(() => validateConfig(raw), (e: Error) => e.name === 'UserError' && re.test(e.message), String(re));
});
