import type { Transform } from 'node:stream';
import type { TokDoc } from '../../tokenize/tok-doc.js';
import { rngFor } from '../../util/rng.js';
import { builderStage, checkSeqLen } from '../builder.js';
import { PerDocumentBuilder, type LayoutResult } from '../per-document.js';
import { drawLongRecipe, longRecipeLayout, type LongRecipeAlignment, type RightPointRange } from './layout.js';
import { sentenceDigits, sentenceEnds } from './sentences.js';
import type { TokenClasses } from './token-classes.js';

/** Options of {@link LongRecipeBuilder}. */
export interface LongRecipeOptions {
  /** The base length (LR script: 24,000): documents are cut to it; it is the row length. */
  seqLen: number;
  /** The target length (LR script: 80,000): positions stay below it. At least `seqLen`. */
  targetLen: number;
  /** Probability of keeping a sentence without a digit (the reference's `select_ratio = 0.6` gives 0.5). */
  keepProbability: number;
  /** FS-PI on the kept tokens (`kept`, intended) or the reference's `literal` indexing. */
  alignment: LongRecipeAlignment;
  /** Give the first r tokens their natural positions (the reference's right points). */
  rightPoint: boolean;
  /** Where r is drawn: within the kept row (`kept`, default) or in `1 … (seqLen+1)//2` as the reference, dropping shorter rows (`base`). */
  rightPointRange?: RightPointRange;
  /** Delimiter and digit tables of the tokenizer (see `tokenClassesOf`). */
  classes: TokenClasses;
  /** Decodes a sentence's tokens (the tokenizer's `decodeSync`), for digits split across tokens. */
  decode: (ids: Int32Array) => string;
  /** The pipeline seed: each document draws from `rngFor(seed, 'longrecipe', doc.id)`. */
  seed: number;
  /** Record `doc_sources` per row. */
  withSources: boolean;
}

/** The LongRecipe layout of one document (cut to `seqLen` tokens), with draws from `rngFor(seed, 'longrecipe', doc.id)`. */
export function longRecipeDocLayout(doc: TokDoc, opts: Omit<LongRecipeOptions, 'withSources'>): LayoutResult {
  const tokens = doc.tokens.subarray(0, opts.seqLen);
  const ends = sentenceEnds(tokens, opts.classes);
  const settings = { base: opts.seqLen, target: opts.targetLen, alignment: opts.alignment, rightPointRange: opts.rightPointRange ?? 'kept' };
  const draws = drawLongRecipe(rngFor(opts.seed, 'longrecipe', doc.id), ends, sentenceDigits(tokens, ends, opts.classes, opts.decode), {
    ...settings,
    keepProbability: opts.keepProbability,
    rightPoint: opts.rightPoint,
  });
  return longRecipeLayout(ends, draws, settings);
}

/**
 * `longrecipe` (LongRecipe, docs/recipes.md#longrecipe): each document, cut to `seqLen` tokens, is split
 * into sentences after the tokenizer's delimiter tokens; sentences with a digit are kept, others
 * with `keepProbability`; the kept tokens form one row whose positions spread the sentences over
 * `[0, targetLen)` with random gaps (FS-PI), the first r tokens keeping natural positions.
 * Its stats count `extended_rows`: rows with a position past its natural index.
 */
export class LongRecipeBuilder extends PerDocumentBuilder {
  constructor(opts: LongRecipeOptions) {
    checkSeqLen(opts.seqLen);
    if (!Number.isInteger(opts.targetLen) || opts.targetLen < opts.seqLen) throw new Error(`targetLen (${opts.targetLen}) must be an integer ≥ seqLen (${opts.seqLen})`);
    if (!(opts.keepProbability >= 0 && opts.keepProbability <= 1)) throw new Error(`keepProbability must be in [0, 1], got ${opts.keepProbability}`);
    super('longrecipe', (doc) => longRecipeDocLayout(doc, opts), opts.withSources);
  }
}

/** The longrecipe stage as a Node Transform (TokDoc → Sample). */
export function longrecipe(opts: LongRecipeOptions): Transform {
  return builderStage(new LongRecipeBuilder(opts));
}
