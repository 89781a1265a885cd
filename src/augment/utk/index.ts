/** UtK (Untie the Knots, docs/recipes.md#utk) as a row augmenter. */
export { assembleRow, truncateRow, type AssembledRow, type UtkMarkerIds } from './assemble.js';
export { ID_ALPHABET, ID_LENGTH, randomChunkId, type SortMarkerIds } from './backtrace.js';
export { cutPoints, drawChunkCount } from './chunking.js';
export { checkUtkOptions, defaultKnotTokens, DEFAULT_SORT_TOKENS, DEFAULT_VARIANT_PROBS, DEFAULT_VARIANTS, maxChunks, type UtkOptions } from './config.js';
export { maskUtkMarkers } from './loss-mask.js';
export { interleaveChunks, shuffleChunks, type Placement } from './placement.js';
export { isChunked, planRow, usedIds, type UtkPlan } from './plan.js';
export { RESERVED_TOKEN_PATTERNS, reservedSpecialTokens, resolveUtkMarkers, type NamedMarkers, type UtkMarkerChoice, type UtkMarkers, type UtkMarkerSource } from './markers.js';
export { applyPlan, UtkAugmenter, type IdEncoder, type UtkStats } from './utk-augmenter.js';
export { resolveUtkOptions, utk, type UtkStageOptions } from './utk-stage.js';
