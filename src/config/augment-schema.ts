import { z } from 'zod';
import { DEFAULT_VARIANT_PROBS, DEFAULT_VARIANTS } from '../augment/utk/config.js';

const marker = z.string().min(1);

/** The `utk` augmenter (Untie the Knots, docs/recipes.md#utk; defaults: the paper's full method). */
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
  markers: z
    .enum(['auto', 'reserved', 'new'])
    .default('auto')
    .describe("Ids of the markers the config does not name: auto = the tokenizer's unused reserved special tokens (Llama-3's <|reserved_special_token_N|>) when it has enough, else new ids past the vocabulary; reserved = reserved special tokens or an error; new = new ids past the vocabulary (<|knot_1_end|>, …, <|D|>, …: resize the embeddings). The manifest's marker_source says which was taken."),
  knot_tokens: z
    .array(marker)
    .optional()
    .describe('Knot marker strings [end_1, start_1, end_2, start_2, …], 2·(m − 1) of them: special tokens of the tokenizer (used by id) or strings it does not have (new ids). Default: see markers.'),
  sort_tokens: z
    .tuple([marker, marker, marker, marker, marker])
    .optional()
    .describe('Backtracing markers <D>, </D>, <S>, <s>, </S>: special tokens of the tokenizer or strings it does not have. Default: see markers.'),
  mask_markers: z.boolean().default(true).describe('Loss masking of the UtK reference (docs/recipes.md#utk): knots and chunk-ID headers are not targets, summaries are.'),
});

/** The `eod-mask-loss` augmenter (Megatron eod_mask_loss, docs/configuration.md#eod-mask-loss-megatron-eod_mask_loss). */
export const EodMaskLossAugmentSchema = z.strictObject({
  type: z.literal('eod-mask-loss'),
});

/** One augmenter config, discriminated by `type`. */
export const AugmentSchema = z.discriminatedUnion('type', [UtkAugmentSchema, EodMaskLossAugmentSchema]);

/** One resolved augmenter config. */
export type AugmentConfig = z.output<typeof AugmentSchema>;
