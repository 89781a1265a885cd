import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getPath, topLevelKey } from '../../src/sources/field-path.js';

test('getPath follows dotted paths and returns undefined for anything missing', () => {
  const rec = { text: 'a', meta: { redpajama_set_name: 'Book', n: 0, deep: { x: null } }, list: ['p', 'q'] };
  assert.equal(getPath(rec, 'text'), 'a');
  assert.equal(getPath(rec, 'meta.redpajama_set_name'), 'Book');
  assert.equal(getPath(rec, 'meta.n'), 0);
  assert.equal(getPath(rec, 'meta.deep.x'), null);
  assert.equal(getPath(rec, 'list.1'), 'q');
  assert.equal(getPath(rec, 'meta.missing'), undefined);
  assert.equal(getPath(rec, 'text.length'), undefined, 'does not step into strings');
  assert.equal(getPath(rec, 'meta.deep.x.y'), undefined, 'null stops the walk');
  assert.equal(getPath(rec, 'toString'), undefined, 'inherited properties are not fields');
  assert.equal(getPath(null, 'a'), undefined);
});

test('topLevelKey is the column a path starts in', () => {
  assert.equal(topLevelKey('meta.redpajama_set_name'), 'meta');
  assert.equal(topLevelKey('text'), 'text');
});

test('\\. is a dot inside a key and \\\\ a backslash; escapeKey is the inverse for one key', async () => {
  const { escapeKey, pathKeys } = await import('../../src/sources/field-path.js');
  const rec = { 'meta.text': 'dotted key', meta: { text: 'nested', 'a.b': { c: 1 } }, 'back\\slash': 'b' };
  assert.equal(getPath(rec, 'meta\\.text'), 'dotted key');
  assert.equal(getPath(rec, 'meta.text'), 'nested');
  assert.equal(getPath(rec, 'meta.a\\.b.c'), 1);
  assert.equal(getPath(rec, 'back\\\\slash'), 'b');
  assert.deepEqual(pathKeys('a\\.b.c\\\\.d'), ['a.b', 'c\\', 'd']);
  assert.deepEqual(pathKeys('a\\x'), ['a\\x'], 'a backslash before anything else is kept');
  assert.equal(topLevelKey('meta\\.text.x'), 'meta.text');
  for (const key of ['a.b', 'c\\', 'plain', '..', '\\.']) assert.deepEqual(pathKeys(escapeKey(key)), [key]);
});
