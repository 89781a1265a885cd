/**
 * Where `skein setup-backend` puts the native TensorFlow backends and how skein recognises a
 * finished one (this file loads no tfjs, so the CLI and the tests can ask without loading it).
 *
 * ```
 * $SKEIN_HOME/backends/tensorflow/            @tensorflow/tfjs-node on the CPU libtensorflow of a tensorflow-cpu wheel
 * $SKEIN_HOME/backends/tensorflow-gpu/        @tensorflow/tfjs-node-gpu on the CUDA libtensorflow of a tensorflow wheel
 *   package.json, node_modules/<package>/{deps/lib, deps/include, lib/napi-v8/tfjs_binding.node, …}
 *   skein-backend.json                        written last: the folder is complete (see NativeInstall)
 * ```
 * The folder lives outside every project (see skeinHome), so `npm ci` / `npm install` never prune
 * it, and one set-up serves every project on the machine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { skeinHome } from '../../util/skein-home.js';

/** A native backend skein can build: CPU (`tensorflow`) or CUDA (`tensorflow-gpu`). */
export type NativeVariant = 'tensorflow' | 'tensorflow-gpu';

/** The tfjs-node version skein builds: the same version as skein's own @tensorflow/tfjs (they share one engine). */
export const TFJS_NODE_VERSION = '4.22.0';
/** The TensorFlow wheel version measured to work (the binding compiles unpatched against its C API). */
export const DEFAULT_TF_VERSION = '2.21.0';

/** What each variant builds from. */
export const NATIVE_VARIANTS: Readonly<Record<NativeVariant, { npmPackage: string; wheelProject: string; device: string }>> = {
  tensorflow: { npmPackage: '@tensorflow/tfjs-node', wheelProject: 'tensorflow-cpu', device: 'CPU' },
  'tensorflow-gpu': { npmPackage: '@tensorflow/tfjs-node-gpu', wheelProject: 'tensorflow', device: 'CUDA GPU' },
};

/** Name of the file that marks a finished set-up. */
export const INSTALL_MARKER = 'skein-backend.json';

/** The contents of `skein-backend.json`. */
export interface NativeInstall {
  backend: NativeVariant;
  /** npm package and version (e.g. @tensorflow/tfjs-node 4.22.0). */
  package: string;
  package_version: string;
  /** TensorFlow's own version as the loaded library reports it (TF_Version). */
  tensorflow_version: string;
  /** The wheel's file name and sha256. */
  wheel: string;
  wheel_sha256: string;
  /** Whether debug symbols were stripped from the libraries. */
  stripped: boolean;
  /** Disk use of the folder in bytes. */
  bytes: number;
  /** Seconds the set-up took. */
  setup_seconds: number;
  built_at: string;
  /** process.version and `${platform}-${arch}` of the Node that built it. */
  node: string;
  platform: string;
}

/** The folder of a variant under `home`. */
export function nativeDir(variant: NativeVariant, home = skeinHome()): string {
  return path.join(home, 'backends', variant);
}

/** The compiled binding of a set-up folder. */
export function bindingPath(dir: string, variant: NativeVariant): string {
  return path.join(dir, 'node_modules', ...NATIVE_VARIANTS[variant].npmPackage.split('/'), 'lib', 'napi-v8', 'tfjs_binding.node');
}

/** Whether a variant is set up, and if not, why. */
export type NativeStatus =
  | { state: 'ready'; dir: string; install: NativeInstall }
  | { state: 'absent'; dir: string }
  | { state: 'broken'; dir: string; reason: string };

/** The set-up state of `variant` (synchronous: test files decide their backends while loading). */
export function nativeStatus(variant: NativeVariant, home = skeinHome()): NativeStatus {
  const dir = nativeDir(variant, home);
  const marker = path.join(dir, INSTALL_MARKER);
  if (!fs.existsSync(marker)) return { state: 'absent', dir };
  let install: NativeInstall;
  try {
    install = JSON.parse(fs.readFileSync(marker, 'utf8')) as NativeInstall;
    if (install?.backend !== variant || typeof install.package_version !== 'string') throw new Error('not a skein backend marker');
  } catch (e) {
    return { state: 'broken', dir, reason: `${marker} is unreadable (${(e as Error).message.split('\n')[0]})` };
  }
  if (!fs.existsSync(bindingPath(dir, variant))) return { state: 'broken', dir, reason: `${bindingPath(dir, variant)} is missing` };
  return { state: 'ready', dir, install };
}

/** The command that sets a variant up (for messages). */
export function setupCommand(variant: NativeVariant): string {
  return variant === 'tensorflow' ? 'npx skein setup-backend tensorflow' : 'npx skein setup-backend tensorflow --gpu';
}
