import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Sample } from '../../src/samples/sample.js';
import { megatronDtype, megatronIndex, MegatronShardWriter, type MegatronWriterOptions } from '../../src/shards/megatron-writer.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/cli.js';

/** A row of the given document pieces, tokens numbered from `first`. */
function row(pieces: number[], first = 1, continues = false): Sample {
  const n = pieces.reduce((a, b) => a + b, 0);
  const s: Sample = { inputIds: Int32Array.from({ length: n }, (_, i) => first + i), docLengths: Int32Array.from(pieces) };
  if (continues) s.continues = true;
  return s;
}

/** Reads a pair back by the format's layout (enough for these unit tests; the CLI tests use an independent Python reader). */
function readPair(dir: string, stem: string): { code: number; lengths: number[]; pointers: number[]; docs: number[]; tokens: number[] } {
  const idx = fs.readFileSync(path.join(dir, `${stem}.idx`));
  assert.equal(idx.subarray(0, 9).toString('latin1'), 'MMIDIDX\0\0');
  assert.equal(idx.readBigUInt64LE(9), 1n);
  const code = idx.readUInt8(17);
  const n = Number(idx.readBigUInt64LE(18));
  const d = Number(idx.readBigUInt64LE(26));
  assert.equal(idx.length, 34 + 12 * n + 8 * d);
  const lengths = Array.from({ length: n }, (_, i) => idx.readInt32LE(34 + 4 * i));
  const pointers = Array.from({ length: n }, (_, i) => Number(idx.readBigInt64LE(34 + 4 * n + 8 * i)));
  const docs = Array.from({ length: d }, (_, i) => Number(idx.readBigInt64LE(34 + 12 * n + 8 * i)));
  const bin = fs.readFileSync(path.join(dir, `${stem}.bin`));
  const tokens = code === 8 ? Array.from({ length: bin.length / 2 }, (_, i) => bin.readUInt16LE(2 * i)) : Array.from({ length: bin.length / 4 }, (_, i) => bin.readInt32LE(4 * i));
  return { code, lengths, pointers, docs, tokens };
}

async function write(opts: Partial<MegatronWriterOptions>, rows: Sample[]): Promise<{ dir: string; shards: Awaited<ReturnType<MegatronShardWriter['close']>> }> {
  const dir = tempDir('skein-megatron-');
  const w = new MegatronShardWriter(dir, { dtype: 'int32', documents: 'documents', shardTokens: 1000, ...opts });
  for (const r of rows) await w.write(r);
  return { dir, shards: await w.close() };
}

test('megatronDtype follows Megatron-core: uint16 below 65,500 ids, int32 from there on', () => {
  assert.equal(megatronDtype(32000), 'uint16');
  assert.equal(megatronDtype(65499), 'uint16');
  assert.equal(megatronDtype(65500), 'int32');
  assert.equal(megatronDtype(128256), 'int32');
});

test('megatronIndex lays out header, lengths, pointers and document indices byte for byte', () => {
  const idx = Buffer.from(megatronIndex([3, 5], 'uint16'));
  const hex = idx.toString('hex');
  assert.equal(
    hex,
    [
      '4d4d4944494458' + '0000', // MMIDIDX\0\0
      '0100000000000000', // version 1
      '08', // uint16
      '0200000000000000', // 2 sequences
      '0300000000000000', // 3 document indices
      '03000000' + '05000000', // lengths
      '0000000000000000' + '0600000000000000', // pointers in bytes (3 tokens × 2 bytes)
      '0000000000000000' + '0100000000000000' + '0200000000000000', // 0, 1, 2
    ].join(''),
  );
});

test('documents mode: a piece a row cut is joined to its continuation; a pair closes at the first document end past shardTokens, inside a row if need be', async () => {
  // Rows of 6 tokens: doc A (4) + start of B (2) | rest of B (3) + C (3) | D (6).
  const rows = [row([4, 2], 1, true), row([3, 3], 7), row([6], 13)];
  const { dir, shards } = await write({ shardTokens: 6 }, rows);
  assert.deepEqual(
    shards.map((s) => [s.file, s.rows, s.tokens, s.documents, s.index!.file]),
    [
      ['shard-00000.bin', 1, 9, 2, 'shard-00000.idx'],
      ['shard-00001.bin', 2, 9, 2, 'shard-00001.idx'],
    ],
    'pair 0 ends after B, inside row 1; a row counts in the pair holding its last token',
  );
  const p0 = readPair(dir, 'shard-00000');
  assert.equal(p0.code, 4);
  assert.deepEqual(p0.lengths, [4, 5], 'B is one document across the row cut');
  assert.deepEqual(p0.pointers, [0, 16]);
  assert.deepEqual(p0.docs, [0, 1, 2]);
  assert.deepEqual(p0.tokens, Array.from({ length: 9 }, (_, i) => i + 1));
  const p1 = readPair(dir, 'shard-00001');
  assert.deepEqual([p1.lengths, p1.tokens[0]], [[3, 6], 10]);
  for (const s of shards) {
    assert.equal(fs.statSync(path.join(dir, s.file)).size, s.bytes);
    assert.equal(fs.statSync(path.join(dir, s.index!.file)).size, s.index!.bytes);
  }
  assert.deepEqual(fs.readdirSync(dir).sort(), ['shard-00000.bin', 'shard-00000.idx', 'shard-00001.bin', 'shard-00001.idx'], 'no temporary file is left');

  // A resumed build keeps pair 0 (which records row 0) and writes rows 1 and 2 again, skipping the
  // 9 - 6 tokens of row 1 that pair 0 holds: pair 1 comes out byte-identical.
  const again = tempDir('skein-megatron-');
  const w = new MegatronShardWriter(again, { dtype: 'int32', documents: 'documents', shardTokens: 6, firstIndex: 1, writeEmptyShard: false });
  w.skipTokens(shards[0]!.tokens - rows[0]!.inputIds.length);
  await w.write(rows[1]!);
  await w.write(rows[2]!);
  const resumed = await w.close();
  assert.deepEqual(resumed, [shards[1]]);
  assert.deepEqual(fs.readFileSync(path.join(again, 'shard-00001.bin')), fs.readFileSync(path.join(dir, 'shard-00001.bin')));
});

test('rows mode: every row is one document, whatever its pieces', async () => {
  const { dir } = await write({ documents: 'rows', dtype: 'uint16' }, [row([4, 2], 1, true), row([3, 3], 7)]);
  const p = readPair(dir, 'shard-00000');
  assert.equal(p.code, 8);
  assert.deepEqual(p.lengths, [6, 6]);
  assert.deepEqual(p.pointers, [0, 12]);
});

test('an empty build is one valid empty pair', async () => {
  const { dir, shards } = await write({}, []);
  assert.equal(shards.length, 1);
  const p = readPair(dir, 'shard-00000');
  assert.deepEqual([p.lengths, p.docs, p.tokens], [[], [0], []]);
});

test('an id that does not fit the dtype is a user error, never wrapped, and leaves no partial file', async () => {
  const dir = tempDir('skein-megatron-');
  const w = new MegatronShardWriter(dir, { dtype: 'uint16', documents: 'documents', shardTokens: 1000 });
  await w.write(row([3], 65533));
  await assert.rejects(w.write(row([3], 65534)), (e: Error) => e instanceof UserError && /token id 65536 \(row 1, position 2\) does not fit the Megatron token dtype uint16/.test(e.message));
  await w.abort();
  assert.deepEqual(fs.readdirSync(dir), []);
});
