import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/train/backend.js';
import type { BackendName } from '../../src/train/backend-names.js';
import { disposeInputs, disposeModel, logits, modelInputs, weightedLoss, type Model } from '../../src/train/model.js';
import { trainBackends, untestedNote } from './backends.js';
import { maxDiff, sensitiveModel, tinyConfig } from './helpers.js';

const note = untestedNote();
if (note) test('model checks on the tensorflow backend', { skip: note }, () => {});

/** Logits [T·V] of one sequence. */
async function run(m: Model, ids: number[], positions: number[], segments: number[]): Promise<Float32Array> {
  const T = ids.length;
  const inp = modelInputs(m, { batch: 1, seqLen: T, inputIds: Int32Array.from(ids), positions: Int32Array.from(positions), segments: Int32Array.from(segments) });
  const t = tf.tidy(() => logits(m, inp));
  const out = (await t.data()) as Float32Array;
  t.dispose();
  disposeInputs(inp);
  return out;
}

// Three documents packed in one row of 24 tokens: lengths 7, 9, 8; reset positions.
const SEG = [...Array(7).fill(0), ...Array(9).fill(1), ...Array(8).fill(2)] as number[];
const POS = [...Array.from({ length: 7 }, (_, i) => i), ...Array.from({ length: 9 }, (_, i) => i), ...Array.from({ length: 8 }, (_, i) => i)];
const IDS = SEG.map((s, i) => (i * 7 + s * 11 + 3) % 47);

