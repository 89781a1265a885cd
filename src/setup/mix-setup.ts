import { Mixer } from '../mix/mixer.js';
import { resolveMixture } from '../mix/mixture.js';
import { RowOrder } from '../mix/row-order.js';
import type { ManifestSubset } from '../shards/manifest.js';
import type { PipelineConfig } from '../config/config-schema.js';
import type { SubsetChoice } from '../input-plan/subset-scan.js';

/** The mixer of a build's `mix` section; `fraction` is the rank's share of the budgets. */
export function mixerFor(config: PipelineConfig, fraction: number): Mixer {
  const m = config.mix;
  return new Mixer({
    mode: m.mode,
    seed: config.seed,
    totalTokens: m.total_tokens,
    shares: m.mode === 'per_source' ? resolveMixture(m.weights!) : undefined,
    shortThreshold: m.short_threshold,
    shortKeep: m.short_keep,
    length: m.length,
    charsPerToken: m.chars_per_token,
    budgetFraction: fraction,
  });
}

/** The row order of a build's `order` section. */
export function rowOrderFor(config: PipelineConfig): RowOrder {
  return new RowOrder({ seed: config.seed, shuffleBuffer: config.order.shuffle_buffer, groupByLength: config.order.group_by_length, lengthKey: config.order.length_key });
}

/** The manifest's `subsets` section: per `[N]` input, what was asked, what exists, what this build read. */
export function subsetsSection(subsets: ReadonlyMap<number, SubsetChoice>, selected: Readonly<Record<string, number>>): Record<string, ManifestSubset> | undefined {
  if (subsets.size === 0) return undefined;
  const out: Record<string, ManifestSubset> = {};
  for (const [index, c] of subsets) out[String(index)] = { requested: c.n, available: c.available, eligible: c.eligible, selected: selected[String(index)] ?? 0 };
  return out;
}
