import type { Transform } from 'node:stream';
import type { TokenizerEngine } from '../../tokenize/engine.js';
import { augmentStage } from '../augmenter.js';
import { checkUtkOptions, defaultKnotTokens, DEFAULT_SORT_TOKENS, DEFAULT_VARIANT_PROBS, DEFAULT_VARIANTS, type UtkOptions } from './config.js';
import { resolveUtkMarkers, type UtkMarkerChoice } from './markers.js';
import { UtkAugmenter } from './utk-augmenter.js';

/** Options of the {@link utk} stage: any {@link UtkOptions} (the rest default to the paper's method) and the seed. */
export type UtkStageOptions = Partial<UtkOptions> & {
  /** Pipeline seed (default 0). */
  seed?: number;
  /** Ordinal of the first row (default 0). */
  firstOrdinal?: number;
  /** Ids of the markers not given in `knotTokens` / `sortTokens` (default `auto`: reserved special tokens when the tokenizer has enough). */
  markers?: UtkMarkerChoice;
};

/** UtK options with the paper-like defaults filled in (80 % of rows, 2–3 random-length chunks, order kept, backtracing). */
export function resolveUtkOptions(o: Partial<UtkOptions> = {}): UtkOptions {
  const variants = o.variants ?? DEFAULT_VARIANTS;
  return {
    variantProbs: o.variantProbs ?? DEFAULT_VARIANT_PROBS,
    variants,
    useLengthSampler: o.useLengthSampler ?? true,
    preservePartialOrder: o.preservePartialOrder ?? true,
    addSortTask: o.addSortTask ?? true,
    skyworkInterleave: o.skyworkInterleave ?? false,
    knotTokens: o.knotTokens ?? defaultKnotTokens(variants[0]?.length ?? 1),
    sortTokens: o.sortTokens ?? DEFAULT_SORT_TOKENS,
    maskMarkers: o.maskMarkers ?? true,
  };
}

/**
 * UtK as a Node Transform (Sample → Sample) for use with `stream.pipeline` after a builder
 * (`import { utk } from 'skein'`). Resolves the markers on `engine` (reserved special tokens, or
 * new ids registered as added tokens so that decode and the manifest know them; see
 * `resolveUtkMarkers`) and encodes chunk IDs with it.
 */
export function utk(engine: TokenizerEngine, opts: UtkStageOptions = {}): Transform {
  const o = resolveUtkOptions(opts);
  checkUtkOptions(o);
  const m = resolveUtkMarkers(engine, o, { knots: opts.knotTokens !== undefined, sort: opts.sortTokens !== undefined }, opts.markers);
  const aug = new UtkAugmenter(m.options, m.ids, (texts) => engine.encodeBatch(texts), opts.seed ?? 0, m);
  return augmentStage([aug], { firstOrdinal: opts.firstOrdinal, lossMask: o.maskMarkers });
}
