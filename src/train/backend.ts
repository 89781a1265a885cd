/**
 * TensorFlow.js backend selection at run time.
 *
 * Order of `auto`: `tensorflow-gpu` (@tensorflow/tfjs-node-gpu on a CUDA libtensorflow) →
 * `tensorflow` (@tensorflow/tfjs-node on the CPU libtensorflow) → `webgpu` (the `webgpu`
 * package's Dawn + @tensorflow/tfjs-backend-webgpu, when an adapter exists) → `wasm`
 * (@tensorflow/tfjs-backend-wasm, a regular dependency) → `cpu` (pure JS, always there).
 *
 * The native backends come from `skein setup-backend` (native/install-layout.ts: a folder under
 * the user's skein home, built from a TensorFlow wheel's libtensorflow), or else from the package
 * installed next to skein. WebGPU's packages are optional peer dependencies, loaded with a
 * dynamic import of a non-literal specifier. A backend that does not load only moves `auto` to
 * the next one; a backend forced with `--backend` that cannot load is a {@link UserError} naming
 * the fix.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../util/errors.js';
import { BACKENDS, type BackendName } from './backend-names.js';
import { NATIVE_VARIANTS, nativeStatus, setupCommand, type NativeVariant } from './native/install-layout.js';
import { loadNativeBackend } from './native/load-native.js';

/** The backend names (defined apart so that the CLI can list them without loading tfjs). */
export { BACKENDS, type BackendName } from './backend-names.js';

/** What to install for each optional backend (the message of a forced backend that is missing). */
const INSTALL_HINT: Record<BackendName, string> = {
  'tensorflow-gpu': `run ${setupCommand('tensorflow-gpu')} on a machine with CUDA 12 (untested; see docs/training.md)`,
  tensorflow: `run ${setupCommand('tensorflow')} (see docs/training.md)`,
  webgpu: 'npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0 and make a Vulkan (or Metal/D3D12) driver available (see docs/training.md)',
  wasm: 'reinstall skein: @tensorflow/tfjs-backend-wasm is one of its dependencies',
  cpu: 'reinstall skein',
};

const require = createRequire(import.meta.url);

/** A dynamic import with a non-literal specifier: TypeScript needs no types, bundlers leave it external. */
const importOptional = (spec: string): Promise<Record<string, any>> => import(spec);

/** Whether an import failed because the package is not installed. */
function notInstalled(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * Loads a native backend (both register tfjs's `tensorflow` backend): skein's set-up when there
 * is one, else the npm package installed next to skein. Returns where it came from.
 */
async function loadNative(variant: NativeVariant): Promise<string> {
  const { npmPackage, device } = NATIVE_VARIANTS[variant];
  if (nativeStatus(variant).state === 'absent') {
    try {
      await importOptional(npmPackage);
    } catch (e) {
      if (notInstalled(e)) throw new Error(`not set up: run ${setupCommand(variant)}`);
      throw e;
    }
    return `${npmPackage} installed next to skein (${device})`;
  }
  const { dir, install } = loadNativeBackend(variant, tf.version.tfjs);
  const wheel = install.wheel.split('-')[0]!.replace(/_/g, '-');
  return `libtensorflow ${install.tensorflow_version} of the ${wheel} wheel from ${dir}`;
}

/** Loads and registers one backend; throws when it cannot (missing package, no device). Returns a note on what loaded. */
async function load(name: BackendName): Promise<string | undefined> {
  let detail: string | undefined;
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      detail = await loadNative(name);
      break;
    case 'webgpu': {
      const dawn = await importOptional('webgpu');
      Object.assign(globalThis, dawn.globals);
      // SKEIN_DAWN_OPTS: Dawn toggles, e.g. "backend=vulkan"; SKEIN_WEBGPU_FEATURE_LEVEL=compatibility
      // for Dawn's OpenGL backend (Mesa llvmpipe: docs/training.md#webgpu).
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
  if (name === 'tensorflow-gpu') {
    // tfjs-node-gpu runs on the CPU when libtensorflow finds no usable CUDA device: say which.
    const gpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
    detail += gpu ? ', using a GPU' : ', but no GPU is in use (no CUDA device or libraries found): it runs on the CPU';
  }
  return detail;
}

/** Why a backend did not load, in a few words: "not installed" for a missing package, else the error's first line. */
function firstLine(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (notInstalled(e)) return `${/'([^']+)'/.exec(err.message)?.[1] ?? 'package'} not installed`;
  return String(err?.message ?? e).split('\n')[0]!;
}

/** Why a backend did not load, with the fix: "not set up: run …", or the error's first line and what to install. */
function whyNot(name: BackendName, e: unknown): string {
  const reason = firstLine(e);
  return reason.includes(': run ') ? reason : `${reason}: ${INSTALL_HINT[name]}`;
}

/**
 * Tries to load one backend (and leaves it active when it loads): what loaded, or why not with
 * the fix. For `skein doctor`, which runs each probe in its own process.
 */
export async function probeBackend(name: BackendName): Promise<{ ok: boolean; detail: string }> {
  tf.enableProdMode();
  try {
    const detail = await load(name);
    return { ok: true, detail: detail ?? (name === 'wasm' ? 'WebAssembly (SIMD, one thread), bundled' : name === 'cpu' ? 'pure JavaScript, bundled (slow)' : `${tf.getBackend()} backend`) };
  } catch (e) {
    return { ok: false, detail: whyNot(name, e) };
  }
}

/** Which backend is active and what `auto` skipped on the way. */
export interface BackendChoice {
  name: BackendName;
  /** tfjs's name of the backend (`tensorflow`, `webgpu`, `wasm`, `cpu`). */
  tfjsName: string;
  /** Where a native backend came from (library version, folder). */
  detail?: string;
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
    let detail: string | undefined;
    try {
      detail = await load(requested);
    } catch (e) {
      throw new UserError(`backend ${requested} is not available (${whyNot(requested, e)}), or use --backend auto`);
    }
    return { name: requested, tfjsName: tf.getBackend(), detail, skipped: [] };
  }
  const skipped: BackendChoice['skipped'] = [];
  for (const name of BACKENDS) {
    try {
      const detail = await load(name);
      return { name, tfjsName: tf.getBackend(), detail, skipped };
    } catch (e) {
      skipped.push({ name, reason: firstLine(e) });
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
