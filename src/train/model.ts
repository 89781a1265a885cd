/**
 * A small decoder-only language model in TensorFlow.js core ops only, so one code path runs on
 * every backend (tfjs-node(-gpu), WebGPU, wasm, cpu):
 *
 * token embedding (tied with the output layer) → nLayers × [pre-RMSNorm → causal multi-head
 * attention with RoPE → residual; pre-RMSNorm → GELU MLP → residual] → RMSNorm → logits.
 *
 * Attention sees token j from token i iff j ≤ i and segment[i] == segment[j]: causality by index,
 * document isolation by segment id (all segments are 0 under `attention: causal`). The mask is an
 * additive bias of −1e9, whose softmax weight is exactly 0 in float32, so a document's logits do
 * not depend on any other document's tokens at all. RoPE angles come from the per-token position
 * ids (see rope.ts), so only relative positions matter inside a document.
 */
import * as tf from '@tensorflow/tfjs';
import { rngFor } from '../util/rng.js';
import { headDim, type ModelConfig } from './config.js';
import { embed, matMulNN } from './ops.js';
import { ropeFrequencies, ropeTables, rotateHalfMatrix } from './rope.js';

/** The model: its config, its parameters in a fixed order, and the RoPE rotation constant. */
export interface Model {
  config: ModelConfig;
  /**
   * Parameters by name (`tok_emb`, `l0.wqkv`, …), in creation order (checkpoints and the optimizer
   * rely on this order). The tfjs variable names carry a per-model prefix.
   */
  params: Map<string, tf.Variable>;
  /** x·R = rotate_half(x), [headDim, headDim]. */
  rot: tf.Tensor2D;
}

/** The per-batch tensors the forward pass needs besides the parameters. */
export interface ModelInputs {
  batch: number;
  seqLen: number;
  /** Model token ids, int32 [B, T]. */
  ids: tf.Tensor2D;
  /** RoPE tables, float32 [B, 1, T, headDim]. */
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
  /** Additive attention bias, float32 [B, 1, T, T]: 0 where attention is allowed, −1e9 elsewhere. */
  bias: tf.Tensor4D;
}

/** Distinguishes the variables of models living in one process. */
let nextModelId = 0;

/** Standard normal samples from a seeded Rng (Box–Muller). */
function gaussian(n: number, std: number, seed: number, name: string): Float32Array {
  const rng = rngFor(seed, 'train/init', name);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rng.float();
    const v = rng.float();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Parameter names and shapes in creation order. */
export function parameterShapes(c: ModelConfig): Array<{ name: string; shape: number[]; init: 'normal' | 'proj' | 'ones' }> {
  const d = c.dModel;
  const h = c.ffMult * d;
  const out: Array<{ name: string; shape: number[]; init: 'normal' | 'proj' | 'ones' }> = [{ name: 'tok_emb', shape: [c.vocabSize, d], init: 'normal' }];
  for (let l = 0; l < c.nLayers; l++) {
    out.push(
      { name: `l${l}.ln1`, shape: [d], init: 'ones' },
      { name: `l${l}.wqkv`, shape: [d, 3 * d], init: 'normal' },
      { name: `l${l}.wo`, shape: [d, d], init: 'proj' },
      { name: `l${l}.ln2`, shape: [d], init: 'ones' },
      { name: `l${l}.w1`, shape: [d, h], init: 'normal' },
      { name: `l${l}.w2`, shape: [h, d], init: 'proj' },
    );
  }
  out.push({ name: 'ln_f', shape: [d], init: 'ones' });
  return out;
}

/**
 * A freshly initialised model: weights N(0, 0.02), residual projections N(0, 0.02/√(2·nLayers))
 * (GPT-2), norm gains 1; deterministic in `seed` (drawn on the host with rngFor, not by tfjs).
 */
export function initModel(config: ModelConfig, seed: number): Model {
  const params = new Map<string, tf.Variable>();
  // tfjs registers variables by a process-wide unique name; the prefix lets several models coexist.
  const prefix = `skein${nextModelId++}/`;
  const projStd = 0.02 / Math.sqrt(2 * config.nLayers);
  for (const { name, shape, init } of parameterShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = init === 'ones' ? new Float32Array(n).fill(1) : gaussian(n, init === 'proj' ? projStd : 0.02, seed, name);
    params.set(name, tf.variable(tf.tensor(values, shape, 'float32'), true, prefix + name));
  }
  const dh = headDim(config);
  return { config, params, rot: tf.tensor2d(rotateHalfMatrix(dh), [dh, dh]) };
}

/** Frees the model's tensors. */
export function disposeModel(m: Model): void {
  for (const v of m.params.values()) v.dispose();
  m.rot.dispose();
}

/** Number of parameter values. */
export function countParameters(m: Model): number {
  let n = 0;
  for (const v of m.params.values()) n += v.size;
  return n;
}

/**
 * The additive attention bias [B, 1, T, T] of a batch's segment ids, built on the device: 0 where
 * j ≤ i and segment[i] == segment[j], −1e9 elsewhere (an exact 0 after softmax in float32).
 */
export function attentionBias(segments: Int32Array, batch: number, seqLen: number): tf.Tensor4D {
  return tf.tidy(() => {
    const seg = tf.tensor2d(segments, [batch, seqLen], 'int32');
    const same = tf.equal(seg.expandDims(2), seg.expandDims(1));
    const causal = tf.cast(tf.linalg.bandPart(tf.ones([seqLen, seqLen], 'int32'), -1, 0), 'bool');
    const allowed = tf.logicalAnd(same, causal.expandDims(0));
    return tf.where(allowed, tf.zeros(allowed.shape), tf.fill(allowed.shape, -1e9)).expandDims(1) as tf.Tensor4D;
  });
}

/** Uploads a batch's ids, RoPE tables and attention bias (free them with {@link disposeInputs}). */
export function modelInputs(m: Model, b: { batch: number; seqLen: number; inputIds: Int32Array; positions: Int32Array; segments: Int32Array }): ModelInputs {
  const dh = headDim(m.config);
  const { cos, sin } = ropeTables(b.positions, ropeFrequencies(m.config.rope, dh), dh);
  const shape: [number, number, number, number] = [b.batch, 1, b.seqLen, dh];
  return {
    batch: b.batch,
    seqLen: b.seqLen,
    ids: tf.tensor2d(b.inputIds, [b.batch, b.seqLen], 'int32'),
    cos: tf.tensor4d(cos, shape),
    sin: tf.tensor4d(sin, shape),
    bias: attentionBias(b.segments, b.batch, b.seqLen),
  };
}

/** Frees the tensors of {@link modelInputs}. */
export function disposeInputs(i: ModelInputs): void {
  i.ids.dispose();
  i.cos.dispose();
  i.sin.dispose();
  i.bias.dispose();
}

/** x · rsqrt(mean(x²) + eps) · g over the last axis. */
function rmsNorm(x: tf.Tensor, g: tf.Tensor, eps: number): tf.Tensor {
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), g);
}

