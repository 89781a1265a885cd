import type { SampleBuilder } from '../samples/builder.js';
import { ConcatChunkBuilder } from '../samples/concat-chunk.js';
import { PackBuilder } from '../samples/pack.js';
import type { BuilderConfig } from '../config/config-schema.js';
import { RECIPE_BUILDERS, type RecipeBuilderContext } from './recipe-builders.js';

/** What a builder may need beyond its config section: the pipeline seed and the tokenizer. */
export type BuilderContext = RecipeBuilderContext;

/** What the shard format records about a builder's rows (docs/shard-format.md#manifestjson). */
export interface RowSemantics {
  attention: 'causal' | 'document';
  positions: 'continuous' | 'reset' | 'explicit';
  /** Whether rows carry a `position_ids` column. */
  explicitPositions: boolean;
  /** Whether rows carry a `loss_mask` column. */
  lossMask: boolean;
}

/**
 * A registered builder: makes the builder from its config section and says how its rows read.
 * `create` may be asynchronous (LongRecipe reads the tokenizer's vocabulary first).
 */
export interface BuilderFactory<C extends BuilderConfig = BuilderConfig> {
  create(cfg: C, withSources: boolean, ctx: BuilderContext): SampleBuilder | Promise<SampleBuilder>;
  semantics(cfg: C): RowSemantics;
  /** The longest document the builder keeps (it drops longer ones as `too_long`), when it drops by length: `[N]` subsets are drawn among the rest. */
  maxDocumentTokens?(cfg: C): number | undefined;
}

/** Builders by the `type` a config names. */
export const BUILDERS: { [K in BuilderConfig['type']]: BuilderFactory<Extract<BuilderConfig, { type: K }>> } = {
  'concat-chunk': {
    create: (cfg, withSources) => new ConcatChunkBuilder({ seqLen: cfg.seq_len, remainder: cfg.remainder, withSources }),
    semantics: (cfg) => ({ attention: cfg.attention, positions: cfg.positions, explicitPositions: false, lossMask: false }),
  },
  pack: {
    create: (cfg, withSources) =>
      new PackBuilder({ seqLen: cfg.seq_len, algorithm: cfg.algorithm, openRows: cfg.open_rows, longDocuments: cfg.long_documents, withSources }),
    semantics: (cfg) => ({ attention: cfg.attention, positions: cfg.positions, explicitPositions: false, lossMask: false }),
    maxDocumentTokens: (cfg) => (cfg.long_documents === 'drop' ? cfg.seq_len : undefined),
  },
  ...RECIPE_BUILDERS,
};

/** The factory for a builder config. */
export function builderFactory(cfg: BuilderConfig): BuilderFactory {
  return BUILDERS[cfg.type] as BuilderFactory;
}
