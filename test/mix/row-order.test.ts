import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RowOrder, type Sample } from '../../src/index.js';

const row = (i: number, len: number): Sample => ({ inputIds: new Int32Array(len).fill(i), docLengths: Int32Array.of(len) });
const run = (o: RowOrder, rows: Sample[]) => [...rows.flatMap((r) => o.push(r)), ...o.finish()];

test('shuffle buffer: a seeded permutation of the rows, different from the input, held rows bounded by the buffer', () => {
  const rows = Array.from({ length: 200 }, (_, i) => row(i, 4));
  const o = new RowOrder({ seed: 1, shuffleBuffer: 16, groupByLength: 0, lengthKey: 'tokens' });
  const out: Sample[] = [];
  for (const r of rows) {
    out.push(...o.push(r));
    assert.ok(o.held <= 16);
  }
  out.push(...o.finish());
  const ids = out.map((r) => r.inputIds[0]!);
  assert.deepEqual([...ids].sort((a, b) => a - b), rows.map((_, i) => i));
  assert.notDeepEqual(ids, rows.map((_, i) => i));
  const again = run(new RowOrder({ seed: 1, shuffleBuffer: 16, groupByLength: 0, lengthKey: 'tokens' }), rows).map((r) => r.inputIds[0]);
  assert.deepEqual(again, ids);
  const other = run(new RowOrder({ seed: 2, shuffleBuffer: 16, groupByLength: 0, lengthKey: 'tokens' }), rows).map((r) => r.inputIds[0]);
  assert.notDeepEqual(other, ids);
});

test('group_by_length: mega-batches sorted longest first (ties keep arrival order); longest_document uses the longest piece', () => {
  const lens = [3, 9, 1, 9, 5, 2, 8, 8, 7];
  const out = run(new RowOrder({ seed: 0, shuffleBuffer: 0, groupByLength: 4, lengthKey: 'tokens' }), lens.map((l, i) => row(i, l)));
  assert.deepEqual(out.map((r) => r.inputIds.length), [9, 9, 3, 1, 8, 8, 5, 2, 7]);
  assert.deepEqual(out.slice(0, 2).map((r) => r.inputIds[0]), [1, 3]);
  const pieces: Sample[] = [
    { inputIds: new Int32Array(10), docLengths: Int32Array.of(5, 5) },
    { inputIds: new Int32Array(10), docLengths: Int32Array.of(1, 9) },
  ];
  const byDoc = run(new RowOrder({ seed: 0, shuffleBuffer: 0, groupByLength: 2, lengthKey: 'longest_document' }), pieces);
  assert.equal(byDoc[0], pieces[1]);
});

test('snapshot/restore mid-stream continues with exactly the same rows', () => {
  const rows = Array.from({ length: 120 }, (_, i) => row(i, 1 + ((i * 13) % 17)));
  const opts = { seed: 5, shuffleBuffer: 10, groupByLength: 6, lengthKey: 'tokens' as const };
  const full = run(new RowOrder(opts), rows);
  const a = new RowOrder(opts);
  const head = rows.slice(0, 50).flatMap((r) => a.push(r));
  const b = new RowOrder(opts);
  b.restore(a.snapshot());
  assert.deepEqual([...head, ...run(b, rows.slice(50))], full);
});
