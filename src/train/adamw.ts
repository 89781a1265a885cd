/**
 * AdamW (Loshchilov & Hutter: Adam with decoupled weight decay), written out because tfjs's Adam
 * has no weight decay and keeps its state where it cannot be saved by parameter name.
 *
 * Per parameter p with gradient g at step t (1-based):
 *   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,
 *   p ← p − lr · ( (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε) + λ·p )
 * with λ applied to matrices only (norm gains are not decayed). The state (t, m, v) is plain
 * tensors by parameter name, so a checkpoint restores it exactly.
 */
import * as tf from '@tensorflow/tfjs';

/** AdamW hyper-parameters. */
export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** AdamW over a fixed, ordered set of named variables. */
export class AdamW {
  /** Optimizer steps taken. */
  step = 0;
  /** First and second moments by parameter name. */
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();

  constructor(
    readonly params: Map<string, tf.Variable>,
    readonly opts: AdamWOptions,
  ) {
    for (const [name, p] of params) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false, `${p.name}/adam_m`));
      this.v.set(name, tf.variable(tf.zerosLike(p), false, `${p.name}/adam_v`));
    }
  }

  /** Applies one update with learning rate `lr`; `grads` by parameter name (every parameter needs one). */
  apply(grads: Map<string, tf.Tensor>, lr: number): void {
    this.step++;
    const { beta1, beta2, eps, weightDecay } = this.opts;
    const bc1 = 1 - Math.pow(beta1, this.step);
    const bc2 = 1 - Math.pow(beta2, this.step);
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads.get(name);
        if (!g) throw new Error(`AdamW: no gradient for ${name}`);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        let update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), eps));
        if (weightDecay > 0 && p.rank >= 2) update = tf.add(update, tf.mul(p, weightDecay));
        p.assign(tf.sub(p, tf.mul(update, lr)));
      }
    });
  }

  /** Frees the state tensors. */
  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