/** GELU, tanh approximation. */
function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.mul(x, tf.square(x)))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/** Rotate-half RoPE on x [B, H, T, dh] with cos/sin [B, 1, T, dh]. */
function applyRope(x: tf.Tensor4D, cos: tf.Tensor, sin: tf.Tensor, rot: tf.Tensor2D): tf.Tensor {
  const [B, H, T, dh] = x.shape;
  const rotated = matMulNN(x.reshape([B * H * T, dh]), rot).reshape([B, H, T, dh]);
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
}

/** The final hidden states [B·T, d] (after the last RMSNorm). Call inside tf.tidy. */
export function hiddenStates(m: Model, inp: ModelInputs): tf.Tensor2D {
  const c = m.config;
  const p = (name: string) => m.params.get(name)!;
  const B = inp.batch;
  const T = inp.seqLen;
  const d = c.dModel;
  const H = c.nHeads;
  const dh = headDim(c);
  const scale = 1 / Math.sqrt(dh);
  let x: tf.Tensor = embed(p('tok_emb'), inp.ids.reshape([B * T]));
  for (let l = 0; l < c.nLayers; l++) {
    const h = rmsNorm(x, p(`l${l}.ln1`), c.normEps);
    const qkv = tf.transpose(matMulNN(h, p(`l${l}.wqkv`)).reshape([B, T, 3, H, dh]), [2, 0, 3, 1, 4]);
    const [q0, k0, v] = tf.unstack(qkv, 0) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const q = applyRope(q0, inp.cos, inp.sin, m.rot);
    const k = applyRope(k0, inp.cos, inp.sin, m.rot);
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), scale), inp.bias);
    const o = tf.matMul(tf.softmax(scores, -1), v);
    const merged = tf.transpose(o, [0, 2, 1, 3]).reshape([B * T, d]);
    x = tf.add(x, matMulNN(merged, p(`l${l}.wo`)));
    const h2 = rmsNorm(x, p(`l${l}.ln2`), c.normEps);
    x = tf.add(x, matMulNN(gelu(matMulNN(h2, p(`l${l}.w1`))), p(`l${l}.w2`)));
  }
  return rmsNorm(x, p('ln_f'), c.normEps) as tf.Tensor2D;
}

/** Logits [B·T, V] (output layer tied to the embedding). Call inside tf.tidy. */
export function logits(m: Model, inp: ModelInputs): tf.Tensor2D {
  return matMulNN(hiddenStates(m, inp), tf.transpose(m.params.get('tok_emb')!));
}

/** Per-token negative log-likelihood [B·T] of `labels` (int32 [B·T]). Call inside tf.tidy. */
export function tokenNll(m: Model, inp: ModelInputs, labels: tf.Tensor1D): tf.Tensor1D {
  const logp = tf.logSoftmax(logits(m, inp), -1);
  // oneHot's own float32 dtype argument returns integer bits on the wasm backend (tfjs 4.22): cast instead.
  const onehot = tf.cast(tf.oneHot(labels, m.config.vocabSize), 'float32');
  return tf.neg(tf.sum(tf.mul(onehot, logp), -1)) as tf.Tensor1D;
}

/**
 * Σ weights·NLL / `normalizer`: the batch's share of a loss averaged over `normalizer` targets
 * (the targets of all micro-batches of one optimizer step). Call inside tf.tidy or a gradient.
 */
export function weightedLoss(m: Model, inp: ModelInputs, labels: tf.Tensor1D, weights: tf.Tensor1D, normalizer: number): tf.Scalar {
  return tf.div(tf.sum(tf.mul(tokenNll(m, inp, labels), weights)), Math.max(normalizer, 1)) as tf.Scalar;
}
