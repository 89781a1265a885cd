import type { Augmenter } from '../augment/augmenter.js';
import { EodMaskLossAugmenter } from '../augment/eod-mask-loss.js';
import { checkUtkOptions, defaultKnotTokens, DEFAULT_SORT_TOKENS, type UtkOptions } from '../augment/utk/config.js';
import { resolveUtkMarkers } from '../augment/utk/markers.js';
import { UtkAugmenter } from '../augment/utk/utk-augmenter.js';
import type { ColumnSet } from '../shards/columns.js';
import type { BosEosPolicy } from '../tokenize/bos-eos-policy.js';
import type { TokenizerEngine } from '../tokenize/engine.js';
import { UserError } from '../util/errors.js';
import type { AugmentConfig } from '../config/augment-schema.js';
import type { RowSemantics } from './builder-registry.js';

/** What an augmenter may need from the build. */
export interface AugmenterContext {
  /** The build's tokenizer: UtK registers its markers on it and encodes chunk IDs with it. */
  engine: TokenizerEngine;
  /** The pipeline seed. */
  seed: number;
  /** How the builder's rows read (attention, positions). */
  semantics: RowSemantics;
  /** The BOS/EOS policy (the document delimiter of `eod-mask-loss`). */
  policy: BosEosPolicy;
  /** Config key of this augmenter (`augment[0]`), for error messages. */
  key: string;
}

/** A registered augmenter: checks its config against the build, makes it and says what it adds. */
export interface AugmenterFactory<C extends AugmentConfig = AugmentConfig> {
  /** Makes the augmenter (UtK registers its marker tokens on the engine); throws a UserError naming `ctx.key` when the config does not fit the build. */
  create(cfg: C, ctx: AugmenterContext): Augmenter;
  /** The shard columns its rows gain. */
  columns(cfg: C): Partial<ColumnSet>;
  /** Its resolved options as recorded in the manifest (defaults that depend on other keys or on the tokenizer filled in from the augmenter `made`). */
  options(cfg: C, made: Augmenter): Record<string, unknown>;
}

/** The UtK options of a `utk` config section, marker strings defaulted to the new-token names (`<|knot_1_end|>`, …; see `resolveUtkMarkers`). */
export function utkOptionsOf(cfg: Extract<AugmentConfig, { type: 'utk' }>): UtkOptions {
  const m = cfg.variants[0]?.length ?? 1;
  return {
    variantProbs: cfg.variant_probs,
    variants: cfg.variants,
    useLengthSampler: cfg.use_length_sampler,
    preservePartialOrder: cfg.preserve_partial_order,
    addSortTask: cfg.add_sort_task,
    skyworkInterleave: cfg.skywork_interleave,
    knotTokens: cfg.knot_tokens ?? defaultKnotTokens(m),
    sortTokens: cfg.sort_tokens ?? DEFAULT_SORT_TOKENS,
    maskMarkers: cfg.mask_markers,
  };
}

/** Augmenters by the `type` a config names. */
export const AUGMENTERS: { [K in AugmentConfig['type']]: AugmenterFactory<Extract<AugmentConfig, { type: K }>> } = {
  utk: {
    create(cfg, ctx) {
      const o = utkOptionsOf(cfg);
      checkUtkOptions(o, ctx.key);
      const { attention, positions } = ctx.semantics;
      if (attention !== 'causal' || positions !== 'continuous') {
        throw new UserError(
          `${ctx.key}: utk needs builder.attention "causal" and builder.positions "continuous" (the builder gives ${attention} / ${positions}): a document's chunks are separated by other documents and must see each other; set them in the builder section`,
        );
      }
      const m = resolveUtkMarkers(ctx.engine, o, { knots: cfg.knot_tokens !== undefined, sort: cfg.sort_tokens !== undefined }, cfg.markers, ctx.key);
      return new UtkAugmenter(m.options, m.ids, (texts) => ctx.engine.encodeBatch(texts), ctx.seed, m);
    },
    columns: (cfg) => (cfg.mask_markers ? { lossMask: true } : {}),
    options: (cfg, made) => {
      const m = (made as UtkAugmenter).markerInfo;
      return { ...cfg, knot_tokens: m?.options.knotTokens, sort_tokens: m?.options.sortTokens, marker_source: m?.source, marker_ids: m?.tokenIds };
    },
  },
  'eod-mask-loss': {
    create(_cfg, ctx) {
      const { bos, eos } = ctx.policy;
      if (bos === undefined && eos === undefined) {
        throw new UserError(`${ctx.key}: eod-mask-loss needs a document delimiter token but the build adds neither BOS nor EOS; set tokenizer.add_eos (or tokenizer.add_bos) to true`);
      }
      return new EodMaskLossAugmenter({ bos, eos });
    },
    columns: () => ({ lossMask: true }),
    options: (cfg) => ({ ...cfg }),
  },
};

/** The factory for an augmenter config. */
export function augmenterFactory(cfg: AugmentConfig): AugmenterFactory {
  return AUGMENTERS[cfg.type] as AugmenterFactory;
}

/** A build's augmenters, made from the config's `augment` list. */
export interface BuildAugmenters {
  augmenters: Augmenter[];
  /** The shard columns: the builder's plus what the augmenters add. */
  columns: ColumnSet;
  /** The manifest's `augment` list: per augmenter its type, resolved options and counters (read after the build). */
  manifestEntries(): Array<Record<string, unknown> & { type: string; stats: Record<string, number> }>;
}

/**
 * Makes the augmenters of `configs` in order (keys `augment[i]` in errors) and the column set
 * they write into, starting from the builder's `columns`.
 */
export function createAugmenters(configs: readonly AugmentConfig[], ctx: Omit<AugmenterContext, 'key'>, columns: ColumnSet): BuildAugmenters {
  const cols = { ...columns };
  const augmenters = configs.map((cfg, i) => {
    const f = augmenterFactory(cfg);
    const a = f.create(cfg, { ...ctx, key: `augment[${i}]` });
    for (const [k, v] of Object.entries(f.columns(cfg)) as Array<[keyof ColumnSet, boolean]>) if (v) cols[k] = true;
    return a;
  });
  return {
    augmenters,
    columns: cols,
    manifestEntries: () => configs.map((cfg, i) => ({ ...augmenterFactory(cfg).options(cfg, augmenters[i]!), type: cfg.type, stats: { ...augmenters[i]!.stats } })),
  };
}
