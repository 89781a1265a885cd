import { LongRecipeBuilder } from '../samples/longrecipe/builder.js';
import { tokenClassesOf } from '../samples/longrecipe/token-classes.js';
import { PoseBuilder } from '../samples/pose.js';
import { RandPosBuilder } from '../samples/randpos.js';
import { SingleBuilder } from '../samples/single.js';
import type { TokenizerEngine } from '../tokenize/engine.js';
import { UserError } from '../util/errors.js';
import type { BuilderFactory, RowSemantics } from './builder-registry.js';
import type { BuilderConfig } from '../config/config-schema.js';

/** What a builder may need beyond its config section. */
export interface RecipeBuilderContext {
  /** The pipeline seed (per-document draws use `rngFor(seed, builder, doc.id)`). */
  seed: number;
  /** The tokenizer (LongRecipe derives its sentence delimiters from it). */
  engine: TokenizerEngine;
}

type Cfg<K extends BuilderConfig['type']> = Extract<BuilderConfig, { type: K }>;

/** Throws a UserError unless `builder.target_len ≥ builder.seq_len`. */
function checkTarget(cfg: { type: string; seq_len: number; target_len: number }): void {
  if (cfg.target_len < cfg.seq_len) {
    throw new UserError(`builder.target_len (${cfg.target_len}) is below builder.seq_len (${cfg.seq_len}); the ${cfg.type} target window must be at least the row length`);
  }
}

/** One document → one row with explicit positions, causal attention inside the row. */
const explicitRows = (): RowSemantics => ({ attention: 'causal', positions: 'explicit', explicitPositions: true, lossMask: false });

/** Factories of the builders added for the long-context recipes: pose, randpos, longrecipe, single. */
export const RECIPE_BUILDERS: { pose: BuilderFactory<Cfg<'pose'>>; randpos: BuilderFactory<Cfg<'randpos'>>; longrecipe: BuilderFactory<Cfg<'longrecipe'>>; single: BuilderFactory<Cfg<'single'>> } = {
  pose: {
    create(cfg, withSources, ctx) {
      checkTarget(cfg);
      const docWindow = cfg.doc_window ?? 5 * cfg.seq_len;
      if (docWindow < cfg.seq_len) throw new UserError(`builder.doc_window (${docWindow}) is below builder.seq_len (${cfg.seq_len}); raise it or leave it out (default 5 × seq_len)`);
      return new PoseBuilder({ seqLen: cfg.seq_len, targetLen: cfg.target_len, variant: cfg.variant, chunks: cfg.chunks, docWindow, seed: ctx.seed, withSources });
    },
    semantics: explicitRows,
  },
  randpos: {
    create(cfg, withSources, ctx) {
      checkTarget(cfg);
      return new RandPosBuilder({ seqLen: cfg.seq_len, targetLen: cfg.target_len, seed: ctx.seed, withSources });
    },
    semantics: explicitRows,
  },
  longrecipe: {
    async create(cfg, withSources, ctx) {
      checkTarget(cfg);
      const classes = await tokenClassesOf(ctx.engine, cfg.delimiters);
      if (!classes.delimiter.includes(1)) {
        throw new UserError(`no token of tokenizer ${ctx.engine.info.name} decodes to one of builder.delimiters ${JSON.stringify(cfg.delimiters)}; list strings that are single tokens of this vocabulary`);
      }
      return new LongRecipeBuilder({
        seqLen: cfg.seq_len,
        targetLen: cfg.target_len,
        keepProbability: cfg.keep_probability,
        alignment: cfg.alignment,
        rightPoint: cfg.right_point,
        rightPointRange: cfg.right_point_range,
        classes,
        decode: (ids) => ctx.engine.decodeSync(ids),
        seed: ctx.seed,
        withSources,
      });
    },
    semantics: explicitRows,
  },
  single: {
    create: (cfg, withSources) => new SingleBuilder({ seqLen: cfg.seq_len, longDocuments: cfg.long_documents, withSources }),
    semantics: () => ({ attention: 'causal', positions: 'continuous', explicitPositions: false, lossMask: false }),
    maxDocumentTokens: (cfg) => (cfg.long_documents === 'drop' ? cfg.seq_len : undefined),
  },
};
