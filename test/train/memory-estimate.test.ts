import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../../src/train/adamw.js';
import { selectBackend } from '../../src/train/backend.js';
import type { ModelConfig } from '../../src/train/config.js';
import { checkTrainMemory, trainStepBytes, WASM_BUDGET_BYTES } from '../../src/train/memory-estimate.js';
import { disposeModel, initModel } from '../../src/train/model.js';
import { trainStep } from '../../src/train/train-step.js';
import { UserError } from '../../src/util/errors.js';

const rope = { base: 10000, scaling: 'none' as const, factor: 1, originalContext: 128, betaFast: 32, betaSlow: 1 };
const config = (vocabSize: number, dModel: number, nLayers: number): ModelConfig => ({ vocabSize, dModel, nLayers, nHeads: 4, ffMult: 4, normEps: 1e-6, rope });

/** Peak tensor bytes tfjs reports for one training step (after a warm-up step). */
async function measuredPeak(c: ModelConfig, B: number, T: number): Promise<number> {
  const m = initModel(c, 0);
  const opt = new AdamW(m.params, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 });
  const n = B * T;
  const batch = {
    batch: B,
    seqLen: T,
    inputIds: Int32Array.from({ length: n }, (_, i) => (i * 31) % c.vocabSize),
    positions: Int32Array.from({ length: n }, (_, i) => i % T),
    segments: new Int32Array(n),
    labels: Int32Array.from({ length: n }, (_, i) => (i * 7) % c.vocabSize),
    weights: new Float32Array(n).fill(1),
    tokens: n,
    targets: n,
  };
  try {
    await trainStep(m, opt, [batch], 1e-3, 1);
    const p = await tf.profile(async () => {
      await trainStep(m, opt, [batch], 1e-3, 1);
    });
    return p.peakBytes;
  } finally {
    disposeModel(m);
    opt.dispose();
  }
}

test('the step-memory estimate covers the peak tfjs measures on wasm and is within 1.5× of it', async (t) => {
  await selectBackend('wasm');
  for (const [c, B, T] of [
    [config(8192, 64, 2), 8, 128],
    [config(2048, 64, 2), 4, 384],
  ] as const) {
    const peak = await measuredPeak(c, B, T);
    const est = trainStepBytes(c, B, T);
    t.diagnostic(`V ${c.vocabSize} d ${c.dModel} B ${B} T ${T}: measured ${(peak / 1e6).toFixed(0)} MB, estimated ${(est / 1e6).toFixed(0)} MB`);
    assert.ok(est >= peak, `estimate ${est} below the measured peak ${peak}`);
    assert.ok(est <= 1.5 * peak, `estimate ${est} more than 1.5× the measured peak ${peak}`);
  }
});

test('checkTrainMemory: refuses a step over the wasm budget, names a batch size that fits (and the next one up does not)', () => {
  const c = config(128256, 64, 2);
  assert.throws(
    () => checkTrainMemory(c, { batchSize: 8, seqLen: 128 }, 'wasm'),
    (e: unknown) => {
      const m = (e as Error).message;
      const fits = Number(/--batch-size (\d+)/.exec(m)?.[1]);
      return e instanceof UserError && !m.includes('\n') && /the logits alone are 8 × 128 × 128256 values/.test(m) && trainStepBytes(c, fits, 128) <= WASM_BUDGET_BYTES && trainStepBytes(c, fits + 1, 128) > WASM_BUDGET_BYTES;
    },
  );
  assert.doesNotThrow(() => checkTrainMemory(c, { batchSize: 1, seqLen: 128 }, 'wasm'));
  assert.doesNotThrow(() => checkTrainMemory(c, { batchSize: 8, seqLen: 128 }, 'webgpu'), 'no known limit on WebGPU');
});
