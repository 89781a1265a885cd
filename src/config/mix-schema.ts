import { z } from 'zod';
import { BUILTIN_MIXTURES } from '../mix/mixture.js';

/** The `mix` section: which documents a build keeps, with token budgets per source (docs/configuration.md#mixing). */
export const MixSchema = z
  .strictObject({
    mode: z
      .enum(['none', 'per_source', 'global'])
      .default('none')
      .describe('none: keep every document; global: keep short documents with probability short_keep; per_source: the same, with each source filled to total_tokens × its weight (Fu et al.).'),
    total_tokens: z.number().int().positive().optional().describe('Token budget of the build (per_source: required; otherwise a cap). Split across ranks in proportion to their input bytes.'),
    weights: z
      .union([z.enum(Object.keys(BUILTIN_MIXTURES) as [string, ...string[]]), z.record(z.string().min(1), z.number().min(0))])
      .optional()
      .describe('per_source: weights by source name, in tokens (normalised to shares), or "slimpajama" for SlimPajama\'s own mixture (Fu et al.\'s table). Source names come from inputs[].fields.source or inputs[].name.'),
    short_threshold: z.number().int().min(0).default(4096).describe('Documents shorter than this (tokens, or estimated tokens under length "chars") are short.'),
    short_keep: z.number().min(0).max(1).default(0.1).describe('Probability of keeping a short document (global, per_source); the draw is seeded by the document id.'),
    length: z.enum(['tokens', 'chars']).default('tokens').describe('tokens: budgets and the threshold count real tokens; chars: characters / chars_per_token, the reference code\'s estimate (for parity).'),
    chars_per_token: z.number().positive().default(3.68).describe('Characters per token of the chars estimate (3.68 for Llama-2 in the reference).'),
  })
  .superRefine((m, ctx) => {
    if (m.mode === 'per_source') {
      if (m.total_tokens === undefined) ctx.addIssue({ code: 'custom', path: ['total_tokens'], message: 'per_source mixing needs a total token budget; set mix.total_tokens (e.g. 1000000000)' });
      if (m.weights === undefined) ctx.addIssue({ code: 'custom', path: ['weights'], message: 'per_source mixing needs weights; set mix.weights to "slimpajama" or to {"source": weight, ...}' });
    } else if (m.weights !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['weights'], message: `weights apply to mode per_source only; remove them or set mix.mode to per_source` });
    }
  });

/** The `order` section: how the sample stream is reordered before it is written (bounded memory). */
export const OrderSchema = z
  .strictObject({
    shuffle_buffer: z.number().int().min(0).default(0).describe('Rows held by a seeded shuffle buffer; 0 keeps the build order.'),
    group_by_length: z.number().int().min(0).default(0).describe('Rows per mega-batch sorted by length, longest first (HF group_by_length); 0 turns it off.'),
    curriculum: z.boolean().default(false).describe('Ascending-length curriculum (length warm-up): every row of the build sorted by length, shortest first, by an external sort on disk.'),
    curriculum_run_rows: z.number().int().positive().default(10000).describe('Rows sorted in memory per run of the curriculum\'s external sort (memory bound).'),
    length_key: z.enum(['tokens', 'longest_document']).default('tokens').describe('What "length" means for group_by_length and the curriculum: the row\'s tokens, or its longest document piece.'),
  })
  .superRefine((o, ctx) => {
    if (o.curriculum && o.group_by_length > 0) ctx.addIssue({ code: 'custom', path: ['group_by_length'], message: 'group_by_length and curriculum both order rows by length; keep one of them' });
  });

/** The resolved `mix` section. */
export type MixConfig = z.output<typeof MixSchema>;
/** The resolved `order` section. */
export type OrderConfig = z.output<typeof OrderSchema>;
