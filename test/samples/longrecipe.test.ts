import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LongRecipeBuilder, longRecipeDocLayout } from '../../src/samples/longrecipe/builder.js';
import { fsPiLiteral, fsPiPositions } from '../../src/samples/longrecipe/fs-pi.js';
import { drawLongRecipe, longRecipeLayout, rightPointMax, type LongRecipeAlignment, type RightPointRange } from '../../src/samples/longrecipe/layout.js';
import { sentenceDigits, sentenceEnds } from '../../src/samples/longrecipe/sentences.js';
import { tokenClassesFromTexts, tokenClassesOf, type TokenClasses } from '../../src/samples/longrecipe/token-classes.js';
import type { DocLayout } from '../../src/samples/per-document.js';
import { loadTokenizer } from '../../src/tokenize/load-tokenizer.js';
import type { TokDoc } from '../../src/tokenize/tok-doc.js';
import { rngFor } from '../../src/util/rng.js';
import { spawnSync } from 'node:child_process';

// A toy vocabulary: id 0 decodes to ".", 1 to "\n", 2 to "7" (a digit), 3 to " 12", everything else to words.
const VOCAB = ['.', '\n', '7', ' 12', ...Array.from({ length: 60 }, (_, i) => ` w${String.fromCharCode(97 + (i % 26))}`)];
const CLASSES: TokenClasses = tokenClassesFromTexts(VOCAB, ['.', '\n', '?', '!', '.\n']);
const D = 0; // "."
/** The toy vocabulary's decoder. */
const toyDecode = (ids: Int32Array): string => Array.from(ids, (i) => VOCAB[i] ?? '').join('');

test("token classes come from the decoded vocabulary: exact delimiter strings, Python's str.isdigit(), split characters", () => {
  assert.deepEqual([...CLASSES.delimiter.slice(0, 5)], [1, 1, 0, 0, 0]);
  assert.deepEqual([...CLASSES.digit.slice(0, 5)], [0, 0, 1, 1, 0]);
  const t = tokenClassesFromTexts([' .', '?', 'Mr.', '٣', undefined, ' mc²', '③', '½', '\uFFFD\uFFFD'], ['.', '?']);
  assert.deepEqual([...t.delimiter], [0, 1, 0, 0, 0, 0, 0, 0, 0], 'only an exact match is a delimiter');
  assert.deepEqual([...t.digit], [0, 0, 0, 1, 0, 1, 1, 0, 0], 'every str.isdigit() character counts (², ③), fractions do not');
  assert.deepEqual([...t.partial], [0, 0, 0, 0, 0, 0, 0, 0, 1], 'a token that decodes to U+FFFD carries part of a character');
});

