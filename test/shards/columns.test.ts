import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataType, Type } from 'apache-arrow';
import { columnNames, columnSetFromNames, hfFeatures, shardSchema } from '../../src/shards/index.js';
import { COLUMN_SETS } from './helpers.js';

const ALL = { positionIds: true, lossMask: true, docSources: true };
const NONE = { positionIds: false, lossMask: false, docSources: false };

test('shardSchema: columns in contract order with list<int32|uint8|utf8>, nullable, child item', () => {
  const schema = shardSchema(ALL);
  assert.deepEqual(
    schema.fields.map((f) => f.name),
    ['input_ids', 'doc_lengths', 'position_ids', 'loss_mask', 'doc_sources'],
  );
  const expected = [
    [Type.Int, 32, true],
    [Type.Int, 32, true],
    [Type.Int, 32, true],
    [Type.Int, 8, false],
    [Type.Utf8, 0, false],
  ] as const;
  schema.fields.forEach((f, i) => {
    assert.equal(f.nullable, true, `${f.name} nullable`);
    assert.ok(DataType.isList(f.type), `${f.name} is a list`);
    const child = f.type.children[0]!;
    assert.equal(child.name, 'item');
    assert.equal(child.nullable, true);
    const [typeId, bits, signed] = expected[i]!;
    assert.equal(child.type.typeId, typeId, `${f.name} element type`);
    if (typeId === Type.Int) {
      assert.equal((child.type as { bitWidth: number }).bitWidth, bits);
      assert.equal((child.type as { isSigned: boolean }).isSigned, signed);
    }
  });
});

test('shardSchema: only the always-present columns when no optional one is set', () => {
  assert.deepEqual(shardSchema(NONE).fields.map((f) => f.name), ['input_ids', 'doc_lengths']);
  assert.deepEqual(shardSchema({ ...NONE, lossMask: true }).fields.map((f) => f.name), ['input_ids', 'doc_lengths', 'loss_mask']);
});

test('shardSchema: huggingface metadata holds the same features as hfFeatures', () => {
  for (const cols of COLUMN_SETS) {
    const meta = shardSchema(cols).metadata.get('huggingface');
    assert.ok(meta, 'huggingface metadata present');
    assert.deepEqual(JSON.parse(meta), { info: { features: hfFeatures(cols) } });
  }
});

test('hfFeatures: Sequence of Value with the right dtypes, in schema order', () => {
  const f = hfFeatures(ALL);
  assert.deepEqual(Object.keys(f), columnNames(ALL));
  assert.deepEqual(f.input_ids, { feature: { dtype: 'int32', _type: 'Value' }, _type: 'Sequence' });
  assert.deepEqual(f.doc_lengths, { feature: { dtype: 'int32', _type: 'Value' }, _type: 'Sequence' });
  assert.deepEqual(f.position_ids, { feature: { dtype: 'int32', _type: 'Value' }, _type: 'Sequence' });
  assert.deepEqual(f.loss_mask, { feature: { dtype: 'uint8', _type: 'Value' }, _type: 'Sequence' });
  assert.deepEqual(f.doc_sources, { feature: { dtype: 'string', _type: 'Value' }, _type: 'Sequence' });
  assert.deepEqual(Object.keys(hfFeatures(NONE)), ['input_ids', 'doc_lengths']);
});

test('columnSetFromNames inverts columnNames', () => {
  for (const cols of COLUMN_SETS) assert.deepEqual(columnSetFromNames(columnNames(cols)), cols);
});
