import type { Rng } from '../../util/rng.js';

/**
 * Draws how many chunks a document is cut into: `1 + k` where `k` is drawn from the row's
 * variant, a categorical over "number of chunks − 1" (docs/recipes.md#utk).
 */
export function drawChunkCount(variant: readonly number[], rng: Rng): number {
  return 1 + rng.weighted(variant);
}

/**
 * The cut offsets that split a document of `length` tokens into `n` chunks (the UtK reference's cut rule, docs/recipes.md#utk):
 * none when `length < n` (too short: one chunk); with the length sampler, `n − 1` distinct offsets
 * drawn uniformly from `1 … length − 1` and sorted (random-length chunks); otherwise
 * `⌊length/n⌋·k` for `k = 1 … n − 1` (sizes `⌊length/n⌋, …, remainder`). Every chunk is non-empty.
 *
 * Not reproduced: the reference's special `n == 4` "hop4" mode (a cut every 1024 tokens with
 * numbered markers); here every `n` means `n` chunks.
 */
export function cutPoints(length: number, n: number, useLengthSampler: boolean, rng: Rng): number[] {
  if (n <= 1 || length < n) return [];
  if (useLengthSampler) return rng.sample(length - 1, n - 1).map((x) => x + 1).sort((a, b) => a - b);
  const size = Math.floor(length / n);
  const out: number[] = [];
  for (let k = 1; k < n; k++) out.push(size * k);
  return out;
}