test("golden, Llama-3: a sentence is kept for a digit exactly when Python's any(c.isdigit()) holds on its decoded text, split characters included", async () => {
  const engine = await loadTokenizer({ name: 'llama3' });
  const classes = await tokenClassesOf(engine);
  // ❶ and ፩ are split over byte tokens by Llama-3; ², ③ and ₂ are single tokens but not Unicode Nd; ½ and Ⅻ are numerals, not digits.
  const sentences = ['E = mc².', ' Item ③.', ' Step ❶.', ' Ethiopic ፩.', ' Sub H₂O.', ' Devanagari ५.', ' Half ½.', ' Roman Ⅻ.', ' Plain words.', ' Year 1797.', ' Fullwidth ５'];
  const [ids] = await engine.encodeBatch([sentences.join('')]);
  const ends = sentenceEnds(ids!, classes);
  assert.equal(ends.length, sentences.length);
  const got = sentenceDigits(ids!, ends, classes, (x) => engine.decodeSync(x));
  assert.deepEqual(got, [true, true, true, true, true, true, false, false, false, true, true]);
  // The reference rule itself: python3 decides on the decoded sentences.
  const texts = ends.map((e, i) => engine.decodeSync(ids!.subarray(i === 0 ? 0 : ends[i - 1]!, e)));
  const py = spawnSync('python3', ['-c', 'import json,sys; print(json.dumps([any(c.isdigit() for c in t) for t in json.load(sys.stdin)]))'], { input: JSON.stringify(texts), encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  assert.deepEqual(got, JSON.parse(py.stdout));
  // Without the whole-sentence decode, the split ❶ and ፩ would be missed.
  assert.deepEqual(sentenceDigits(ids!, ends, classes, () => ''), got.map((g, i) => g && i !== 2 && i !== 3));
});

test('Llama-3: the derived delimiter ids are exactly the reference ids {0, 13, 30, 198, 627}', async () => {
  const engine = await loadTokenizer({ name: 'llama3' });
  const classes = await tokenClassesOf(engine);
  const ids = [...classes.delimiter.keys()].filter((id) => classes.delimiter[id] === 1);
  assert.deepEqual(ids, [0, 13, 30, 198, 627]);
  assert.equal(await tokenClassesOf(engine), classes, 'computed once per engine');
  const [nine] = await engine.encodeBatch(['1999']);
  assert.ok([...nine!].every((id) => classes.digit[id] === 1));
});

test('sentences end after each delimiter token; the tail without one is the last sentence', () => {
  const toks = Int32Array.from([1 + 10, 5, D, 7, 8, 1, 1, 9, 2, 10]);
  assert.deepEqual(sentenceEnds(toks, CLASSES), [3, 6, 7, 10]);
  assert.deepEqual(sentenceDigits(toks, [3, 6, 7, 10], CLASSES, toyDecode), [false, false, false, true]);
  assert.deepEqual(sentenceEnds(Int32Array.from([5, D]), CLASSES), [2]);
  assert.deepEqual(sentenceEnds(new Int32Array(0), CLASSES), []);
});

test('golden FS-PI toy run (§3.3): base 12, target 40, 4 sentences → [0,1,2,3, 19,20,21,22, 30,31,32, 34]', () => {
  // doc [1,5,6,".",7,8,9,".",10,11,".",12]; the draw pick = [p0, 16, 24, 26] (pick[0] is ignored).
  const expected = [0, 1, 2, 3, 19, 20, 21, 22, 30, 31, 32, 34];
  assert.deepEqual(Array.from(fsPiPositions([4, 4, 3, 1], [9, 16, 24, 26])), expected);
  assert.deepEqual(Array.from(fsPiLiteral([4, 4, 3, 1], [9, 16, 24, 26])), expected, 'literal = intended when sentence 0 has ≥ 2 tokens');
  // Through the sample construction, every sentence kept, no right point, both alignments.
  const ends = sentenceEnds(Int32Array.from([11, 15, 16, D, 17, 18, 19, D, 20, 21, D, 22]), CLASSES);
  assert.deepEqual(ends, [4, 8, 11, 12]);
  for (const alignment of ['kept', 'literal'] as const) {
    const r = longRecipeLayout(ends, { keep: [true, true, true, true], slots: [0, 16, 24, 26] }, { base: 12, target: 40, alignment }) as DocLayout;
    assert.deepEqual(r.spans, [0, 12]);
    assert.deepEqual(Array.from(r.positions), expected, alignment);
  }
  // Gaps of 15, 7 and 1 between the sentences; the wasted trailing gap is 40 − 12 − 23 = 5.
});

test('literal quirks: a one-token first sentence lands before sentence 1; positions indexed by the kept ordinal', () => {
  assert.deepEqual(Array.from(fsPiPositions([1, 2], [0, 5])), [0, 5, 6]);
  assert.deepEqual(Array.from(fsPiLiteral([1, 2], [0, 5])), [4, 5, 6], 'flat[k] != 0 drops token 0; PI[0] − 1 re-adds it');
  assert.equal(fsPiLiteral([1], [0]).length, 0);
  const ends = [4, 8, 11, 12];
  const keep = [true, false, true, true];
  // literal: PI computed on all 12 tokens, then its first 8 entries go to the 8 kept tokens.
  const lit = longRecipeLayout(ends, { keep, slots: [0, 16, 24, 26] }, { base: 12, target: 40, alignment: 'literal' }) as DocLayout;
  assert.deepEqual(lit.spans, [0, 4, 8, 12]);
  assert.deepEqual(Array.from(lit.positions), [0, 1, 2, 3, 19, 20, 21, 22]);
  // kept: PI computed on the 3 kept sentences (4, 3, 1 tokens): gaps fall between kept sentences.
  const kept = longRecipeLayout(ends, { keep, slots: [0, 16, 24] }, { base: 12, target: 40, alignment: 'kept' }) as DocLayout;
  assert.deepEqual(Array.from(kept.positions), [0, 1, 2, 3, 19, 20, 21, 29]);
});

test('right points: the first r tokens keep natural positions; range kept draws r within the kept row, range base drops a row shorter than r', () => {
  const ends = [4, 8, 11, 12];
  const all = [true, true, true, true];
  const r = longRecipeLayout(ends, { keep: all, slots: [0, 16, 24, 26], rightPoint: 6 }, { base: 12, target: 40, alignment: 'kept' }) as DocLayout;
  assert.deepEqual(Array.from(r.positions), [0, 1, 2, 3, 4, 5, 21, 22, 30, 31, 32, 34]);
  // Kept sentences 2 and 3 (4 tokens): range base (the reference) drops r = 5 > 4; range kept only draws r ≤ 3.
  const keep = [false, false, true, true];
  assert.deepEqual(longRecipeLayout(ends, { keep, slots: [0, 16, 24, 26], rightPoint: 5 }, { base: 12, target: 40, alignment: 'literal', rightPointRange: 'base' }), { drop: 'position_mismatch' });
  assert.deepEqual(longRecipeLayout(ends, { keep, slots: [0, 20], rightPoint: 5 }, { base: 12, target: 40, alignment: 'kept', rightPointRange: 'base' }), { drop: 'position_mismatch' });
  assert.equal(rightPointMax(12, 4, 'kept'), 3);
  assert.equal(rightPointMax(12, 4, 'base'), 6);
  assert.equal(rightPointMax(12, 40, 'kept'), 6, 'a long row: the reference range');
  assert.equal(rightPointMax(12, 1, 'kept'), 1, 'a one-token row has only its natural position');
  assert.throws(() => longRecipeLayout(ends, { keep, slots: [0, 20], rightPoint: 4 }, { base: 12, target: 40, alignment: 'kept' }), /right point 4 outside 1 … 3/);
  // Golden: sentences [10, 11, .] and [12] at slots 0 and 20 → PI [0, 1, 2, 22]; r = 3 keeps 0 1 2, the last token is extended.
  const within = longRecipeLayout(ends, { keep, slots: [0, 20], rightPoint: 3 }, { base: 12, target: 40, alignment: 'kept' }) as DocLayout;
  assert.deepEqual(within.spans, [8, 12]);
  assert.deepEqual(Array.from(within.positions), [0, 1, 2, 22]);
  assert.deepEqual(longRecipeLayout(ends, { keep: [false, false, false, false], slots: [] }, { base: 12, target: 40, alignment: 'kept' }), { drop: 'empty_selection' });
  assert.throws(() => longRecipeLayout(ends, { keep: all, slots: [0, 16, 24, 26], rightPoint: 7 }, { base: 12, target: 40, alignment: 'kept' }), /right point 7/);
});

test('property: drawn right points lie in 1 … min((base+1)//2, L−1) under range kept and 1 … (base+1)//2 under base; the base draws are the reference stream', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 0, max: 500 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.string({ maxLength: 4 }), (lens, base, extra, p, key) => {
      const ends: number[] = [];
      let at = 0;
      for (const l of lens) ends.push((at += l));
      const hasDigit = lens.map((l) => l % 3 === 0);
      const settings = { base, target: base + extra, alignment: 'kept' as const, keepProbability: p, rightPoint: true };
      const kept = drawLongRecipe(rngFor(1, 'lr', key), ends, hasDigit, { ...settings, rightPointRange: 'kept' });
      const ref = drawLongRecipe(rngFor(1, 'lr', key), ends, hasDigit, { ...settings, rightPointRange: 'base' });
      assert.deepEqual(kept.keep, ref.keep);
      let l = 0;
      kept.keep.forEach((k, i) => (l += k ? lens[i]! : 0));
      assert.ok(kept.rightPoint! >= 1 && kept.rightPoint! <= Math.max(1, Math.min((base + 1) >> 1, l - 1)));
      assert.ok(ref.rightPoint! >= 1 && ref.rightPoint! <= (base + 1) >> 1);
    }),
    { numRuns: 2000 },
  );
});

