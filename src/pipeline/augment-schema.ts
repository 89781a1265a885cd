import { z } from 'zod';
import { DEFAULT_SORT_TOKENS, DEFAULT_VARIANT_PROBS, DEFAULT_VARIANTS } from '../augment/utk/config.js';

const marker = z.string().min(1);

/** The `utk` augmenter (Untie the Knots, algorithms.md §1; defaults: the paper's full method). */
export const UtkAugmentSchema = z.strictObject({
  type: z.literal('utk'),
  variant_probs: z
    .array(z.number().min(0))
    .min(1)
    .default(DEFAULT_VARIANT_PROBS)
    .describe('Probability of each chunking variant, drawn once per row (reference chunk_probs_cfg[0]). Default [0.2, 0.8]: 80 % of rows get UtK.'),
  variants: z
    .array(z.array(z.number().min(0)).min(1))
    .min(1)
    .default(DEFAULT_VARIANTS)
    .describe('Per variant, the probabilities of 1, 2, 3, … chunks per document, drawn per document (reference chunk_probs_cfg[1]). All variants have the same length m. Default [[1,0,0],[0,0.5,0.5]].'),
  use_length_sampler: z.boolean().default(true).describe('Random-length chunks (split points drawn uniformly without replacement); false: equal chunks.'),
  preserve_partial_order: z.boolean().default(true).describe("Keep each document's chunks in their original order after the global shuffle."),
  add_sort_task: z.boolean().default(true).describe("Backtracing: a random 6-character ID header per chunk and, after each document's last-appearing chunk, its chunk IDs in original order."),
  skywork_interleave: z.boolean().default(false).describe('The round-robin interleave baseline instead of UtK: no shuffle, no markers, no IDs (set add_sort_task false).'),
  knot_tokens: z
    .array(marker)
    .optional()
    .describe('Knot marker strings [end_1, start_1, end_2, start_2, …], 2·(m − 1) of them; default <|knot_1_end|>, <|knot_1_start|>, … Registered as added tokens.'),
  sort_tokens: z
    .tuple([marker, marker, marker, marker, marker])
    .default(DEFAULT_SORT_TOKENS)
    .describe('Backtracing markers <D>, </D>, <S>, <s>, </S>; registered as added tokens.'),
  mask_markers: z.boolean().default(true).describe('Loss masking of algorithms.md §1.5: knots and chunk-ID headers are not targets, summaries are.'),
});

/** The `eod-mask-loss` augmenter (Megatron eod_mask_loss, algorithms.md §6.1). */
export const EodMaskLossAugmentSchema = z.strictObject({
  type: z.literal('eod-mask-loss'),
});

/** One augmenter config, discriminated by `type`. */
export const AugmentSchema = z.discriminatedUnion('type', [UtkAugmentSchema, EodMaskLossAugmentSchema]);

/** One resolved augmenter config. */
export type AugmentConfig = z.output<typeof AugmentSchema>;
