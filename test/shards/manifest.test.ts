import assert from 'node:assert/strict';
import { readFile, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { readManifest, shardTotals, writeManifest } from '../../src/shards/index.js';
import { UserError } from '../../src/util/errors.js';
import { COLUMN_SETS, makeManifest, tempDir } from './helpers.js';

const SHARDS = [
  { file: 'shard-00000.arrow', rows: 3, tokens: 120, bytes: 1000, sha256: 'a'.repeat(64) },
  { file: 'shard-00001.arrow', rows: 1, tokens: 40, bytes: 500, sha256: 'b'.repeat(64) },
];

test('writeManifest / readManifest round trip; 2-space JSON with trailing newline; no temp file left', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const m = makeManifest(SHARDS, COLUMN_SETS[3]!, { attention: 'document', positions: 'explicit' });
    await writeManifest(dir, m);
    const text = await readFile(join(dir, 'manifest.json'), 'utf8');
    assert.equal(text, `${JSON.stringify(m, null, 2)}\n`);
    assert.deepEqual(await readManifest(dir), m);
    assert.deepEqual(await readdir(dir), ['manifest.json']);
    assert.deepEqual(m.totals, { shards: 2, rows: 4, tokens: 160, bytes: 1500 });
    assert.deepEqual(shardTotals([]), { shards: 0, rows: 0, tokens: 0, bytes: 0 });
  } finally {
    await cleanup();
  }
});

test('readManifest: clear UserError when missing, not JSON, not skein, or a newer format', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const path = join(dir, 'manifest.json');
    const isUserError = (re: RegExp) => (err: unknown) => err instanceof UserError && re.test(err.message) && err.message.includes(path);
    await assert.rejects(readManifest(dir), isUserError(/no skein manifest at/));
    await writeFile(path, '{ nope');
    await assert.rejects(readManifest(dir), isUserError(/is not valid JSON/));
    await writeFile(path, JSON.stringify({ format: 'mds', shards: [] }));
    await assert.rejects(readManifest(dir), isUserError(/is not a skein manifest/));
    await writeFile(path, JSON.stringify({ ...makeManifest(SHARDS, COLUMN_SETS[0]!), format_version: 2 }));
    await assert.rejects(readManifest(dir), isUserError(/format_version 2/));
    await assert.rejects(readManifest(join(dir, 'manifest.json')), /no skein manifest/);
  } finally {
    await cleanup();
  }
});
