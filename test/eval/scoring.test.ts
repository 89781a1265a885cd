import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { logProbsAt, type EvalModel } from '../../src/eval/eval-model.js';
import { bucketOf, bucketRange } from '../../src/eval/perplexity.js';
import { scoreSample } from '../../src/eval/score-tasks.js';
import { selectBackend } from '../../src/train/backend.js';
import { vocabFromSpec } from '../../src/train/vocab.js';
import { sensitiveModel, tinyConfig } from '../train/helpers.js';

before(async () => {
  await selectBackend('wasm');
});

/** Greedy generation of `n` tokens after `prompt` (one full forward pass per token). */
async function greedy(em: EvalModel, prompt: number[], n: number): Promise<number[]> {
  const seq = [...prompt];
  for (let i = 0; i < n; i++) {
    const T = seq.length;
    const lp = logProbsAt(em.model, { inputIds: Int32Array.from(seq), positions: Int32Array.from({ length: T }, (_, k) => k), segments: new Int32Array(T) }, [T - 1]);
    const best = lp.argMax(-1);
    seq.push((await best.data())[0]!);
    lp.dispose();
    best.dispose();
  }
  return seq.slice(prompt.length);
}

test('teacher-forced exact match equals greedy generation: the model’s own continuation scores 1, one wrong token scores 0', async () => {
  const model = sensitiveModel(tinyConfig(), 9, 10);
  const em: EvalModel = { model, vocab: vocabFromSpec({ kind: 'full', size: 48 }), tokenizer: {} as never, checkpoint: '', step: 0, trainSeqLen: 64 };
  try {
    const prompt = Array.from({ length: 20 }, (_, i) => (i * 13 + 5) % 48);
    const answer = await greedy(em, prompt, 4);
    const row = (ans: number[]) => ({ task: 'passkey' as const, inputIds: Int32Array.from([...prompt, ...ans]), promptLength: prompt.length, length: 24, depth: 50, answer: '', sample: 0 });
    const right = await scoreSample(em, row(answer));
    assert.equal(right.exact, true);
    assert.equal(right.tokenAccuracy, 1);
    const wrong = [...answer];
    wrong[3] = (wrong[3]! + 1) % 48;
    const w = await scoreSample(em, row(wrong));
    assert.equal(w.exact, false);
    assert.equal(w.tokenAccuracy, 0.75);
    assert.ok(w.answerNll > right.answerNll);
    // An answer token outside a compact vocabulary is never matched.
    const compact: EvalModel = { ...em, vocab: vocabFromSpec({ kind: 'compact', size: 48, ids: Array.from({ length: 47 }, (_, i) => i) }) };
    assert.equal((await scoreSample(compact, row([...answer.slice(0, 3), 1000]))).exact, false);
  } finally {
    for (const v of model.params.values()) v.dispose();
    model.rot.dispose();
  }
  assert.equal(tf.memory().numTensors < 50, true, 'no tensors leaked');
});

test('position buckets double from 32', () => {
  assert.deepEqual([0, 31, 32, 63, 64, 127, 128, 5000].map(bucketOf), [0, 0, 1, 1, 2, 2, 3, 8]);
  assert.deepEqual(bucketRange(0), [0, 32]);
  assert.deepEqual(bucketRange(3), [128, 256]);
});
