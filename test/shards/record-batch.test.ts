import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample } from '../../src/samples/sample.js';
import { SampleInvariantError, samplesToRecordBatch, shardSchema, type ColumnSet } from '../../src/shards/index.js';
import { makeSample } from './helpers.js';

const ALL: ColumnSet = { positionIds: true, lossMask: true, docSources: true };
const NONE: ColumnSet = { positionIds: false, lossMask: false, docSources: false };

/** Asserts that building a batch of `s` throws a SampleInvariantError whose message matches `re`. */
function rejects(s: Sample, cols: ColumnSet, re: RegExp): void {
  assert.throws(
    () => samplesToRecordBatch([makeSample([2], cols), s], cols, shardSchema(cols)),
    (err: unknown) => err instanceof SampleInvariantError && re.test(err.message) && /row 1/.test(err.message),
  );
}

test('samplesToRecordBatch: one values array per column with list offsets', () => {
  const samples = [makeSample([3, 4, 1], ALL, 1), makeSample([], ALL, 2), makeSample([2], ALL, 3)];
  const batch = samplesToRecordBatch(samples, ALL, shardSchema(ALL));
  assert.equal(batch.numRows, 3);
  const ids = batch.getChild('input_ids')!.data[0]!;
  assert.deepEqual(Array.from(ids.valueOffsets), [0, 8, 8, 10]);
  assert.deepEqual(Array.from(ids.children[0]!.values as Int32Array), [...samples[0]!.inputIds, ...samples[2]!.inputIds]);
  assert.deepEqual(Array.from(batch.getChild('doc_lengths')!.get(0)!), [3, 4, 1]);
  assert.deepEqual(batch.getChild('doc_sources')!.get(0)!.toArray(), samples[0]!.docSources);
  assert.deepEqual(Array.from(batch.getChild('loss_mask')!.get(2)!), Array.from(samples[2]!.lossMask!));
  assert.equal(batch.getChild('input_ids')!.nullCount, 0);
});

test('samplesToRecordBatch: names the violated invariant', () => {
  const ok = makeSample([3, 2], ALL, 5);
  rejects({ ...ok, docLengths: Int32Array.of(3, 3) }, ALL, /sum\(docLengths\) = 6 != inputIds.length = 5/);
  rejects({ ...ok, docLengths: Int32Array.of(6, -1) }, ALL, /docLengths\[1\] = -1 is negative/);
  rejects({ ...ok, positionIds: new Int32Array(4) }, ALL, /positionIds.length = 4 != inputIds.length = 5/);
  rejects({ ...ok, lossMask: new Uint8Array(6) }, ALL, /lossMask.length = 6 != inputIds.length = 5/);
  rejects({ ...ok, docSources: ['a'] }, ALL, /docSources.length = 1 != docLengths.length = 2/);
  const { positionIds: _p, ...noPositions } = ok;
  rejects(noPositions, ALL, /positionIds is missing but the position_ids column is enabled/);
  rejects(makeSample([5], { ...NONE, lossMask: true }), NONE, /lossMask is set but the loss_mask column is disabled/);
});

test('samplesToRecordBatch: refuses a schema of another column set', () => {
  assert.throws(() => samplesToRecordBatch([makeSample([1], NONE)], NONE, shardSchema(ALL)), /do not match the column set/);
});
