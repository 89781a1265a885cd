import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assembleRow } from '../../src/augment/utk/assemble.js';
import { defaultKnotTokens, type UtkOptions } from '../../src/augment/utk/config.js';
import { maskUtkMarkers } from '../../src/augment/utk/loss-mask.js';
import { planRow, usedIds } from '../../src/augment/utk/plan.js';
import { applyPlan, UtkAugmenter } from '../../src/augment/utk/utk-augmenter.js';
import type { Sample } from '../../src/samples/sample.js';
import { rngFor } from '../../src/util/rng.js';
import { CONTENT_BASE, encodeIds, encodeIdSync, isContent, isIdToken, markersFor, megatronUtkLossMask, rowOf, SORT, utkOpts } from './helpers.js';

/** Arbitrary UtK options: 1–4 chunks, random variants and flags. */
const optsArb: fc.Arbitrary<UtkOptions> = fc.integer({ min: 1, max: 4 }).chain((m) =>
  fc
    .record({
      variants: fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: m, maxLength: m }).map((v) => (v.some((x) => x > 0) ? v : [...v.slice(0, -1), 1])), { minLength: 1, maxLength: 3 }),
      useLengthSampler: fc.boolean(),
      preservePartialOrder: fc.boolean(),
      addSortTask: fc.boolean(),
      skyworkInterleave: fc.boolean(),
      maskMarkers: fc.boolean(),
    })
    .map((r) =>
      utkOpts({
        ...r,
        addSortTask: r.addSortTask && !r.skyworkInterleave,
        variantProbs: r.variants.map((_, i) => i + 1),
        knotTokens: defaultKnotTokens(m),
      }),
    ),
);
const lengthsArb = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 });

/** The document and in-document offset of input position p. */
function locate(lengths: readonly number[], p: number): [number, number] {
  let d = 0;
  while (p >= lengths[d]!) p -= lengths[d++]!;
  return [d, p];
}

/** Decodes the fake ID tokens back to the ID string. */
const idString = (toks: number[]): string => String.fromCharCode(...toks.map((t) => t - 2000));

/**
 * Checks one assembled (untruncated) row against the input: every content token exactly once,
 * chunk order, knots, headers and summaries.
 */
