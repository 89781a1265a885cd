import { z } from 'zod';
import { DEFAULT_SENTENCE_DELIMITERS } from '../samples/longrecipe/token-classes.js';

const positiveInt = z.number().int().positive();

/** The pose builder (PoSE, docs/recipes.md#pose): one document → one row with explicit positions. */
export const PoseSchema = z.strictObject({
  type: z.literal('pose'),
  seq_len: positiveInt.describe('The original window Lc: tokens per row (PoSE: 2048).'),
  target_len: positiveInt.describe('The target window Lt: every position is below it (PoSE: 16384); at least seq_len.'),
  variant: z
    .enum(['reference', 'paper', 'longrecipe'])
    .default('reference')
    .describe("reference: PoSE code's two chunks (first at most half the window, content skip, one bias); paper: N chunks of random lengths with non-decreasing biases and content skips; longrecipe: LongRecipe's variant (split point and skip, no content skip)."),
  chunks: positiveInt.default(2).describe('Chunks of the paper variant (the paper uses 2).'),
  doc_window: positiveInt.optional().describe('Document tokens the content skip may reach (default 5 × seq_len: the reference truncates documents to 5 Lc).'),
});

/** The randpos builder (randomized positions, docs/recipes.md#randpos). */
export const RandPosSchema = z.strictObject({
  type: z.literal('randpos'),
  seq_len: positiveInt.describe('Tokens per row: the first min(len, seq_len) tokens of each document.'),
  target_len: positiveInt.describe('Positions are drawn without replacement from [0, target_len); at least seq_len.'),
});

/** The longrecipe builder (LongRecipe, docs/recipes.md#longrecipe). */
export const LongRecipeSchema = z.strictObject({
  type: z.literal('longrecipe'),
  seq_len: positiveInt.describe('The base length (LR script: 24000): documents are cut to it; tokens per row at most.'),
  target_len: positiveInt.describe('The target length (LR script: 80000): positions stay below it; at least seq_len.'),
  keep_probability: z.number().min(0).max(1).default(0.5).describe('Probability of keeping a sentence without a digit (the reference select_ratio 0.6 gives 0.5).'),
  delimiters: z
    .array(z.string().min(1))
    .min(1)
    .default([...DEFAULT_SENTENCE_DELIMITERS])
    .describe('A sentence ends after a token whose decoded text is exactly one of these (default: the reference\'s ".", "\\n", "?", "!", ".\\n").'),
  alignment: z.enum(['kept', 'literal']).default('kept').describe("kept: FS-PI positions computed on the kept sentences (intended); literal: computed on the unfiltered document and indexed by kept ordinal (the reference's behaviour)."),
  right_point: z.boolean().default(true).describe('The first r tokens keep natural positions (the reference right points).'),
  right_point_range: z
    .enum(['kept', 'base'])
    .default('kept')
    .describe("Where r is drawn. kept: r ~ U{1..min((seq_len+1)//2, L-1)}, L the kept row's length, so every row of 2+ tokens has extended positions; base: r ~ U{1..(seq_len+1)//2} as the reference, dropping rows shorter than r (position_mismatch)."),
});

/** The single builder: one document per row (SFT without packing, docs/recipes.md#llama-3-8b-instruct-80k-chat-sft). */
export const SingleSchema = z.strictObject({
  type: z.literal('single'),
  seq_len: positiveInt.describe('The longest row (the reference max_length). Conversations longer than this are dropped at tokenize.'),
  long_documents: z.enum(['truncate', 'drop']).default('truncate').describe('Plain-text documents longer than seq_len: truncate (the reference) or drop (counted as too_long).'),
});
