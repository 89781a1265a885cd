import seedrandom from 'seedrandom';

/**
 * A seeded random number generator for one decision context. skein never uses Math.random:
 * every random choice draws from an Rng made by {@link rngFor} from (pipeline seed, stage name,
 * stable key), so results do not depend on worker counts, batch sizes or interruptions
 * (docs/architecture.md#determinism). Backed by seedrandom's `alea` (fast to seed, ~120M numbers/s).
 */
export interface Rng {
  /** A float in [0, 1). */
  float(): number;
  /** An integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number;
  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  weighted(weights: readonly number[]): number;
  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T>(a: T[]): T[];
  /** `k` distinct integers from [0, n), in the order drawn (Floyd's algorithm, O(k) memory). */
  sample(n: number, k: number): number[];
}

/** The Rng of one decision context: (pipeline seed, stage, stable key such as a document id or a sample ordinal). */
export function rngFor(seed: number, stage: string, key: string | number): Rng {
  return makeRng(seedrandom.alea(`${seed}\u0000${stage}\u0000${key}`));
}

/** Wraps a [0,1) generator with the {@link Rng} helpers. */
function makeRng(next: () => number): Rng {
  const int = (lo: number, hi: number): number => {
    if (!(hi >= lo)) throw new RangeError(`Rng.int: empty range [${lo}, ${hi}]`);
    return lo + Math.floor(next() * (hi - lo + 1));
  };
  return {
    float: next,
    int,
    weighted(weights) {
      let total = 0;
      for (const w of weights) {
        if (!(w >= 0)) throw new RangeError(`Rng.weighted: negative or NaN weight ${w}`);
        total += w;
      }
      if (total <= 0) throw new RangeError('Rng.weighted: all weights are zero');
      let x = next() * total;
      for (let i = 0; i < weights.length; i++) {
        x -= weights[i]!;
        if (x < 0) return i;
      }
      for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
      return weights.length - 1;
    },
    shuffle(a) {
      for (let i = a.length - 1; i > 0; i--) {
        const j = int(0, i);
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
      }
      return a;
    },
    sample(n, k) {
      if (k > n || k < 0) throw new RangeError(`Rng.sample: cannot draw ${k} of ${n}`);
      // Floyd: for j in n-k..n-1 pick t in [0, j]; take t unless taken, else j.
      const taken = new Set<number>();
      const out: number[] = [];
      for (let j = n - k; j < n; j++) {
        const t = int(0, j);
        const v = taken.has(t) ? j : t;
        taken.add(v);
        out.push(v);
      }
      return out;
    },
  };
}
