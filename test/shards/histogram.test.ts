import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { humanSize, LengthHistogram, renderHistogram } from '../../src/shards/index.js';

test('power-of-two buckets, a bucket for 0, only non-empty ones, ascending', () => {
  const h = new LengthHistogram();
  for (const n of [0, 1, 2, 3, 4096, 8191, 5000, 0]) h.add(n);
  const j = h.toJSON();
  assert.deepEqual(j.buckets, [
    { lo: 0, hi: 1, count: 2, tokens: 0 },
    { lo: 1, hi: 2, count: 1, tokens: 1 },
    { lo: 2, hi: 4, count: 2, tokens: 5 },
    { lo: 4096, hi: 8192, count: 3, tokens: 4096 + 8191 + 5000 },
  ]);
  assert.equal(j.count, 8);
  assert.equal(j.sum, 1 + 2 + 3 + 4096 + 8191 + 5000);
  assert.equal(j.min, 0);
  assert.equal(j.max, 8191);
  assert.equal(j.mean, j.sum / 8);
});

test('empty histogram', () => {
  assert.deepEqual(new LengthHistogram().toJSON(), { count: 0, sum: 0, min: 0, max: 0, mean: 0, buckets: [] });
  assert.deepEqual(renderHistogram(new LengthHistogram().toJSON()), []);
});

test('every length lands in [lo, hi); merge equals adding everything to one', () => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 1 << 24 })), fc.array(fc.nat({ max: 1 << 24 })), (a, b) => {
      const ha = new LengthHistogram();
      const hb = new LengthHistogram();
      const all = new LengthHistogram();
      a.forEach((n) => (ha.add(n), all.add(n)));
      b.forEach((n) => (hb.add(n), all.add(n)));
      assert.deepEqual(ha.merge(hb).toJSON(), all.toJSON());
      assert.deepEqual(LengthHistogram.fromJSON(all.toJSON()).toJSON(), all.toJSON());
      for (const n of [...a, ...b]) {
        const bucket = all.toJSON().buckets.filter((x) => x.lo <= n && n < x.hi);
        assert.equal(bucket.length, 1);
      }
      const j = all.toJSON();
      assert.equal(j.buckets.reduce((s, x) => s + x.count, 0), j.count);
      assert.equal(j.buckets.reduce((s, x) => s + x.tokens, 0), j.sum);
    }),
  );
});

test('humanSize uses binary units', () => {
  assert.equal(humanSize(0), '0');
  assert.equal(humanSize(512), '512');
  assert.equal(humanSize(1024), '1K');
  assert.equal(humanSize(4096), '4K');
  assert.equal(humanSize(1536), '1.5K');
  assert.equal(humanSize(1 << 20), '1M');
  assert.equal(humanSize(2 ** 31), '2G');
});

test('renderHistogram: labels, bars scaled to the fullest bucket, counts and shares', () => {
  const h = new LengthHistogram();
  for (let i = 0; i < 12; i++) h.add(5000);
  for (let i = 0; i < 24; i++) h.add(9000);
  for (let i = 0; i < 3; i++) h.add(0);
  const lines = renderHistogram(h.toJSON(), 40);
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^\s+0  █{5} +3 \(8%\)$/);
  assert.match(lines[1]!, /^\s+4K–8K  █{20} +12 \(31%\)$/);
  assert.match(lines[2]!, /^\s+8K–16K  █{40}  24 \(62%\)$/);
  assert.equal(new Set(lines.map((l) => l.indexOf('█'))).size, 1, 'bars start in one column');
  assert.equal(new Set(lines.map((l) => l.indexOf(' ('))).size, 1, 'counts end in one column');
});
