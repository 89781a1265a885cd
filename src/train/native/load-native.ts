/**
 * Loads a native TensorFlow backend that `skein setup-backend` built (install-layout.ts).
 *
 * The set-up folder holds `@tensorflow/tfjs-node(-gpu)` without its own copy of
 * `@tensorflow/tfjs` (set-up deletes it): its `require('@tensorflow/tfjs…')` calls are sent to
 * skein's own copy, so the backend registers its kernels on the engine skein's trainer uses,
 * and there is one tfjs in the process (two copies would share a global engine but register
 * every cpu kernel twice, with a warning per kernel). The redirect is a `Module._resolveFilename`
 * wrapper limited to requests made by files inside the set-up folder; it is hand-written because
 * the packages that alias modules (module-alias and the like) change resolution for the whole
 * process.
 */
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { NATIVE_VARIANTS, nativeStatus, setupCommand, type NativeInstall, type NativeVariant } from './install-layout.js';

const skeinRequire = createRequire(import.meta.url);

/** The tfjs packages the native backend must share with skein. */
const SHARED_TFJS = /^@tensorflow\/tfjs(-core|-backend-cpu|-layers|-converter|-data)?(\/.*)?$/;

/** Folders whose requests for tfjs are redirected already. */
const redirected = new Set<string>();

/** Resolves a tfjs request the way skein's own `@tensorflow/tfjs` resolves it. */
function resolveShared(request: string): string {
  if (request === '@tensorflow/tfjs' || request.startsWith('@tensorflow/tfjs/')) return skeinRequire.resolve(request);
  // tfjs-core and friends are dependencies of @tensorflow/tfjs: resolve them from there (hoisted or nested).
  return createRequire(skeinRequire.resolve('@tensorflow/tfjs')).resolve(request);
}

/** Sends the tfjs requests of files under `dir` to skein's copy. */
function shareTfjs(dir: string): void {
  if (redirected.has(dir)) return;
  redirected.add(dir);
  const M = Module as unknown as { _resolveFilename: (request: string, parent: { filename?: string | null } | null | undefined, ...rest: unknown[]) => string };
  const original = M._resolveFilename;
  const prefix = dir + path.sep;
  M._resolveFilename = function (request, parent, ...rest) {
    if (SHARED_TFJS.test(request) && parent?.filename?.startsWith(prefix)) return resolveShared(request);
    return original.call(this, request, parent, ...rest);
  };
}

/**
 * Loads the native backend of `variant` from its set-up folder (which registers the tfjs
 * `tensorflow` backend) and returns what was loaded. Throws an Error whose message says why it
 * cannot (not set up, broken, built for another tfjs version, the library does not load).
 */
export function loadNativeBackend(variant: NativeVariant, tfjsVersion: string, home?: string): { dir: string; install: NativeInstall } {
  const status = nativeStatus(variant, home);
  if (status.state === 'absent') throw new Error(`not set up: run ${setupCommand(variant)}`);
  if (status.state === 'broken') throw new Error(`set-up in ${status.dir} is incomplete (${status.reason}): run ${setupCommand(variant)} --force`);
  const { dir, install } = status;
  if (install.package_version !== tfjsVersion) {
    throw new Error(`set up for tfjs ${install.package_version} but skein uses tfjs ${tfjsVersion}: run ${setupCommand(variant)} --force`);
  }
  requireNative(dir, variant);
  return { dir, install };
}

/** Requires the backend package of a set-up folder (registering tfjs's `tensorflow` backend on skein's tfjs). */
export function requireNative(dir: string, variant: NativeVariant): void {
  // libtensorflow logs a notice on stderr at its first op ("oneDNN custom operations are on …")
  // unless TF_ENABLE_ONEDNN_OPTS is set; setting it to TensorFlow's default keeps the behaviour
  // and drops the notice. The user's own settings win.
  process.env.TF_ENABLE_ONEDNN_OPTS ??= '1';
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  shareTfjs(dir);
  createRequire(path.join(dir, 'package.json'))(NATIVE_VARIANTS[variant].npmPackage);
}
