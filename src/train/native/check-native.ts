/**
 * The last step of a set-up: load the freshly built backend in this process and check that it
 * computes (a matmul equal to the pure-JS backend's within float32 rounding).
 */
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../util/errors.js';
import type { NativeVariant } from './install-layout.js';
import { requireNative } from './load-native.js';

/** Product of two fixed 48×32 and 32×40 matrices on the current backend. */
async function product(): Promise<Float32Array> {
  const a = tf.tensor2d(Float32Array.from({ length: 48 * 32 }, (_, i) => Math.sin(i)), [48, 32]);
  const b = tf.tensor2d(Float32Array.from({ length: 32 * 40 }, (_, i) => Math.cos(i * 0.7)), [32, 40]);
  const c = tf.matMul(a, b);
  const out = (await c.data()) as Float32Array;
  tf.dispose([a, b, c]);
  return out;
}

/**
 * Loads the backend built in `dir` and checks it; returns TensorFlow's version (TF_Version).
 * Throws a {@link UserError} when it does not load or computes wrong numbers.
 */
export async function checkNative(dir: string, variant: NativeVariant): Promise<string> {
  tf.enableProdMode(); // no "install our node backend" banner from the cpu backend
  await tf.setBackend('cpu');
  const expected = await product();
  try {
    requireNative(dir, variant);
    if (!(await tf.setBackend('tensorflow'))) throw new Error("tf.setBackend('tensorflow') returned false");
  } catch (e) {
    throw new UserError(`the built backend does not load (${String((e as Error).message).split('\n')[0]}): rerun with --force; if it fails again, report it with the set-up log`);
  }
  const got = await product();
  const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]!)), 0);
  if (!(worst < 1e-3)) throw new UserError(`the built backend computes a test matmul wrong (max difference ${worst}): rerun with --force; if it fails again, report it`);
  const version = (tf.backend() as unknown as { binding?: { TF_Version?: string } }).binding?.TF_Version ?? 'unknown';
  return version;
}
