import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LongRecipeBuilder, longRecipeDocLayout } from '../../src/build/longrecipe/builder.js';
import { fsPiLiteral, fsPiPositions } from '../../src/build/longrecipe/fs-pi.js';
import { longRecipeLayout, type LongRecipeAlignment } from '../../src/build/longrecipe/layout.js';
import { sentenceDigits, sentenceEnds } from '../../src/build/longrecipe/sentences.js';
import { tokenClassesFromTexts, tokenClassesOf, type TokenClasses } from '../../src/build/longrecipe/token-classes.js';
import type { DocLayout } from '../../src/build/per-document.js';
import { loadTokenizer } from '../../src/tokenize/load-tokenizer.js';
import type { TokDoc } from '../../src/tokenize/tok-doc.js';

// A toy vocabulary: id 0 decodes to ".", 1 to "\n", 2 to "7" (a digit), 3 to " 12", everything else to words.
const VOCAB = ['.', '\n', '7', ' 12', ...Array.from({ length: 60 }, (_, i) => ` w${String.fromCharCode(97 + (i % 26))}`)];
const CLASSES: TokenClasses = tokenClassesFromTexts(VOCAB, ['.', '\n', '?', '!', '.\n']);
const D = 0; // "."

test('token classes come from the decoded vocabulary: exact delimiter strings, any decimal digit', () => {
  assert.deepEqual([...CLASSES.delimiter.slice(0, 5)], [1, 1, 0, 0, 0]);
  assert.deepEqual([...CLASSES.digit.slice(0, 5)], [0, 0, 1, 1, 0]);
  const t = tokenClassesFromTexts([' .', '?', 'Mr.', '٣', undefined], ['.', '?']);
  assert.deepEqual([...t.delimiter], [0, 1, 0, 0, 0], 'only an exact match is a delimiter');
  assert.deepEqual([...t.digit], [0, 0, 0, 1, 0], 'Unicode decimal digits count');
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
  assert.deepEqual(sentenceDigits(toks, [3, 6, 7, 10], CLASSES), [false, false, false, true]);
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

test('right points: the first r tokens keep natural positions; r > L drops under literal and is capped under kept', () => {
  const ends = [4, 8, 11, 12];
  const all = [true, true, true, true];
  const r = longRecipeLayout(ends, { keep: all, slots: [0, 16, 24, 26], rightPoint: 6 }, { base: 12, target: 40, alignment: 'kept' }) as DocLayout;
  assert.deepEqual(Array.from(r.positions), [0, 1, 2, 3, 4, 5, 21, 22, 30, 31, 32, 34]);
  const keep = [false, false, false, true];
  assert.deepEqual(longRecipeLayout(ends, { keep, slots: [0, 16, 24, 26], rightPoint: 2 }, { base: 12, target: 40, alignment: 'literal' }), { drop: 'position_mismatch' });
  const capped = longRecipeLayout(ends, { keep, slots: [0], rightPoint: 2 }, { base: 12, target: 40, alignment: 'kept' }) as DocLayout;
  assert.deepEqual(Array.from(capped.positions), [0]);
  assert.deepEqual(longRecipeLayout(ends, { keep: [false, false, false, false], slots: [] }, { base: 12, target: 40, alignment: 'kept' }), { drop: 'empty_selection' });
  assert.throws(() => longRecipeLayout(ends, { keep: all, slots: [0, 16, 24, 26], rightPoint: 7 }, { base: 12, target: 40, alignment: 'kept' }), /right point 7/);
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
      fc.string({ maxLength: 6 }),
      (toks, base, extra, keepProbability, alignment, rightPoint, id) => {
        const doc: TokDoc = { id, source: 's', tokens: Int32Array.from(toks) };
        const opts = { seqLen: base, targetLen: base + extra, keepProbability, alignment, rightPoint, classes: CLASSES, seed: 4 };
        const r = longRecipeDocLayout(doc, opts);
        const cut = doc.tokens.subarray(0, base);
        const ends = sentenceEnds(cut, CLASSES);
        const digits = sentenceDigits(cut, ends, CLASSES);
        if ('drop' in r) {
          assert.ok(r.drop === 'empty_selection' || (alignment === 'literal' && (r.drop === 'empty_positions' ? base === 1 || toks.length === 1 : r.drop === 'position_mismatch' && rightPoint)));
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
  const b = new LongRecipeBuilder({ seqLen: 50, targetLen: 500, keepProbability: 0, alignment: 'kept', rightPoint: true, classes: CLASSES, seed: 0, withSources: false });
  const withDigit: TokDoc = { id: 'a', source: 's', tokens: Int32Array.from([4, 5, 0, 2, 6, 0, 7, 8]) };
  const noDigit: TokDoc = { id: 'b', source: 's', tokens: Int32Array.from([4, 5, 0, 6, 0]) };
  const rows = [withDigit, noDigit].flatMap((d) => b.push(d));
  assert.equal(rows.length, 1);
  assert.deepEqual(Array.from(rows[0]!.inputIds), [2, 6, 0], 'keep probability 0: only the sentence with a digit');
  assert.deepEqual(b.stats.dropped, { empty_selection: 1 });
  assert.equal(b.stats.written, 1);
  assert.equal(b.stats.tokensDropped, 5 + 5);
});
