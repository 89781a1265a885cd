import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
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

test('unknown keys come first, with the key they most likely meant, even when a required key is missing because of the typo', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ ...base, builder: { type: 'concat-chunk', seq_lenn: 1024 } }, /^config: unknown key builder\.seq_lenn; did you mean builder\.seq_len\?$/],
    [{ ...base, builder: { type: 'pack', seq_len: 8, algoritm: 'greedy' } }, /unknown key builder\.algoritm; did you mean builder\.algorithm\?/],
    [{ ...base, inputs: [{ path: 'a', feilds: { text: 'x' } }] }, /unknown key inputs\[0\]\.feilds; did you mean inputs\[0\]\.fields\?/],
    [{ ...base, Seed: 3 }, /unknown key Seed; did you mean seed\?/],
    [{ ...base, zzzzzz: 3 }, /unknown key zzzzzz; remove it or check its spelling/],
    [{ ...base, mix: { mode: 'per_source', total_tokens: 10, short_treshold: 4 } }, /unknown key mix\.short_treshold; did you mean mix\.short_threshold\?/],
    [{ ...base, a1: 1, a2: 2 }, /unknown key a1; .* \(and a2\)/],
  ];
  for (const [raw, re] of cases) assert.throws(() => validateConfig(raw), (e: Error) => e.name === 'UserError' && re.test(e.message), String(re));
});

test('config files are JSONC: comments and trailing commas are accepted; a syntax error names line:column', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skein-jsonc-'));
  const ok = path.join(dir, 'ok.json');
  fs.writeFileSync(ok, '{\n  // the corpus\n  "inputs": [{ "path": "a.jsonl" },], /* block */\n  "tokenizer": { "name": "llama3" },\n  "builder": { "type": "pack", "seq_len": 64 },\n}\n');
  assert.equal(loadConfigFile(ok).config.builder.seq_len, 64);
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, '{\n  "inputs": [\n    { "path": "x" }\n  "tokenizer": {}\n}\n');
  assert.throws(() => loadConfigFile(bad), (e: Error) => e.name === 'UserError' && /bad\.json:4:3: ',' was expected; fix the JSON there/.test(e.message));
  const proto = path.join(dir, 'proto.json');
  fs.writeFileSync(proto, '{ "__proto__": { "seed": 5 }, "inputs": [{ "path": "a" }], "tokenizer": { "name": "llama3" }, "builder": { "type": "pack", "seq_len": 8 } }');
  assert.throws(() => loadConfigFile(proto), (e: Error) => e.name === 'UserError' && /'__proto__' is not a config key/.test(e.message));
});

