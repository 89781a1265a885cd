import type { Transform } from 'node:stream';
import type { TokenizerEngine } from '../../tokenize/engine.js';
import { augmentStage } from '../augmenter.js';
import { checkUtkOptions, defaultKnotTokens, DEFAULT_SORT_TOKENS, DEFAULT_VARIANT_PROBS, DEFAULT_VARIANTS, type UtkOptions } from './config.js';
import { registerUtkMarkers } from './markers.js';
import { UtkAugmenter } from './utk-augmenter.js';

/** Options of the {@link utk} stage: any {@link UtkOptions} (the rest default to the paper's method) and the seed. */
export type UtkStageOptions = Partial<UtkOptions> & {
  /** Pipeline seed (default 0). */
  seed?: number;
  /** Ordinal of the first row (default 0). */
  firstOrdinal?: number;
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
 * (design.md §1: `import { utk } from 'skein'`). Registers the markers on `engine` (so decode
 * and the manifest know them) and encodes chunk IDs with it.
 */
export function utk(engine: TokenizerEngine, opts: UtkStageOptions = {}): Transform {
  const o = resolveUtkOptions(opts);
  checkUtkOptions(o);
  const markers = registerUtkMarkers(engine, o);
  const aug = new UtkAugmenter(o, markers, (texts) => engine.encodeBatch(texts), opts.seed ?? 0);
  return augmentStage([aug], { firstOrdinal: opts.firstOrdinal, lossMask: o.maskMarkers });
}
