import { UserError } from '../../util/errors.js';

/**
 * Resolved options of the UtK augmenter (docs/recipes.md#utk and docs/configuration.md#utk-untie-the-knots-see-recipesmd; field names follow the reference's
 * `GPTDatasetUtKConfig`). The pipeline config spells them in snake_case (`variant_probs`, …).
 */
export interface UtkOptions {
  /** Probability of each chunking variant; one variant is drawn per row (`chunk_probs_cfg[0]`). */
  variantProbs: number[];
  /**
   * The variants (`chunk_probs_cfg[1]`): each is a categorical over "number of chunks − 1",
   * drawn per document. All have the same length `m`, the most chunks a document can get.
   */
  variants: number[][];
  /** Random-length chunks (split points drawn without replacement) instead of equal ones. */
  useLengthSampler: boolean;
  /** Keep each document's chunks in their original relative order in the shuffled row. */
  preservePartialOrder: boolean;
  /** Backtracing: chunk-ID headers and per-document ID summaries. */
  addSortTask: boolean;
  /** The round-robin baseline: chunk 0 of every document, then chunk 1, …; no markers, no IDs. */
  skyworkInterleave: boolean;
  /** Knot marker strings `[end_1, start_1, end_2, start_2, …]`, `2·(m − 1)` of them. */
  knotTokens: string[];
  /** The five backtracing marker strings `<D>, </D>, <S>, <s>, </S>`. */
  sortTokens: [string, string, string, string, string];
  /** Apply §1.5's loss masking of knots and headers (the reference does it under `eod_mask_loss`). */
  maskMarkers: boolean;
}

/** Default backtracing markers: the paper's `<D> </D> <S> <s> </S>` inside `<|…|>` so that no tokenizer already has them. */
export const DEFAULT_SORT_TOKENS: [string, string, string, string, string] = ['<|D|>', '<|/D|>', '<|S|>', '<|s|>', '<|/S|>'];

/** The paper-like defaults (the UtK slides, docs/recipes.md#utk: 80 % UtK probability, 2–3 chunks per document). */
export const DEFAULT_VARIANT_PROBS = [0.2, 0.8];
/** See {@link DEFAULT_VARIANT_PROBS}: variant 0 = no chunking, variant 1 = 2 or 3 chunks, evenly. */
export const DEFAULT_VARIANTS = [
  [1, 0, 0],
  [0, 0.5, 0.5],
];

/** Default knot markers for documents of up to `maxChunks` chunks: `<|knot_1_end|>, <|knot_1_start|>, <|knot_2_end|>, …`. */
export function defaultKnotTokens(maxChunks: number): string[] {
  const out: string[] = [];
  for (let k = 1; k < maxChunks; k++) out.push(`<|knot_${k}_end|>`, `<|knot_${k}_start|>`);
  return out;
}

/** The most chunks a document can be cut into under `opts` (the variants' common length). */
export function maxChunks(opts: Pick<UtkOptions, 'variants'>): number {
  return opts.variants[0]?.length ?? 1;
}

/** Throws a {@link UserError} naming `key` unless `weights` is a usable categorical. */
function checkWeights(weights: readonly number[], key: string): void {
  if (weights.length === 0) throw new UserError(`${key} is empty; give at least one probability`);
  for (let i = 0; i < weights.length; i++) {
    if (!(Number.isFinite(weights[i]) && weights[i]! >= 0)) throw new UserError(`${key}[${i}] = ${weights[i]} is not a non-negative number; fix the probability`);
  }
  if (!(weights.reduce((a, b) => a + b, 0) > 0)) throw new UserError(`${key} sums to 0; give some probability mass`);
}

/**
 * Checks options the schema cannot check alone and throws a {@link UserError} naming the key
 * under `key` (e.g. `augment[0]`): variants of one length, one probability per variant, the knot
 * count `2·(m − 1)`, five sort markers, all markers distinct, and backtracing not combined with
 * the interleave baseline (which emits no IDs).
 */
export function checkUtkOptions(o: UtkOptions, key = 'utk'): void {
  checkWeights(o.variantProbs, `${key}.variant_probs`);
  if (o.variants.length !== o.variantProbs.length) {
    throw new UserError(`${key}.variants has ${o.variants.length} variants but variant_probs has ${o.variantProbs.length} probabilities; give one probability per variant`);
  }
  const m = maxChunks(o);
  o.variants.forEach((v, i) => {
    if (v.length !== m) throw new UserError(`${key}.variants[${i}] has ${v.length} entries but variants[0] has ${m}; give every variant one probability per chunk count (1…${m})`);
    checkWeights(v, `${key}.variants[${i}]`);
  });
  if (o.knotTokens.length !== 2 * (m - 1)) {
    throw new UserError(`${key}.knot_tokens has ${o.knotTokens.length} strings, expected ${2 * (m - 1)} = 2·(${m} − 1) for documents of up to ${m} chunks ([end_1, start_1, end_2, start_2, …]); fix the list or omit it for the defaults`);
  }
  if (o.sortTokens.length !== 5) throw new UserError(`${key}.sort_tokens must hold 5 strings (<D>, </D>, <S>, <s>, </S>)`);
  const seen = new Map<string, string>();
  const markers: Array<[string, string]> = [...o.knotTokens.map((t, i): [string, string] => [t, `knot_tokens[${i}]`])];
  if (o.addSortTask) markers.push(...o.sortTokens.map((t, i): [string, string] => [t, `sort_tokens[${i}]`]));
  for (const [t, where] of markers) {
    if (t.length === 0) throw new UserError(`${key}.${where} is empty; give a marker string`);
    const prev = seen.get(t);
    if (prev) throw new UserError(`${key}.${where} repeats ${prev} (${JSON.stringify(t)}); every marker must be a distinct string`);
    seen.set(t, where);
  }
  if (o.skyworkInterleave && o.addSortTask) {
    throw new UserError(`${key}: skywork_interleave emits no chunk IDs or summaries, so add_sort_task has no effect; set add_sort_task to false`);
  }
}
