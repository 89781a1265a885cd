/**
 * A trained model ready for evaluation: the checkpoint's weights, its vocabulary mapping, and RoPE
 * settings that may be overridden (evaluate a model trained at 1K on 4K with YaRN, say).
 */
import * as tf from '@tensorflow/tfjs';
import { disposeCheckpoint, loadCheckpoint, modelFromCheckpoint } from '../train/checkpoint.js';
import { ropeConfig, type ModelConfig, type RopeConfig } from '../train/config.js';
import { disposeInputs, hiddenStates, modelInputs, type Model } from '../train/model.js';
import { vocabFromSpec, type Vocab } from '../train/vocab.js';
import type { ManifestTokenizer } from '../shards/manifest.js';

/** A loaded model with what evaluation needs to know about it. */
export interface EvalModel {
  model: Model;
  vocab: Vocab;
  tokenizer: ManifestTokenizer;
  /** The checkpoint step folder and its training step. */
  checkpoint: string;
  step: number;
  /** The training window. */
  trainSeqLen: number;
}

/** Loads a checkpoint for evaluation, with `rope` overriding its RoPE settings. */
export async function loadEvalModel(checkpoint: string, rope: Partial<RopeConfig> = {}): Promise<EvalModel> {
  const ck = await loadCheckpoint(checkpoint);
  try {
    const config: ModelConfig = { ...ck.config, rope: ropeConfig({ ...ck.config.rope, ...Object.fromEntries(Object.entries(rope).filter(([, v]) => v !== undefined)) }) };
    return { model: modelFromCheckpoint(ck, config), vocab: vocabFromSpec(ck.vocab), tokenizer: ck.tokenizer, checkpoint: ck.dir, step: ck.state.step, trainSeqLen: ck.state.seqLen };
  } finally {
    disposeCheckpoint(ck);
  }
}

/**
 * Log-probabilities [rows.length, V] at the chosen positions of one sequence (model ids `ids`,
 * positions `positions`, segments `segments`): only those rows go through the output layer.
 * The caller disposes the result.
 */
export function logProbsAt(m: Model, seq: { inputIds: Int32Array; positions: Int32Array; segments: Int32Array }, rows: number[]): tf.Tensor2D {
  const inp = modelInputs(m, { batch: 1, seqLen: seq.inputIds.length, ...seq });
  try {
    return tf.tidy(() => {
      const h = tf.gather(hiddenStates(m, inp), tf.tensor1d(rows, 'int32'));
      return tf.logSoftmax(tf.matMul(h, m.params.get('tok_emb')!, false, true), -1) as tf.Tensor2D;
    });
  } finally {
    disposeInputs(inp);
  }
}
