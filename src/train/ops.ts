/**
 * Two tfjs ops with hand-written gradients, chosen for speed and coverage on every backend
 * (docs/training.md#backends, with the measurements):
 *
 * - {@link matMulNN}: a 2-D matmul whose backward pass uses only non-transposed matmuls plus
 *   explicit transposes. On the wasm backend only the NN form hits XNNPACK's fast path (measured
 *   28.6 GFLOP/s against 0.7–2.8 for the transposed forms that tf.matMul's own gradient uses).
 * - {@link embed}: a row gather whose gradient is a `scatterND` (duplicates summed). tf.gather's
 *   own gradient needs the `UnsortedSegmentSum` kernel, which the wasm backend lacks.
 */
import * as tf from '@tensorflow/tfjs';

/** The function type tf.customGrad takes. */
type CustomGradientFunc = Parameters<typeof tf.customGrad>[0];

type Grad2 = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

/** a[M,K] × b[K,N] with a gradient made of NN matmuls only. */
export const matMulNN: Grad2 = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
  // customGrad's typing wants (...inputs: (Tensor | GradSaveFunc)[]) => …; the cast names the real signature.
}) as unknown as CustomGradientFunc) as unknown as Grad2;

/**
 * Rows `ids` (int32 [N]) of `table` [V, d] → [N, d]. Gradient with respect to the table:
 * scatterND of the output gradient at the ids (duplicate ids summed); none for the ids.
 */
export const embed: (table: tf.Tensor, ids: tf.Tensor) => tf.Tensor2D = tf.customGrad(((table: tf.Tensor2D, ids: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([ids]);
  const shape = table.shape;
  return {
    value: tf.gather(table, ids),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const idx = saved[0]!.reshape([-1, 1]);
      return [tf.scatterND(idx, dy, shape), tf.zerosLike(saved[0]!)];
    },
  };
}) as unknown as CustomGradientFunc) as unknown as (table: tf.Tensor, ids: tf.Tensor) => tf.Tensor2D;

/** Sum of a list of scalars by pairwise adds (not tf.addN: on WebGPU it binds one buffer per input, over the limit of 8). */
export function sumScalars(xs: tf.Tensor[]): tf.Tensor {
  let acc = xs[0]!;
  for (let i = 1; i < xs.length; i++) acc = tf.add(acc, xs[i]!);
  return acc;
}
