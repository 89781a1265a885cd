import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { augmentStage, type Augmenter } from '../../src/augment/augmenter.js';
import type { Sample } from '../../src/samples/sample.js';

/** Runs rows through an augment stage and collects the output. */
async function through(rows: Sample[], augs: Augmenter[], opts: Parameters<typeof augmentStage>[1]): Promise<Sample[]> {
  const out: Sample[] = [];
  await pipeline(
    Readable.from(rows, { objectMode: true }),
    augmentStage(augs, opts),
    new Writable({
      objectMode: true,
      write(s: Sample, _e, cb) {
        out.push(s);
        cb();
      },
    }),
  );
  return out;
}

const row = (k: number): Sample => ({ inputIds: Int32Array.from([k, k + 1]), docLengths: Int32Array.from([2]) });

test('augmentStage: augmenters in order, rows in input order with their ordinals, whatever the timing', async () => {
  const slow: Augmenter = {
    name: 'slow',
    stats: {},
    async apply(r, ordinal) {
      await new Promise((res) => setTimeout(res, (ordinal * 7919) % 5));
      return { ...r, inputIds: Int32Array.from([...r.inputIds, ordinal]) };
    },
  };
  const tag: Augmenter = { name: 'tag', stats: {}, apply: (r) => ({ ...r, inputIds: Int32Array.from([...r.inputIds, -1]) }) };
  const rows = Array.from({ length: 40 }, (_, k) => row(k * 10));
  for (const concurrency of [1, 3, 8]) {
    const out = await through(rows, [slow, tag], { firstOrdinal: 100, concurrency, lossMask: true });
    assert.deepEqual(out.map((r) => Array.from(r.inputIds)), rows.map((r, k) => [...r.inputIds, 100 + k, -1]));
    assert.ok(out.every((r) => r.lossMask && r.lossMask.every((x) => x === 1)), 'an all-ones loss mask where the column exists');
  }
});

test('augmentStage: an augmenter error fails the pipeline', async () => {
  const bad: Augmenter = {
    name: 'bad',
    stats: {},
    async apply(r, ordinal) {
      if (ordinal === 5) throw new Error('boom at 5');
      return r;
    },
  };
  await assert.rejects(through(Array.from({ length: 20 }, (_, k) => row(k)), [bad], {}), /boom at 5/);
});
