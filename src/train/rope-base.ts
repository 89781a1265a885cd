/**
 * Lower bounds on the RoPE base for a target context length (docs/training.md#rope-base-calculator-skein-rope-base).
 *
 * §8.1 — Liu et al. 2023 (arXiv 2310.05209), as used by Index-1.9B: with head size d, pre-training
 * length T_train and pre-training base b₀, the critical dimension is
 * `d_extra = 2·⌈(d/2)·log_b₀(T_train / 2π)⌉`, a base β supports up to `T_extra = 2π·β^(d_extra/d)`,
 * so a target T needs `β ≥ (T / 2π)^(d / d_extra)`.
 *
 * §8.2 — Men et al. 2024 (arXiv 2405.14591): `B(m; b) = Σ_{i<d/2} cos(m·b^(−2i/d))` must stay ≥ 0
 * for every relative distance m ≤ L; the bound is the smallest base on a log grid for which it does.
 * The criterion is not monotone in b, so the answer depends on the grid (±10–20 %, as the spec says).
 */

/** Result of the §8.1 extrapolation bound. */
export interface ExtrapolationBound {
  /** The critical dimension d_extra. */
  criticalDim: number;
  /** Longest context the pre-training base b₀ supports: 2π·b₀^(d_extra/d). */
  baseSupports: number;
  /** The smallest base β for the target: (T / 2π)^(d / d_extra). */
  minBase: number;
}

/** Throws a RangeError unless `v` is a positive integer. */
function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
}

/**
 * The §8.1 bound for head size `headDim`, pre-training length `trainLen` with base `base`, and a
 * `target` context. Example: d 128, T_train 4096, b₀ 1e4, target 32,768 → d_extra 92, β ≥ 1.49e5.
 */
export function extrapolationBound(headDim: number, trainLen: number, base: number, target: number): ExtrapolationBound {
  positiveInt('head dim', headDim);
  positiveInt('train length', trainLen);
  positiveInt('target length', target);
  if (headDim % 2 !== 0) throw new RangeError(`head dim must be even, got ${headDim}`);
  if (!(base > 1)) throw new RangeError(`base must be > 1, got ${base}`);
  if (trainLen <= 2 * Math.PI) throw new RangeError(`train length must exceed 2π, got ${trainLen}`);
  const criticalDim = 2 * Math.ceil((headDim / 2) * (Math.log(trainLen / (2 * Math.PI)) / Math.log(base)));
  return {
    criticalDim,
    baseSupports: 2 * Math.PI * Math.pow(base, criticalDim / headDim),
    minBase: Math.pow(target / (2 * Math.PI), headDim / criticalDim),
  };
}

/** B(m; b) = Σ_{i=0}^{d/2−1} cos(m·θ_i) for the inverse frequencies θ of base b. */
export function ropeBias(m: number, invFreq: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < invFreq.length; i++) s += Math.cos(m * invFreq[i]!);
  return s;
}

/** Whether B(m; base) ≥ 0 for every integer m in [0, length]. */
export function biasStaysNonNegative(headDim: number, base: number, length: number): boolean {
  const half = headDim / 2;
  const invFreq = new Float64Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = Math.pow(base, (-2 * i) / headDim);
  for (let m = 1; m <= length; m++) if (ropeBias(m, invFreq) < 0) return false;
  return true;
}

/** Options of {@link longContextBound}. */
export interface LongContextBoundOptions {
  /** Grid points per decade of the base (default 100, i.e. steps of 2.3 %). */
  perDecade?: number;
  /** Smallest base tried (default 100). */
  from?: number;
  /** Largest base tried (default 1e12); the bound is Infinity when none up to it passes. */
  to?: number;
}

/** Result of the §8.2 bound on a log grid of bases. */
export interface LongContextBound {
  /** The smallest grid base b with B(m; b) ≥ 0 for all m ≤ L: the bound as the paper states it. */
  firstPassing: number;
  /**
   * The smallest grid base from which every grid base up to 10 × `firstPassing` passes too. The
   * criterion is not monotone in b (bases just above `firstPassing` can fail again), so this is
   * the safer choice.
   */
  stable: number;
}

/**
 * The §8.2 bound: scans bases on a log grid (`perDecade` points per decade from `from`) for the
 * smallest b such that B(m; b) ≥ 0 for every integer m ≤ `length`, then for the base from which
 * it holds for the whole grid up to 10× that. d 128, 4K → first 2.9e4 (spec: 2.7e4–3.0e4).
 */
export function longContextBound(headDim: number, length: number, opts: LongContextBoundOptions = {}): LongContextBound {
  positiveInt('head dim', headDim);
  positiveInt('length', length);
  if (headDim % 2 !== 0) throw new RangeError(`head dim must be even, got ${headDim}`);
  const perDecade = opts.perDecade ?? 100;
  const from = opts.from ?? 100;
  const to = opts.to ?? 1e12;
  const grid = (k: number) => from * Math.pow(10, k / perDecade);
  let k = 0;
  while (grid(k) <= to && !biasStaysNonNegative(headDim, grid(k), length)) k++;
  if (grid(k) > to) return { firstPassing: Infinity, stable: Infinity };
  const firstPassing = grid(k);
  let stable = firstPassing;
  for (let j = k + 1; j <= k + perDecade; j++) {
    if (!biasStaysNonNegative(headDim, grid(j), length)) stable = grid(j + 1);
  }
  return { firstPassing, stable };
}
