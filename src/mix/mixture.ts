import { UserError } from '../util/errors.js';

/**
 * SlimPajama's source shares by `meta.redpajama_set_name`: the constant `SLIMPAJAMA_ORIGINAL_MIX`
 * of Fu et al.'s `utils.py` (docs/recipes.md#lceg--fu-et-al-per-source-upsampling), which their `per_source` mode uses as budgets.
 * The shares sum to 1 (to 8 digits).
 */
export const SLIMPAJAMA_MIX: Readonly<Record<string, number>> = Object.freeze({
  RedPajamaCommonCrawl: 0.53374772,
  RedPajamaC4: 0.26609933,
  RedPajamaGithub: 0.05004782,
  RedPajamaArXiv: 0.04290379,
  RedPajamaBook: 0.0414836,
  RedPajamaWikipedia: 0.03402128,
  RedPajamaStackExchange: 0.03169647,
});

/** Mixture tables known by name (the value of `mix.weights` when it is a string). */
export const BUILTIN_MIXTURES: Readonly<Record<string, Readonly<Record<string, number>>>> = Object.freeze({
  slimpajama: SLIMPAJAMA_MIX,
});

/**
 * Resolves a mixture: a built-in table by name, or a table of non-negative weights by source
 * name, normalised so the shares sum to 1. Sources with weight 0 are kept (they get no budget,
 * so their documents are dropped). Throws {@link UserError} for an unknown name or an all-zero
 * table.
 */
export function resolveMixture(weights: string | Readonly<Record<string, number>>): Record<string, number> {
  let table: Readonly<Record<string, number>>;
  if (typeof weights === 'string') {
    const t = Object.hasOwn(BUILTIN_MIXTURES, weights) ? BUILTIN_MIXTURES[weights] : undefined;
    if (!t) throw new UserError(`unknown mixture '${weights}' in mix.weights; use one of ${Object.keys(BUILTIN_MIXTURES).join(', ')} or a table {"source": weight}`);
    table = t;
  } else table = weights;
  const entries = Object.entries(table);
  let total = 0;
  for (const [name, w] of entries) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new UserError(`mix.weights.${name} must be a non-negative number, got ${w}`);
    total += w;
  }
  if (entries.length === 0 || total <= 0) throw new UserError('mix.weights gives no source a positive weight; give at least one source a weight above 0');
  return Object.fromEntries(entries.map(([name, w]) => [name, w / total]));
}
