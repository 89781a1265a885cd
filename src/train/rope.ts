/**
 * RoPE frequencies and angle tables, computed in float64 on the host from per-token position ids.
 *
 * The tables are uploaded as float32 `cos`/`sin` of shape [B, 1, T, headDim] in the rotate-half
 * (GPT-NeoX / Llama) layout: entry j and j + headDim/2 share frequency j. Computing the angle
 * `position × inv_freq` in float64 keeps RoPE exactly relative for large positions (a float32
 * product drifts by ~1e-4 rad at position 10⁵).
 */
import type { RopeConfig } from './config.js';

/** The inverse frequencies of one head (length headDim/2) and the attention factor to apply to cos/sin. */
export interface RopeFrequencies {
  invFreq: Float64Array;
  /** YaRN's temperature 0.1·ln(s) + 1 (1 for the other scalings); multiplies cos and sin. */
  attentionFactor: number;
}

/** θ_j = base^(−2j/d) for j = 0 … d/2 − 1. */
function plainInvFreq(base: number, dim: number): Float64Array {
  const out = new Float64Array(dim / 2);
  for (let j = 0; j < dim / 2; j++) out[j] = 1 / Math.pow(base, (2 * j) / dim);
  return out;
}

/** YaRN's correction dimension for a number of rotations over the original context (Hugging Face `find_correction_dim`). */
function correctionDim(rotations: number, dim: number, base: number, originalContext: number): number {
  return (dim * Math.log(originalContext / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
}

/**
 * The inverse frequencies for a head of size `dim` under the RoPE settings:
 * - `none`: θ_j = base^(−2j/d);
 * - `linear` (PI, Chen et al. 2023): θ_j / s, i.e. positions divided by s;
 * - `ntk` (NTK-aware, static): base' = base · s^(d/(d−2));
 * - `yarn` (Peng et al. 2023, Hugging Face `_compute_yarn_parameters` with truncation):
 *   θ_j blended between θ_j / s (interpolation) and θ_j (extrapolation) by a linear ramp over the
 *   dimensions between the correction dims of β_fast and β_slow; attention factor 0.1·ln(s) + 1.
 */
export function ropeFrequencies(rope: RopeConfig, dim: number): RopeFrequencies {
  const s = rope.factor;
  switch (rope.scaling) {
    case 'none':
      return { invFreq: plainInvFreq(rope.base, dim), attentionFactor: 1 };
    case 'linear':
      return { invFreq: plainInvFreq(rope.base, dim).map((f) => f / s), attentionFactor: 1 };
    case 'ntk':
      return { invFreq: plainInvFreq(rope.base * Math.pow(s, dim / (dim - 2)), dim), attentionFactor: 1 };
    case 'yarn': {
      const extrapolation = plainInvFreq(rope.base, dim);
      const half = dim / 2;
      const low = Math.max(Math.floor(correctionDim(rope.betaFast, dim, rope.base, rope.originalContext)), 0);
      let high = Math.min(Math.ceil(correctionDim(rope.betaSlow, dim, rope.base, rope.originalContext)), dim - 1);
      if (low === high) high += 0.001;
      const invFreq = new Float64Array(half);
      for (let j = 0; j < half; j++) {
        const ramp = Math.min(1, Math.max(0, (j - low) / (high - low)));
        const extrapolate = 1 - ramp; // 1: keep θ_j (high frequencies), 0: interpolate θ_j / s
        invFreq[j] = (extrapolation[j]! / s) * (1 - extrapolate) + extrapolation[j]! * extrapolate;
      }
      return { invFreq, attentionFactor: s <= 1 ? 1 : 0.1 * Math.log(s) + 1 };
    }
  }
}

/**
 * cos and sin tables for `positions` (B × T values, row-major) as flat float32 arrays of shape
 * [B, 1, T, dim], rotate-half layout, multiplied by the attention factor.
 */
export function ropeTables(positions: Int32Array, freqs: RopeFrequencies, dim: number): { cos: Float32Array; sin: Float32Array } {
  const half = dim / 2;
  const n = positions.length;
  const cos = new Float32Array(n * dim);
  const sin = new Float32Array(n * dim);
  const a = freqs.attentionFactor;
  for (let t = 0; t < n; t++) {
    const p = positions[t]!;
    const o = t * dim;
    for (let j = 0; j < half; j++) {
      const angle = p * freqs.invFreq[j]!;
      const c = Math.cos(angle) * a;
      const s = Math.sin(angle) * a;
      cos[o + j] = c;
      cos[o + half + j] = c;
      sin[o + j] = s;
      sin[o + half + j] = s;
    }
  }
  return { cos, sin };
}

/**
 * The [dim, dim] matrix R with x·R = rotate_half(x) = concat(−x₂, x₁), flat row-major. RoPE then
 * needs only elementwise ops and one small matmul, no slice/concat (whose kernels and gradients
 * are slow on the cpu and wasm backends: docs/training.md#backends).
 */
export function rotateHalfMatrix(dim: number): Float32Array {
  const half = dim / 2;
  const r = new Float32Array(dim * dim);
  for (let i = 0; i < half; i++) {
    r[(i + half) * dim + i] = -1; // out[i] = −x[i + half]
    r[i * dim + (i + half)] = 1; // out[i + half] = x[i]
  }
  return r;
}
