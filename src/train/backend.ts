/**
 * TensorFlow.js backend selection at run time.
 *
 * Order of `auto`: `tensorflow-gpu` (@tensorflow/tfjs-node-gpu: libtensorflow 2.9.1 on CUDA
 * 11.2 / cuDNN 8.1) → `tensorflow` (@tensorflow/tfjs-node: libtensorflow on the CPU) → `webgpu`
 * (the `webgpu` package's Dawn + @tensorflow/tfjs-backend-webgpu, when an adapter exists) →
 * `wasm` (@tensorflow/tfjs-backend-wasm, a regular dependency) → `cpu` (pure JS, always there).
 *
 * The native and GPU packages are optional peer dependencies: skein never installs them, and they
 * are loaded with a dynamic import of a non-literal specifier, so a missing one only moves `auto`
 * to the next backend. A backend forced with `--backend` that cannot load is a {@link UserError}
 * naming the package to install.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../util/errors.js';
import { BACKENDS, type BackendName } from './backend-names.js';

/** The backend names (defined apart so that the CLI can list them without loading tfjs). */
export { BACKENDS, type BackendName } from './backend-names.js';

/** What to install for each optional backend (the message of a forced backend that is missing). */
const INSTALL_HINT: Record<BackendName, string> = {
  'tensorflow-gpu': 'npm install @tensorflow/tfjs-node-gpu@4.22.0 on a machine with CUDA 11.2 and cuDNN 8.1 (see docs/training.md)',
  tensorflow: 'npm install @tensorflow/tfjs-node@4.22.0 (see docs/training.md)',
  webgpu: 'npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0 and make a Vulkan (or Metal/D3D12) driver available (see docs/training.md)',
  wasm: 'reinstall skein: @tensorflow/tfjs-backend-wasm is one of its dependencies',
  cpu: 'reinstall skein',
};

const require = createRequire(import.meta.url);

/** A dynamic import with a non-literal specifier: TypeScript needs no types, bundlers leave it external. */
const importOptional = (spec: string): Promise<Record<string, any>> => import(spec);

/** Loads and registers one backend; throws when it cannot (missing package, no device). */
async function load(name: BackendName): Promise<void> {
  switch (name) {
    case 'tensorflow-gpu':
      await importOptional('@tensorflow/tfjs-node-gpu'); // registers the 'tensorflow' backend
      break;
    case 'tensorflow':
      await importOptional('@tensorflow/tfjs-node');
      break;
    case 'webgpu': {
      const dawn = await importOptional('webgpu');
      Object.assign(globalThis, dawn.globals);
      // SKEIN_DAWN_OPTS: Dawn toggles, e.g. "backend=vulkan"; SKEIN_WEBGPU_FEATURE_LEVEL=compatibility
      // for Dawn's OpenGL backend (Mesa llvmpipe: trainer-notes §4).
      const gpu = dawn.create((process.env.SKEIN_DAWN_OPTS ?? '').split(/\s+/).filter(Boolean));
      const level = process.env.SKEIN_WEBGPU_FEATURE_LEVEL;
      if (level) {
        const request = gpu.requestAdapter.bind(gpu);
        gpu.requestAdapter = (o: Record<string, unknown> = {}) => request({ ...o, featureLevel: level });
      }
      if (!(await gpu.requestAdapter())) throw new Error('no WebGPU adapter (requestAdapter() returned null: no Vulkan/Metal/D3D12 device)');
      const g = globalThis as { navigator?: Record<string, unknown> };
      if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
      g.navigator!.gpu = gpu;
      await importOptional('@tensorflow/tfjs-backend-webgpu');
      break;
    }
    case 'wasm': {
      const wasm = await importOptional('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}${path.sep}dist${path.sep}`);
      break;
    }
    case 'cpu':
      break;
  }
  const registered = name === 'tensorflow-gpu' ? 'tensorflow' : name;
  if (!(await tf.setBackend(registered))) throw new Error(`tf.setBackend('${registered}') failed`);
  await tf.ready();
}

/** Why a backend did not load, in a few words: "not installed" for a missing package, else the error's first line. */
function firstLine(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') return `${/'([^']+)'/.exec(err.message)?.[1] ?? 'package'} not installed`;
  return String(err?.message ?? e).split('\n')[0]!;
}

/** Which backend is active and what `auto` skipped on the way. */
export interface BackendChoice {
  name: BackendName;
  /** tfjs's name of the backend (`tensorflow`, `webgpu`, `wasm`, `cpu`). */
  tfjsName: string;
  /** Backends tried before it, with the reason each was skipped. */
  skipped: Array<{ name: BackendName; reason: string }>;
}

/**
 * Selects a backend: `auto` tries {@link BACKENDS} in order and keeps the first that loads;
 * a named one must load or a {@link UserError} names the package to install.
 */
export async function selectBackend(requested: BackendName | 'auto' = 'auto'): Promise<BackendChoice> {
  // Production mode: no debug checks, and no console banner ("install our node backend") from the cpu backend.
  tf.enableProdMode();
  if (requested !== 'auto') {
    if (!BACKENDS.includes(requested)) throw new UserError(`unknown backend '${requested}': use auto, ${BACKENDS.join(', ')}`);
    try {
      await load(requested);
    } catch (e) {
      throw new UserError(`backend ${requested} is not available (${firstLine(e)}): ${INSTALL_HINT[requested]}, or use --backend auto`);
    }
    return { name: requested, tfjsName: tf.getBackend(), skipped: [] };
  }
  const skipped: BackendChoice['skipped'] = [];
  for (const name of BACKENDS) {
    try {
      await load(name);
      return { name, tfjsName: tf.getBackend(), skipped };
    } catch (e) {
      skipped.push({ name, reason: firstLine(e) });
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