/** The model-level checks on one backend. */
function modelChecks(backend: BackendName): void {
  test(`[${backend}] document isolation: changing every token of one document changes the other documents’ logits by exactly 0 under attention: document`, async () => {
    await selectBackend(backend);
    const c = tinyConfig();
    const m = sensitiveModel(c);
    try {
      const base = await run(m, IDS, POS, SEG);
      const edited = IDS.map((id, i) => (SEG[i] === 1 ? (id * 5 + 13) % 47 : id));
      const after = await run(m, edited, POS, SEG);
      assert.equal(maxDiff(base, after, c.vocabSize, (t) => SEG[t] === 2), 0, 'the later document must not move at all');
      assert.equal(maxDiff(base, after, c.vocabSize, (t) => SEG[t] === 0), 0);
      assert.ok(maxDiff(base, after, c.vocabSize, (t) => SEG[t] === 1) > 1e-2, 'the edited document itself changes');
      // The same edit under causal attention (one segment) does reach the later document: the mask is what isolates.
      const causal = SEG.map(() => 0);
      const c0 = await run(m, IDS, POS, causal);
      const c1 = await run(m, edited, POS, causal);
      assert.ok(maxDiff(c0, c1, c.vocabSize, (t) => SEG[t] === 2) > 1e-3);
    } finally {
      disposeModel(m);
    }
  });

  for (const scaling of ['none', 'linear', 'ntk', 'yarn'] as const) {
    test(`[${backend}] RoPE relativity (${scaling}): shifting a document's positions by a constant changes its logits by < 1e-5`, async (t) => {
      await selectBackend(backend);
      const c = tinyConfig({ rope: { base: 10000, scaling, factor: scaling === 'none' ? 1 : 4, originalContext: 16, betaFast: 32, betaSlow: 1 } });
      const m = sensitiveModel(c);
      try {
        const base = await run(m, IDS, POS, SEG);
        const shifted = POS.map((p, i) => (SEG[i] === 2 ? p + 1000 : p));
        const after = await run(m, IDS, shifted, SEG);
        const d = maxDiff(base, after, c.vocabSize, (t) => SEG[t] === 2);
        t.diagnostic(`max |Δlogit| after a +1000 shift: ${d.toExponential(2)}`);
        assert.ok(d < 1e-5, `max |Δlogit| ${d}`);
        // Positions do matter: a non-constant change (reversed order) moves the logits.
        const reversed = POS.map((p, i) => (SEG[i] === 2 ? 7 - p : p));
        const moved = await run(m, IDS, reversed, SEG);
        assert.ok(maxDiff(base, moved, c.vocabSize, (t) => SEG[t] === 2) > 1e-3);
      } finally {
        disposeModel(m);
      }
    });
}

test(`[${backend}] gradient check: every parameter gets a gradient that matches central finite differences (tiny model, float32)`, async (t) => {
  await selectBackend(backend);
  const c = tinyConfig({ vocabSize: 24, dModel: 16, nHeads: 2 });
  const m = sensitiveModel(c, 5, 8);
  const B = 2;
  const T = 10;
  const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 5 + 1) % 24);
  const positions = Int32Array.from({ length: B * T }, (_, i) => (i % T) + (i >= T ? 40 : 0));
  const segments = Int32Array.from({ length: B * T }, (_, i) => ((i % T) < 4 ? 0 : 1));
  const labels = tf.tensor1d(Int32Array.from({ length: B * T }, (_, i) => (i * 7 + 2) % 24), 'int32');
  const weights = tf.tensor1d(Float32Array.from({ length: B * T }, (_, i) => (i % 3 === 0 ? 0 : 1)), 'float32');
  const inp = modelInputs(m, { batch: B, seqLen: T, inputIds: ids, positions, segments });
  const loss = () => weightedLoss(m, inp, labels, weights, 13);
  try {
    const vars = [...m.params.values()];
    const { value, grads } = tf.variableGrads(loss, vars);
    value.dispose();
    assert.equal(Object.keys(grads).length, vars.length);
    const eps = 1e-2;
    let worst = 0;
    for (const [name, v] of m.params) {
      const u = tf.tidy(() => {
        const r = tf.randomNormal(v.shape, 0, 1, 'float32', 11);
        return tf.div(r, tf.norm(r));
      });
      const read = async (f: () => tf.Tensor) => {
        const t = tf.tidy(f);
        const x = (await t.data())[0]!;
        t.dispose();
        return x;
      };
      const analytic = await read(() => tf.sum(tf.mul(grads[v.name]!, u)));
      const orig = v.clone();
      v.assign(tf.tidy(() => tf.add(orig, tf.mul(u, eps))));
      const plus = await read(loss);
      v.assign(tf.tidy(() => tf.sub(orig, tf.mul(u, eps))));
      const minus = await read(loss);
      v.assign(orig);
      orig.dispose();
      u.dispose();
      const numeric = (plus - minus) / (2 * eps);
      const rel = Math.abs(analytic - numeric) / Math.max(1e-2, Math.abs(analytic) + Math.abs(numeric));
      worst = Math.max(worst, rel);
      assert.ok(Math.abs(analytic) > 0, `${name} has a zero gradient`);
      assert.ok(rel < 3e-2, `${name}: analytic ${analytic} vs numeric ${numeric} (relative error ${rel})`);
    }
    for (const g of Object.values(grads)) g.dispose();
    t.diagnostic(`worst relative error over ${m.params.size} parameters: ${worst.toExponential(2)}`);
    assert.ok(worst < 3e-2);
  } finally {
    disposeInputs(inp);
    labels.dispose();
    weights.dispose();
    disposeModel(m);
  }
});
}

for (const backend of new Set<BackendName>(['cpu', ...trainBackends()])) modelChecks(backend);

test('the hand-written gradients of the NN matmul and the scatter embedding equal tfjs’s own (cpu backend)', async () => {
  await selectBackend('cpu');
  const { embed, matMulNN } = await import('../../src/train/ops.js');
  try {
    const a = tf.randomNormal([5, 7], 0, 1, 'float32', 1);
    const b = tf.randomNormal([7, 3], 0, 1, 'float32', 2);
    const table = tf.randomNormal([6, 4], 0, 1, 'float32', 3);
    const ids = tf.tensor1d([1, 4, 1, 0, 5, 1], 'int32');
    const w = tf.randomNormal([6, 4], 0, 1, 'float32', 4);
    const mine = tf.grads((x, y, e) => tf.add(tf.sum(tf.square(matMulNN(x, y))), tf.sum(tf.mul(embed(e, ids), w))))([a, b, table]);
    const ref = tf.grads((x, y, e) => tf.add(tf.sum(tf.square(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D))), tf.sum(tf.mul(tf.gather(e, ids), w))))([a, b, table]);
    for (let i = 0; i < 3; i++) {
      const d = (await tf.max(tf.abs(tf.sub(mine[i]!, ref[i]!))).data())[0]!;
      assert.ok(d < 1e-5, `input ${i}: max difference ${d}`);
    }
  } finally {
    await selectBackend('wasm');
  }
});
