import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PoseBuilder, poseChunks, type PoseVariant } from '../../src/samples/pose.js';
import { chunksToLayout, drawReferencePose, longRecipePoseLayout, paperPoseLayout, referencePoseLayout } from '../../src/samples/pose-layout.js';
import type { TokDoc } from '../../src/tokenize/tok-doc.js';
import { rngFor } from '../../src/util/rng.js';

/** A document whose token at index k is k (so a row's tokens say where they came from). */
const indexDoc = (id: string, len: number): TokDoc => ({ id, source: 's', tokens: Int32Array.from({ length: len }, (_, k) => k) });

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

test('golden §2.2: Lc 2048, Lt 16384, a 9,000-token document, draws r1 = 700, r2 = 5000, u = 9000', () => {
  const chunks = referencePoseLayout(9000, 2048, 16384, { r1: 700, r2: 5000, u: 9000 });
  // chunk 1 = ids[3652:5000] (1,348 tokens); positions 0…699 then 9700…11047.
  assert.deepEqual(chunks, [
    { start: 0, length: 700, position: 0 },
    { start: 3652, length: 1348, position: 9700 },
  ]);
  const { spans, positions } = chunksToLayout(chunks);
  assert.deepEqual(spans, [0, 700, 3652, 5000]);
  assert.deepEqual(Array.from(positions), [...range(0, 699), ...range(9700, 11047)]);
  assert.equal(positions.length, 2048);
});

test('reference draws stay in their ranges; a short document has contiguous content and bias range Lt − len', () => {
  for (let k = 0; k < 200; k++) {
    const d = drawReferencePose(rngFor(1, 'pose', k), 9000, 2048, 16384);
    assert.ok(d.r1 >= 1 && d.r1 <= 1024 && d.r2 >= 2048 && d.r2 <= 9000 && d.u >= 0 && d.u <= 14336);
  }
  const short = referencePoseLayout(100, 2048, 16384, { r1: 30, r2: 100, u: 16284 });
  assert.deepEqual(short, [
    { start: 0, length: 30, position: 0 },
    { start: 30, length: 70, position: 16314 },
  ]);
  assert.equal(chunksToLayout(short).positions.at(-1), 16383, 'the largest bias reaches Lt − 1 exactly');
  assert.throws(() => referencePoseLayout(100, 2048, 16384, { r1: 30, r2: 100, u: 16285 }), /u = 16285/);
  assert.throws(() => referencePoseLayout(9000, 2048, 16384, { r1: 1025, r2: 5000, u: 0 }), /r1/);
});

test('paper form: chunk i at positions uᵢ + stᵢ, content vᵢ + stᵢ; LongRecipe variant: split lt, skip rt, no skip when lt ≥ L', () => {
  const paper = paperPoseLayout(50, 10, 100, { lengths: [3, 4, 3], biases: [0, 20, 20], skips: [0, 5, 30] });
  assert.deepEqual(paper, [
    { start: 0, length: 3, position: 0 },
    { start: 8, length: 4, position: 23 },
    { start: 37, length: 3, position: 27 },
  ]);
  assert.throws(() => paperPoseLayout(50, 10, 100, { lengths: [3, 4, 3], biases: [0, 20, 10], skips: [0, 5, 30] }), /biases\[2\]/);
  assert.deepEqual(longRecipePoseLayout(10, 40, { lt: 4, rt: 25 }), [
    { start: 0, length: 4, position: 0 },
    { start: 4, length: 6, position: 29 },
  ]);
  assert.deepEqual(longRecipePoseLayout(10, 40, { lt: 12, rt: 20 }), [{ start: 0, length: 10, position: 0 }]);
  assert.deepEqual(longRecipePoseLayout(10, 40, { lt: 0, rt: 7 }), [{ start: 0, length: 10, position: 7 }]);
});

test('the builder: one row per document with explicit positions, per-document seeding, stats', () => {
  const opts = { seqLen: 64, targetLen: 512, variant: 'reference' as const, chunks: 2, docWindow: 320, seed: 3, withSources: true };
  const b = new PoseBuilder(opts);
  const rows = [indexDoc('a', 1000), indexDoc('b', 10)].flatMap((d) => b.push(d));
  assert.equal(rows.length, 2);
  assert.equal(rows[0]!.inputIds.length, 64);
  assert.equal(rows[1]!.inputIds.length, 10);
  assert.deepEqual(Array.from(rows[1]!.inputIds), range(0, 9), 'a short document keeps all its tokens in order');
  assert.deepEqual(rows[0]!.docSources, ['s']);
  assert.deepEqual(Array.from(rows[0]!.docLengths), [64]);
  assert.equal(b.stats.written, 2);
  assert.equal(b.stats.tokensDropped, 1000 - 64);
  assert.ok(rows[0]!.inputIds.every((t) => t < 320), 'the content skip stays inside doc_window');
  // The same document id gives the same row in another builder; another id, another row.
  const again = new PoseBuilder(opts).push(indexDoc('a', 1000))[0]!;
  assert.deepEqual(again.positionIds, rows[0]!.positionIds);
  assert.notDeepEqual(new PoseBuilder(opts).push(indexDoc('c', 1000))[0]!.positionIds, rows[0]!.positionIds);
});

test('property: positions strictly increase, start at 0, stay below Lt; content is the document in order', () => {
  const variants: PoseVariant[] = ['reference', 'paper', 'longrecipe'];
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3000 }),
      fc.integer({ min: 1, max: 400 }),
      fc.integer({ min: 0, max: 4000 }),
      fc.constantFrom(...variants),
      fc.integer({ min: 1, max: 5 }),
      fc.string({ maxLength: 8 }),
      (len, lc, extra, variant, chunks, id) => {
        const lt = lc + extra;
        const docWindow = 5 * lc;
        const row = new PoseBuilder({ seqLen: lc, targetLen: lt, variant, chunks, docWindow, seed: 11, withSources: false }).push(indexDoc(id, len))[0]!;
        const ids = row.inputIds;
        const pos = row.positionIds!;
        const window = Math.min(len, lc);
        assert.equal(ids.length, window);
        assert.equal(pos.length, window);
        for (let i = 1; i < window; i++) {
          assert.ok(pos[i]! > pos[i - 1]!, 'positions strictly increase');
          assert.ok(ids[i]! > ids[i - 1]!, 'content keeps document order');
        }
        assert.ok(pos[window - 1]! < lt, 'max position < Lt');
        assert.ok(pos[0]! >= 0);
        assert.ok(ids[window - 1]! < Math.min(len, variant === 'longrecipe' ? lc : docWindow));
        if (variant !== 'longrecipe') {
          assert.equal(pos[0], 0, 'the first chunk starts at position 0');
          assert.equal(ids[0], 0, 'with the first token');
        } else {
          assert.deepEqual(Array.from(ids), range(0, window - 1), 'LongRecipe: the first L tokens, contiguous');
        }
        const chunkList = poseChunks(id, len, { seqLen: lc, targetLen: lt, variant, chunks, docWindow, seed: 11 });
        if (variant === 'reference') {
          assert.ok(chunkList.length <= 2 && chunkList[0]!.length <= (window + 1) >> 1, 'the first chunk is at most half the window');
        }
        if (variant === 'paper') assert.equal(chunkList.length, Math.min(chunks, window));
      },
    ),
    { numRuns: 3000 },
  );
});
