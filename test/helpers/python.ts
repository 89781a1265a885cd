import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './corpus.js';

/**
 * The Python the tests run: `SKEIN_PYTHON`, else the `.venv` that `npm test` creates first
 * (scripts/python-env.mjs: pyarrow, datasets, numpy, torch, transformers, pytest and skein_data).
 * The Python tests never skip: without it they fail, naming the command that makes it.
 */
export const PYTHON = process.env.SKEIN_PYTHON ?? path.join(ROOT, '.venv', process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');

/** Environment of every Python child: offline Hugging Face libraries, quiet tokenizers. */
export const PYTHON_ENV = { ...process.env, HF_DATASETS_OFFLINE: '1', HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', TOKENIZERS_PARALLELISM: 'false', PYTHONDONTWRITEBYTECODE: '1' };

/** Throws, with the fix, when the Python test environment is missing. */
export function requirePython(): string {
  if (!fs.existsSync(PYTHON)) {
    throw new Error(`no Python test environment at ${PYTHON}: run \`npm run python-env\` (npm test runs it first) or set SKEIN_PYTHON`);
  }
  return PYTHON;
}

/** Runs the test Python with `args` (in the repository root unless `cwd`), capturing its output. */
export function python(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(requirePython(), args, { cwd: opts.cwd ?? ROOT, encoding: 'utf8', env: { ...PYTHON_ENV, ...opts.env }, maxBuffer: 1 << 28, input: opts.input });
}
