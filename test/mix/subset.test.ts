import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareRank, inSubset, parseSubsetSuffix, SmallestRanks, subsetRank } from '../../src/index.js';

test('path[N] notation: a trailing [digits] is a subset, anything else stays in the path', () => {
  assert.deepEqual(parseSubsetSuffix('data/train.json[5000]'), { path: 'data/train.json', subset: 5000 });
  assert.deepEqual(parseSubsetSuffix('x.jsonl[10_000]'), { path: 'x.jsonl', subset: 10000 });
  assert.deepEqual(parseSubsetSuffix('part-[0-9].jsonl'), { path: 'part-[0-9].jsonl' });
  assert.deepEqual(parseSubsetSuffix('plain.jsonl'), { path: 'plain.jsonl' });
});

test('priority sampling keeps exactly N in bounded memory, and the same seed picks the same N whatever the order', () => {
  const ids = Array.from({ length: 2000 }, (_, i) => `doc-${i}`);
  const pick = (seed: number, order: string[]) => {
    const best = new SmallestRanks(150);
    for (const id of order) best.offer(subsetRank(seed, 0, id, id));
    const t = best.threshold();
    return new Set(ids.filter((id) => inSubset(subsetRank(seed, 0, id, id), t)));
  };
  const a = pick(3, ids);
  assert.equal(a.size, 150);
  assert.deepEqual(pick(3, [...ids].reverse()), a);
  const b = pick(4, ids);
  assert.equal(b.size, 150);
  assert.notDeepEqual(b, a);
  // Duplicate ids tie on priority; the tie key (the record's location) still keeps exactly N.
  const dup = new SmallestRanks(3);
  const ranks = ['a', 'b', 'c', 'd'].map((loc) => subsetRank(1, 0, 'same-id', loc));
  ranks.forEach((r) => dup.offer(r));
  assert.equal(ranks.filter((r) => inSubset(r, dup.threshold())).length, 3);
  assert.ok(compareRank(ranks[0]!, ranks[1]!) < 0);
  const few = new SmallestRanks(10);
  few.offer(ranks[0]!);
  assert.equal(few.threshold(), null, 'fewer documents than N: all are selected');
});