function checkAssembled(lengths: number[], o: UtkOptions, out: Int32Array, pieces: number[]): void {
  const total = lengths.reduce((a, b) => a + b, 0);
  const m = markersFor(o.variants[0]!.length, o.addSortTask);
  // 1. Every content token exactly once.
  const content = Array.from(out).filter(isContent).map((t) => t - CONTENT_BASE);
  assert.deepEqual([...content].sort((a, b) => a - b), Array.from({ length: total }, (_, p) => p), 'every content token exactly once');
  // 2. Walk the pieces: [header] [start knot] text [end knot] [summary].
  const chunksOf = new Map<number, Array<{ start: number; id: string | null; slot: number }>>();
  const summaries: Array<{ doc: number; ids: string[]; afterSlot: number }> = [];
  let at = 0;
  pieces.forEach((len, slot) => {
    const piece = Array.from(out.subarray(at, at + len));
    at += len;
    let i = 0;
    let id: string | null = null;
    if (piece[0] === SORT.open) {
      const close = piece.indexOf(SORT.close);
      assert.ok(close > 1, 'header closes');
      id = idString(piece.slice(1, close));
      assert.equal(id.length, 6);
      i = close + 1;
    }
    let startKnot: number | null = null;
    if (m.knots.includes(piece[i]!)) startKnot = piece[i++]!;
    const first = piece[i]!;
    assert.ok(isContent(first), 'a chunk has text');
    const [d, off] = locate(lengths, first - CONTENT_BASE);
    let j = i;
    while (j < piece.length && isContent(piece[j]!)) {
      assert.equal(piece[j], first + (j - i), 'a chunk is a contiguous run of its document');
      j++;
    }
    const end = off + (j - i);
    assert.ok(end <= lengths[d]!, 'a chunk stays inside its document');
    let endKnot: number | null = null;
    if (j < piece.length && m.knots.includes(piece[j]!)) endKnot = piece[j++]!;
    if (j < piece.length) {
      assert.equal(piece[j], SORT.summaryOpen, 'only a summary may follow a chunk');
      assert.equal(piece[piece.length - 1], SORT.summaryClose);
      const ids = piece.slice(j + 1, -1);
      const listed: string[] = [];
      let cur: number[] = [];
      for (const t of ids) {
        if (t === SORT.summarySep) {
          listed.push(idString(cur));
          cur = [];
        } else {
          assert.ok(isIdToken(t));
          cur.push(t);
        }
      }
      listed.push(idString(cur));
      summaries.push({ doc: d, ids: listed, afterSlot: slot });
    }
    const list = chunksOf.get(d) ?? [];
    list.push({ start: off, id, slot });
    chunksOf.set(d, list);
    // Knots: start knot of chunk c > 0 is knots[2c − 1], end knot of a non-last chunk knots[2c].
    const cIndexCheck = { startKnot, endKnot, off, end, d };
    (piece as unknown as { meta: unknown }).meta = cIndexCheck;
    const whole = off === 0 && end === lengths[d]!;
    if (o.skyworkInterleave || whole) {
      assert.equal(startKnot, null);
      assert.equal(endKnot, null);
      assert.equal(id, null, 'a document left whole has no header');
    } else {
      assert.equal(startKnot !== null, off > 0, 'chunks after the first start with a knot');
      assert.equal(endKnot !== null, end < lengths[d]!, 'chunks before the last end with a knot');
      assert.equal(id !== null, o.addSortTask);
    }
  });
  assert.equal(at, out.length);
  // 3. Chunk order, knot numbering, summaries.
  for (const [d, chunks] of chunksOf) {
    const byStart = [...chunks].sort((a, b) => a.start - b.start);
    if (o.preservePartialOrder || o.skyworkInterleave) assert.deepEqual(chunks, byStart, `document ${d} keeps its chunk order`);
    const n = chunks.length;
    if (n > 1 && o.addSortTask) {
      const mine = summaries.filter((s) => s.doc === d);
      assert.equal(mine.length, 1, 'one summary per chunked document');
      assert.deepEqual(mine[0]!.ids, byStart.map((c) => c.id), 'the summary lists the chunk IDs in original order');
      assert.equal(mine[0]!.afterSlot, Math.max(...chunks.map((c) => c.slot)), 'after the last-appearing chunk');
    }
  }
  if (!o.skyworkInterleave) {
    const lastContent = [...out].reverse().find(isContent);
    assert.equal(lastContent, CONTENT_BASE + total - 1, 'the last chunk of the last document stays at the end');
  }
  assert.equal(summaries.length, o.addSortTask ? [...chunksOf.values()].filter((c) => c.length > 1).length : 0);
}

test('UtK properties over thousands of random rows: content kept exactly once, order, knots, headers, summaries', () => {
  fc.assert(
    fc.property(lengthsArb, optsArb, fc.nat(), fc.nat(1e6), (lengths, o, seed, ordinal) => {
      const row = rowOf(lengths);
      const plan = planRow(row.docLengths, rngFor(seed, 'utk', ordinal), o);
      const ids = usedIds(plan).map((s) => (s === null ? null : encodeIdSync(s)));
      const a = assembleRow(row, plan, markersFor(o.variants[0]!.length, o.addSortTask), ids, o);
      checkAssembled(lengths, o, a.inputIds, a.docLengths);
      assert.deepEqual(a.docSources, plan.placement.order.map(([d]) => `src${d}`));
    }),
    { numRuns: 3000 },
  );
});

test('UtK loss mask: equals the reference port of the UtK code shifted to label alignment, before and after truncation', () => {
  fc.assert(
    fc.property(lengthsArb, optsArb, fc.nat(), fc.nat(1e6), (lengths, o0, seed, ordinal) => {
      const o = { ...o0, maskMarkers: true };
      const row = rowOf(lengths);
      const m = markersFor(o.variants[0]!.length, o.addSortTask);
      const plan = planRow(row.docLengths, rngFor(seed, 'utk', ordinal), o);
      const ids = usedIds(plan).map((s) => (s === null ? null : encodeIdSync(s)));
      const full = assembleRow(row, plan, m, ids, o);
      const fullMask = new Uint8Array(full.inputIds.length).fill(1);
      maskUtkMarkers(full.inputIds, fullMask, m);
      const ref = megatronUtkLossMask(full.inputIds, m, undefined, o.addSortTask);
      assert.deepEqual(Array.from(fullMask.subarray(1)), Array.from(ref));
      // Entry 0: label-side rules only (a knot, <D> or <S> as the row's first token is no target).
      const t0 = full.inputIds[0]!;
      assert.equal(fullMask[0], m.knots.includes(t0) || t0 === SORT.open || t0 === SORT.summaryOpen ? 0 : 1);
      // After truncation back to the row length (unclosed headers included).
      const { row: out } = applyPlan(row, plan, m, ids, o);
      assert.equal(out.inputIds.length, row.inputIds.length);
      const refT = megatronUtkLossMask(out.inputIds, m, undefined, o.addSortTask);
      assert.deepEqual(Array.from(out.lossMask!.subarray(1)), Array.from(refT));
      // Zero exactly where the rules say: on knots and the token after them, on headers and the
      // token after them, on <S> and after </S>; everything else is a target.
      const ids2 = out.inputIds;
      for (let j = 0; j < ids2.length; j++) {
        const t = ids2[j]!;
        if (isContent(t) && j > 0 && isContent(ids2[j - 1]!)) assert.equal(out.lossMask![j], 1, 'text after text is a target');
        if (t === SORT.summarySep || t === SORT.summaryClose) assert.equal(out.lossMask![j], 1, 'summary separators are targets');
      }
    }),
    { numRuns: 2000 },
  );
});

