import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { positionIds, segmentIds } from '../../src/shards/index.js';

test('Megatron example: doc lengths [3,4,1]', () => {
  const lengths = Int32Array.of(3, 4, 1);
  assert.deepEqual(Array.from(positionIds(lengths, 'reset', 8)), [0, 1, 2, 0, 1, 2, 3, 0]);
  assert.deepEqual(Array.from(segmentIds(lengths, 'document')), [0, 0, 0, 1, 1, 1, 1, 2]);
  assert.deepEqual(Array.from(positionIds(lengths, 'continuous', 8)), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(Array.from(segmentIds(lengths, 'causal')), [0, 0, 0, 0, 0, 0, 0, 0]);
});

test('reconstruction matches a direct reading of the Megatron rules', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 8 }), (lengths) => {
      const total = lengths.reduce((a, b) => a + b, 0);
      const pos = positionIds(lengths, 'reset', total);
      const seg = segmentIds(lengths, 'document');
      // Expected: walk the row; a piece's first token has position 0; the segment is the piece ordinal.
      const expPos: number[] = [];
      const expSeg: number[] = [];
      lengths.forEach((len, d) => {
        for (let p = 0; p < len; p++) {
          expPos.push(p);
          expSeg.push(d);
        }
      });
      assert.deepEqual(Array.from(pos), expPos);
      assert.deepEqual(Array.from(seg), expSeg);
      // document attention: i sees j iff j <= i and same segment, i.e. j >= i - pos[i].
      for (let i = 0; i < total; i++) {
        for (let j = 0; j <= i; j++) assert.equal(seg[i] === seg[j], j >= i - pos[i]!);
      }
    }),
  );
});

test('positionIds refuses lengths that do not sum to the row length', () => {
  assert.throws(() => positionIds([3, 4], 'reset', 8), /sum to 7 but the row has 8 tokens/);
});
