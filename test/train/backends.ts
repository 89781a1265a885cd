import { BACKENDS, type BackendName } from '../../src/train/backend-names.js';
import { nativeStatus, setupCommand } from '../../src/train/native/install-layout.js';

/**
 * The backends the trainer tests run on.
 *
 * `SKEIN_TRAIN_BACKENDS=tensorflow,wasm` (what CI sets): exactly these, and each must load (a
 * test on a backend that does not load fails: nothing is skipped). Unset (a developer's
 * machine): wasm, plus tensorflow when `skein setup-backend tensorflow` was run; when it was not,
 * {@link untestedNote} says so and the tests that need it are reported as skipped.
 */
export function trainBackends(): BackendName[] {
  const env = process.env.SKEIN_TRAIN_BACKENDS;
  if (env !== undefined && env.trim() !== '') {
    const list = env.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = list.filter((b) => !BACKENDS.includes(b as BackendName));
    if (bad.length) throw new Error(`SKEIN_TRAIN_BACKENDS: unknown backend ${bad.join(', ')} (known: ${BACKENDS.join(', ')})`);
    return list as BackendName[];
  }
  return nativeStatus('tensorflow').state === 'ready' ? ['tensorflow', 'wasm'] : ['wasm'];
}

/** Why tensorflow is not among {@link trainBackends} (undefined when it is, or when the list was given). */
export function untestedNote(): string | undefined {
  if (process.env.SKEIN_TRAIN_BACKENDS?.trim() || trainBackends().includes('tensorflow')) return undefined;
  return `the native tensorflow backend is NOT set up, so the trainer was NOT tested on it: run ${setupCommand('tensorflow')} (CI sets SKEIN_TRAIN_BACKENDS=tensorflow,wasm and requires it)`;
}