test('UtK rows keep the Sample invariants; loss mask absent only when masking is off and the input had none', async () => {
  await fc.assert(
    fc.asyncProperty(lengthsArb, optsArb, fc.nat(), async (lengths, o, seed) => {
      const aug = new UtkAugmenter(o, markersFor(o.variants[0]!.length, o.addSortTask), encodeIds, seed);
      const row = rowOf(lengths);
      const out = await aug.apply(row, 3);
      assert.equal(out.inputIds.length, row.inputIds.length);
      assert.equal(out.docLengths.reduce((a, b) => a + b, 0), out.inputIds.length);
      assert.equal(out.docSources!.length, out.docLengths.length);
      assert.equal(out.lossMask !== undefined, o.maskMarkers);
      // An input loss mask (a chat row) travels with its tokens.
      const masked: Sample = { ...row, lossMask: Uint8Array.from(row.inputIds, (t) => (t % 2 ? 0 : 1)) };
      const out2 = await aug.apply(masked, 3);
      for (let j = 1; j < out2.inputIds.length; j++) {
        const t = out2.inputIds[j]!;
        if (isContent(t) && t % 2 === 1) assert.equal(out2.lossMask![j], 0, 'input mask 0 kept');
      }
    }),
    { numRuns: 500 },
  );
});

test('determinism: the same seed and ordinal give identical rows; other ordinals or seeds draw differently', async () => {
  const o = utkOpts();
  const m = markersFor(3);
  const row = rowOf([50, 80, 30, 60, 40]);
  const run = async (seed: number, ordinal: number) => new UtkAugmenter(o, m, encodeIds, seed).apply(row, ordinal);
  const a = await run(1, 17);
  const b = await run(1, 17);
  assert.deepEqual(a, b);
  // A fresh augmenter and an augmenter that already processed other rows agree on row 17.
  const aug = new UtkAugmenter(o, m, encodeIds, 1);
  for (let k = 0; k < 5; k++) await aug.apply(row, k);
  assert.deepEqual(await aug.apply(row, 17), a);
  const others = await Promise.all([18, 19, 20, 21].map((k) => run(1, k)));
  assert.ok(others.some((r) => Buffer.compare(Buffer.from(r.inputIds.buffer), Buffer.from(a.inputIds.buffer)) !== 0), 'other ordinals draw differently');
  const otherSeed = await run(2, 17);
  assert.notDeepEqual(otherSeed.inputIds, a.inputIds);
});

test('distribution: variant probabilities and chunk counts are drawn as configured', () => {
  const o = utkOpts({ variantProbs: [0.2, 0.8] });
  const lengths = [30, 30, 30, 30];
  let augmented = 0;
  const counts = [0, 0, 0, 0];
  const N = 4000;
  for (let k = 0; k < N; k++) {
    const plan = planRow(lengths, rngFor(0, 'utk', k), o);
    if (plan.variant === 1) augmented++;
    if (plan.variant === 1) for (const c of plan.cuts) counts[c.length + 1]!++;
  }
  assert.ok(Math.abs(augmented / N - 0.8) < 0.03, `UtK probability ${augmented / N}`);
  assert.equal(counts[1], 0);
  assert.ok(Math.abs(counts[2]! / (counts[2]! + counts[3]!) - 0.5) < 0.03, 'two or three chunks, evenly');
});
