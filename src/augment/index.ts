/** Augmenters (docs/architecture.md#builders-and-augmenters): row transforms applied after the builder. */
export { augmentStage, lossMaskOf, type Augmenter, type AugmentStageOptions } from './augmenter.js';
export { EodMaskLossAugmenter, maskDocumentBoundaries, type DocumentDelimiter } from './eod-mask-loss.js';
export * from './utk/index.js';
