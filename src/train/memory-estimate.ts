/**
 * How much memory one training step needs, estimated before the run starts, so that a
 * configuration that cannot fit is refused with the numbers instead of crashing mid-step (the
 * wasm backend, limited to a 4 GiB heap, otherwise fails with "memory access out of bounds").
 *
 * The estimate is a fit of the peak tensor bytes TensorFlow.js reports for one training step
 * (`tf.profile(...).peakBytes`, wasm backend, 9 shapes from d 64 to 128, vocabularies 2,048 to
 * 65,536, windows 128 to 512, batches 4 to 32; fit within 6 %), plus a 10 % margin:
 *
 *   bytes ≈ 40·B·T·V        logits, log-softmax, one-hot targets and their gradients
 *         + 41·B·H·T²·L     attention scores, bias, softmax and their gradients
 *         + 770·B·T·d·L·(2+f)/6   per-layer activations kept for the backward pass (f = MLP factor)
 *         + 64·P            weights, AdamW's two moments, gradients (accumulated, clipped)
 *         + 23 MB
 *
 * with B the micro-batch, T the window, V the model vocabulary, H heads, L layers, d width, P
 * parameters. Gradient accumulation does not multiply it (micro-batches run one after another).
 */
import os from 'node:os';
import { UserError } from '../util/errors.js';
import type { BackendName } from './backend-names.js';
import { parameterCount, type ModelConfig } from './config.js';

/** The wasm backend's heap limit (Emscripten's 4 GiB − 64 KiB) minus room for the heap's own fragmentation and tfjs's buffers. */
export const WASM_BUDGET_BYTES = 3.5 * 1024 ** 3;

/** Estimated peak bytes of one training step (see the module comment). */
export function trainStepBytes(c: ModelConfig, batch: number, seqLen: number): number {
  const B = batch;
  const T = seqLen;
  const fit = 40 * B * T * c.vocabSize + 41 * B * c.nHeads * T * T * c.nLayers + (770 * B * T * c.dModel * c.nLayers * (2 + c.ffMult)) / 6 + 64 * parameterCount(c) + 23e6;
  return Math.ceil(fit * 1.1);
}

/** The memory a backend can give a run: the wasm heap's budget, else the machine's memory less 1 GB (WebGPU: unknown, no limit). */
export function backendBudget(backend: BackendName): number {
  if (backend === 'wasm') return WASM_BUDGET_BYTES;
  if (backend === 'webgpu') return Infinity;
  return os.totalmem() - 1024 ** 3;
}

/** GB with one decimal. */
const gb = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GB`;

/**
 * Throws a {@link UserError} with the numbers and the fix when a step of this configuration is
 * estimated to need more memory than `backend` has.
 */
export function checkTrainMemory(c: ModelConfig, s: { batchSize: number; seqLen: number }, backend: BackendName): void {
  const need = trainStepBytes(c, s.batchSize, s.seqLen);
  const budget = backendBudget(backend);
  if (need <= budget) return;
  // The largest batch that fits, for the fix.
  let fits = 0;
  for (let b = s.batchSize - 1; b >= 1; b--) {
    if (trainStepBytes(c, b, s.seqLen) <= budget) {
      fits = b;
      break;
    }
  }
  const where = backend === 'wasm' ? 'the wasm backend can use (its heap is limited to 4 GB)' : `the ${backend} backend can use (this machine's memory less 1 GB)`;
  const logits = `the logits alone are ${s.batchSize} × ${s.seqLen} × ${c.vocabSize} values`;
  const smaller = fits > 0 ? `--batch-size ${fits} (with --grad-accum ${Math.ceil(s.batchSize / fits)} for the same tokens per step)` : 'a smaller --seq-len';
  const native = backend === 'wasm' ? ', or the native backend (npx skein setup-backend tensorflow, limited by RAM only)' : '';
  throw new UserError(`a training step needs about ${gb(need)}, more than the ${gb(budget)} ${where}; ${logits}: use ${smaller}, a smaller --vocab-size${native}`);
}
