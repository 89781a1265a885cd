/**
 * One optimizer step: gradients of every micro-batch (gradient accumulation), global-norm
 * clipping, AdamW. The loss of each micro-batch is its Σ weight·NLL divided by the target count of
 * the whole step, so the accumulated gradient equals the gradient of the mean loss over all the
 * step's targets, whatever the split into micro-batches.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamW } from './adamw.js';
import { disposeInputs, modelInputs, weightedLoss, type Model } from './model.js';
import { sumScalars } from './ops.js';
import type { HostBatch } from './windows.js';

/** What one optimizer step measured. */
export interface StepResult {
  /** Mean NLL over the step's targets. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Real tokens processed. */
  tokens: number;
  /** Targets counted in the loss. */
  targets: number;
}

/**
 * Runs one optimizer step over `micro` (the micro-batches of the step) with learning rate `lr`
 * and clipping at global norm `clip` (0 = no clipping). Reads results with async `data()` only
 * (WebGPU in Node cannot read synchronously: docs/training.md#backends).
 */
export async function trainStep(model: Model, opt: AdamW, micro: readonly HostBatch[], lr: number, clip: number): Promise<StepResult> {
  const targets = micro.reduce((a, b) => a + b.targets, 0);
  const tokens = micro.reduce((a, b) => a + b.tokens, 0);
  const vars = [...model.params.values()];
  const acc = new Map<string, tf.Tensor>();
  let lossSum: tf.Tensor | null = null;
  for (const b of micro) {
    const inp = modelInputs(model, b);
    const labels = tf.tensor1d(b.labels, 'int32');
    const weights = tf.tensor1d(b.weights, 'float32');
    try {
      const { value, grads } = tf.variableGrads(() => weightedLoss(model, inp, labels, weights, targets), vars);
      for (const [name, p] of model.params) {
        const g = grads[p.name];
        if (!g) throw new Error(`no gradient for parameter ${name}`);
        const prev = acc.get(name);
        acc.set(name, prev ? tf.add(prev, g) : g);
        if (prev) {
          prev.dispose();
          g.dispose();
        }
      }
      const prevLoss: tf.Tensor | null = lossSum;
      lossSum = prevLoss ? tf.add(prevLoss, value) : value;
      if (prevLoss) {
        prevLoss.dispose();
        value.dispose();
      }
    } finally {
      disposeInputs(inp);
      labels.dispose();
      weights.dispose();
    }
  }
  const norm = tf.tidy(() => tf.sqrt(sumScalars([...acc.values()].map((g) => tf.sum(tf.square(g))))));
  const clipped = new Map<string, tf.Tensor>();
  tf.tidy(() => {
    const factor = clip > 0 ? tf.minimum(1, tf.div(clip, tf.add(norm, 1e-6))) : tf.scalar(1);
    for (const [name, g] of acc) clipped.set(name, tf.keep(tf.mul(g, factor)));
  });
  try {
    opt.apply(clipped, lr);
    const [loss, gradNorm] = await Promise.all([lossSum!.data(), norm.data()]);
    return { loss: loss[0]!, gradNorm: gradNorm[0]!, tokens, targets };
  } finally {
    for (const t of [...acc.values(), ...clipped.values(), norm, lossSum!]) t.dispose();
  }
}
