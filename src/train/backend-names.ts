/** A TensorFlow.js backend skein can select (see backend.ts; this file loads no tfjs, for the CLI's flag parsing). */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** Every backend, in the order `auto` tries them. */
export const BACKENDS: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'];
