/**
 * Mix: which documents a build keeps (token budgets per source, Fu et al.'s short-document
 * downsampling, `[N]` subsets) and how rows are ordered (shuffle buffer, group_by_length).
 */
export { BUILTIN_MIXTURES, resolveMixture, SLIMPAJAMA_MIX } from './mixture.js';
export { codePoints, Mixer } from './mixer.js';
export type { MixCandidate, MixDecision, MixDropReason, MixerOptions, MixerState, MixLength, MixMode, MixReport, MixReportSource, MixSourceCounters } from './mixer.js';
export { compareRank, inSubset, parseSubsetSuffix, SmallestRanks, subsetRank } from './subset.js';
export type { SubsetRank } from './subset.js';
export { orderStage, RowOrder, rowLength } from './row-order.js';
export type { LengthKey, RowOrderOptions, RowOrderState } from './row-order.js';
