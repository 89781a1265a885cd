import path from 'node:path';
import { Command } from 'commander';
import { UserError } from '../util/errors.js';

/** Flags of `skein setup-backend`. */
interface SetupFlags {
  gpu?: boolean;
  wheel?: string;
  tfVersion?: string;
  force?: boolean;
}

/** `skein setup-backend tensorflow [--gpu] [--wheel <path|url>] [--tf-version v] [--force]`. */
export function setupBackendCommand(): Command {
  return new Command('setup-backend')
    .description(
      "Build TensorFlow's native backend for skein train (@tensorflow/tfjs-node on the libtensorflow of a TensorFlow wheel) into $SKEIN_HOME (default ~/.cache/skein), where npm ci/install never prune it. Needs python3, pip (or --wheel), g++, make and Node's headers.",
    )
    .argument('<backend>', 'tensorflow (the only one that needs building)')
    .option('--gpu', 'build @tensorflow/tfjs-node-gpu from the CUDA wheel (tensorflow, not tensorflow-cpu); untested: no GPU was at hand')
    .option('--wheel <path|url>', 'the TensorFlow wheel to take libtensorflow from, instead of pip download')
    .option('--tf-version <version>', 'TensorFlow version pip downloads (default 2.21.0, the one measured)')
    .option('--force', 'rebuild even when already set up')
    .action(async (backend: string, f: SetupFlags) => {
      if (backend !== 'tensorflow') throw new UserError(`setup-backend builds 'tensorflow' only (got '${backend}'): wasm and cpu need no set-up; webgpu: npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0`);
      if (f.tfVersion !== undefined && !/^\d+\.\d+(\.\d+)?$/.test(f.tfVersion)) throw new UserError(`--tf-version must look like 2.21.0, got '${f.tfVersion}'`);
      if (f.tfVersion && f.wheel) throw new UserError('--tf-version and --wheel exclude each other: the wheel fixes the version');
      const { setupNative } = await import('../train/native/setup-native.js');
      const variant = f.gpu ? 'tensorflow-gpu' : 'tensorflow';
      if (f.gpu) process.stderr.write('skein: the GPU build is untested (no GPU was at hand when it was written): it needs an NVIDIA driver and the CUDA 12 and cuDNN libraries of that TensorFlow release on the loader path; see docs/training.md\n');
      const r = await setupNative({ variant, wheel: f.wheel, tfVersion: f.tfVersion, force: f.force, log: (t) => process.stderr.write(t) });
      const where = r.dir.startsWith(process.env.HOME ?? '\0') ? path.join('~', path.relative(process.env.HOME!, r.dir)) : r.dir;
      if (r.already) {
        process.stdout.write(`skein: ${variant} backend already set up at ${where} (TensorFlow ${r.install.tensorflow_version}, ${r.install.package} ${r.install.package_version}); nothing to do (--force rebuilds it)\n`);
        return;
      }
      process.stdout.write(
        `skein: ${variant} backend ready in ${r.install.setup_seconds.toFixed(0)} s: TensorFlow ${r.install.tensorflow_version}, ${Math.round(r.install.bytes / 1e6)} MB at ${where}\n` +
          `  skein train --backend auto now picks it; skein doctor lists every backend\n`,
      );
    });
}
