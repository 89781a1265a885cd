#!/usr/bin/env node
// Creates or refreshes the Python environment the tests use: a git-ignored .venv at the repository
// root with python/requirements-test.txt (pyarrow, datasets, numpy, torch, transformers, pytest)
// and the skein_data package from python/, installed as `pip install ./python` would.
//
// `npm test` runs it first; `npm run python-env` runs it alone. The first run installs (a few
// minutes); later runs only compare a stamp and return at once, or reinstall what changed. It
// fails loudly (exit 1, with the command to run) rather than letting the Python tests skip.
//
// SKEIN_PYTHON=/path/to/python: use that interpreter instead (it must already have the
// requirements and skein_data); nothing is installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VENV = path.join(ROOT, '.venv');
const VENV_PYTHON = path.join(VENV, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
const REQUIREMENTS = path.join(ROOT, 'python', 'requirements-test.txt');
const STAMP = path.join(VENV, '.skein-stamp.json');
const FIX = `python3 -m venv .venv && .venv/bin/pip install -r python/requirements-test.txt && .venv/bin/pip install --no-deps --no-build-isolation ./python`;
const CHECK = 'import pyarrow, datasets, numpy, torch, transformers, pytest, skein_data';

/** Exits 1 with a message that names the failed step and the fix. */
function fail(what, detail = '') {
  const tail = detail.trim().split('\n').slice(-15).join('\n');
  process.stderr.write(
    `\nskein: the Python test environment is not ready: ${what}\n${tail ? `${tail}\n` : ''}` +
      `fix: run \`npm run python-env\` again once pip can reach a package index (or its mirror), or by hand:\n  ${FIX}\n` +
      `or point SKEIN_PYTHON at an interpreter that has pyarrow, datasets, numpy, torch, transformers, pytest and skein_data (pip install ./python).\n`,
  );
  process.exit(1);
}

/** Runs a command, streaming nothing; returns its combined output, or fails naming it. */
function run(cmd, args, what) {
  // No retries unless asked for: an index that cannot be reached (PyPI behind a mirror-only
  // network) then fails at once and pip moves on to the next, instead of backing off per package.
  const env = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_RETRIES: process.env.PIP_RETRIES ?? '0' };
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env, maxBuffer: 1 << 26 });
  if (r.error || r.status !== 0) fail(`${what} failed (${[cmd, ...args].join(' ')})`, `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`);
  return `${r.stdout}${r.stderr}`;
}

/** sha256 of the files of the package (sources and build metadata), in a stable order. */
function packageHash() {
  const h = createHash('sha256');
  const dir = path.join(ROOT, 'python');
  const files = ['pyproject.toml', 'README.md', ...readdirSync(path.join(dir, 'skein_data')).filter((f) => f.endsWith('.py')).sort().map((f) => `skein_data/${f}`)];
  for (const f of files) h.update(`${f}\n`).update(readFileSync(path.join(dir, f)));
  return h.digest('hex');
}

if (process.env.SKEIN_PYTHON) {
  run(process.env.SKEIN_PYTHON, ['-c', CHECK], `SKEIN_PYTHON=${process.env.SKEIN_PYTHON} cannot import the test requirements`);
  process.exit(0);
}

const want = { requirements: createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex'), package: packageHash() };
let have = {};
try {
  have = JSON.parse(readFileSync(STAMP, 'utf8'));
} catch {
  // no stamp yet: everything is installed below
}
if (!existsSync(VENV_PYTHON)) {
  process.stderr.write('skein: creating the Python test environment in .venv (first run only: pip installs pyarrow, datasets, numpy, torch (CPU), transformers, pytest; a few minutes)\n');
  run(process.env.PYTHON3 ?? 'python3', ['-m', 'venv', VENV], 'creating the virtualenv (python3 -m venv; on Debian/Ubuntu install python3-venv)');
  have = {};
}
if (have.requirements !== want.requirements) {
  if (have.requirements) process.stderr.write('skein: python/requirements-test.txt changed: updating .venv\n');
  run(VENV_PYTHON, ['-m', 'pip', 'install', '--quiet', '-r', REQUIREMENTS], 'installing python/requirements-test.txt into .venv');
  have = { requirements: want.requirements };
  writeFileSync(STAMP, JSON.stringify(have));
}
if (have.package !== want.package) {
  // setuptools builds in python/build: cleared before and after so that no stale file is packaged.
  const clean = () => {
    for (const d of ['build', 'skein_data.egg-info']) rmSync(path.join(ROOT, 'python', d), { recursive: true, force: true });
  };
  clean();
  run(VENV_PYTHON, ['-m', 'pip', 'install', '--quiet', '--no-deps', '--no-build-isolation', '--force-reinstall', './python'], 'installing skein_data (pip install ./python) into .venv');
  clean();
  run(VENV_PYTHON, ['-c', CHECK], 'importing the test requirements from .venv');
  writeFileSync(STAMP, JSON.stringify(want));
}
