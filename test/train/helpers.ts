import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../src/train/config.js';
import { initModel, type Model } from '../../src/train/model.js';

/** A tiny model config for property tests (head size 8). */
export function tinyConfig(over: Partial<ModelConfig> = {}): ModelConfig {
  return {
    vocabSize: 48,
    dModel: 32,
    nLayers: 2,
    nHeads: 4,
    ffMult: 2,
    normEps: 1e-6,
    rope: { base: 10000, scaling: 'none', factor: 1, originalContext: 64, betaFast: 32, betaSlow: 1 },
    ...over,
  };
}

/** A model whose matrices are scaled by `scale` (std 0.02·scale): attention and positions then matter visibly. */
export function sensitiveModel(config: ModelConfig, seed = 3, scale = 15): Model {
  const m = initModel(config, seed);
  for (const v of m.params.values()) if (v.rank === 2) v.assign(tf.mul(v, scale));
  return m;
}

/** Largest |a − b| over the rows of [T, V] logits whose index satisfies `pick`. */
export function maxDiff(a: Float32Array, b: Float32Array, V: number, pick: (t: number) => boolean): number {
  let m = 0;
  for (let t = 0; t < a.length / V; t++) {
    if (!pick(t)) continue;
    for (let v = 0; v < V; v++) m = Math.max(m, Math.abs(a[t * V + v]! - b[t * V + v]!));
  }
  return m;
}