/** A random document over the toy vocabulary, with delimiters and digits sprinkled in. */
const docArb = fc.array(fc.oneof({ weight: 1, arbitrary: fc.constantFrom(0, 1) }, { weight: 1, arbitrary: fc.constantFrom(2, 3) }, { weight: 8, arbitrary: fc.integer({ min: 4, max: 63 }) }), {
  minLength: 1,
  maxLength: 400,
});

test('property: positions strictly increase and stay below the target; kept sentences are whole, in order, digits always kept; sentence-internal positions contiguous (kept alignment)', () => {
  fc.assert(
    fc.property(
      docArb,
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 0, max: 3000 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constantFrom<LongRecipeAlignment>('kept', 'literal'),
      fc.boolean(),
      fc.constantFrom<RightPointRange>('kept', 'base'),
      fc.string({ maxLength: 6 }),
      (toks, base, extra, keepProbability, alignment, rightPoint, rightPointRange, id) => {
        const doc: TokDoc = { id, source: 's', tokens: Int32Array.from(toks) };
        const opts = { seqLen: base, targetLen: base + extra, keepProbability, alignment, rightPoint, rightPointRange, classes: CLASSES, decode: toyDecode, seed: 4 };
        const r = longRecipeDocLayout(doc, opts);
        const cut = doc.tokens.subarray(0, base);
        const ends = sentenceEnds(cut, CLASSES);
        const digits = sentenceDigits(cut, ends, CLASSES, toyDecode);
        if ('drop' in r) {
          if (r.drop === 'position_mismatch') assert.ok(rightPoint && rightPointRange === 'base', 'only the reference range drops for the right point');
          else if (r.drop === 'empty_positions') assert.ok(alignment === 'literal' && (base === 1 || toks.length === 1));
          else assert.equal(r.drop, 'empty_selection');
          if (r.drop === 'empty_selection') assert.ok(!digits.includes(true), 'a sentence with a digit is always kept');
          return;
        }
        const { spans, positions } = r;
        // Spans are whole sentences, in order, and include every sentence with a digit.
        const starts = new Set([0, ...ends.slice(0, -1)]);
        const endSet = new Set(ends);
        let prevEnd = -1;
        let n = 0;
        for (let i = 0; i < spans.length; i += 2) {
          assert.ok(starts.has(spans[i]!) && endSet.has(spans[i + 1]!) && spans[i]! > prevEnd);
          prevEnd = spans[i + 1]!;
          n += spans[i + 1]! - spans[i]!;
        }
        let s0 = 0;
        for (let k = 0; k < ends.length; k++) {
          if (digits[k]) assert.ok(spans.some((_, i) => i % 2 === 0 && spans[i]! <= s0 && spans[i + 1]! >= ends[k]!), 'digit sentence kept');
          s0 = ends[k]!;
        }
        assert.equal(positions.length, n);
        assert.ok(n <= base);
        for (let i = 1; i < n; i++) assert.ok(positions[i]! > positions[i - 1]!, 'strictly increasing');
        assert.ok(positions[0]! >= 0 && positions[n - 1]! < base + extra, 'below the target');
        if (rightPoint && rightPointRange === 'kept' && n >= 2) {
          // r ≤ L − 1: the last token is never in the natural prefix, it keeps its FS-PI position
          // (the same draws without a right point: r is drawn last).
          const plain = longRecipeDocLayout(doc, { ...opts, rightPoint: false }) as DocLayout;
          assert.equal(positions[n - 1], plain.positions[n - 1]);
        }
        if (alignment === 'kept') {
          // Map each kept token to its sentence; inside a sentence positions step by 1, except at the right point.
          const sentenceOf: number[] = [];
          for (let i = 0; i < spans.length; i += 2) for (let t = spans[i]!; t < spans[i + 1]!; t++) sentenceOf.push(ends.findIndex((e) => e > t));
          let natural = 0;
          while (natural < n && positions[natural] === natural) natural++;
          for (let i = 1; i < n; i++) {
            if (sentenceOf[i] === sentenceOf[i - 1] && i !== natural) assert.equal(positions[i], positions[i - 1]! + 1, 'contiguous inside a sentence');
          }
        }
      },
    ),
    { numRuns: 3000 },
  );
});

test('the builder: one row per kept document with explicit positions; drops are counted by reason', () => {
  const b = new LongRecipeBuilder({ seqLen: 50, targetLen: 500, keepProbability: 0, alignment: 'kept', rightPoint: true, classes: CLASSES, decode: toyDecode, seed: 0, withSources: false });
  const withDigit: TokDoc = { id: 'a', source: 's', tokens: Int32Array.from([4, 5, 0, 2, 6, 0, 7, 8]) };
  const noDigit: TokDoc = { id: 'b', source: 's', tokens: Int32Array.from([4, 5, 0, 6, 0]) };
  const rows = [withDigit, noDigit].flatMap((d) => b.push(d));
  assert.equal(rows.length, 1);
  assert.deepEqual(Array.from(rows[0]!.inputIds), [2, 6, 0], 'keep probability 0: only the sentence with a digit');
  assert.deepEqual(b.stats.dropped, { empty_selection: 1 });
  assert.equal(b.stats.written, 1);
  assert.equal(b.stats.tokensDropped, 5 + 5);
});
