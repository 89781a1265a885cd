/**
 * What building a native backend needs on the machine, checked before anything is downloaded:
 * Linux, python3 (node-gyp runs on it), pip (unless a wheel is given), a C++ compiler, make,
 * Node's C headers, node-gyp, npm, and disk space. Every missing piece is named in one line with
 * the command that installs it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../util/errors.js';

/** The tools a build uses, as found. */
export interface BuildTools {
  /** How to run pip (`python3 -m pip`), when the wheel comes from pip. */
  pip?: string[];
  /** The C++ compiler (its name or $CXX). */
  cxx: string;
  /** The folder whose include/node holds Node's headers (node-gyp's --nodedir). */
  nodedir: string;
  /** node-gyp's bin script. */
  nodeGyp: string;
  /** `strip`, when binutils has it (the libraries are stripped of debug symbols to save ~200 MB). */
  strip?: string;
  /** One line describing what was found. */
  summary: string;
}

/** The first line of a command's `--version` output, or undefined when it does not run. */
function versionOf(cmd: string, args: string[] = ['--version']): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0) return undefined;
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0];
}

/** The last version-looking token of a `--version` line ("g++ (Debian 12.2.0-14) 12.2.0" → "12.2.0"). */
function shortVersion(line: string): string {
  return line.match(/\d+\.\d+(\.\d+)?/g)?.at(-1) ?? line;
}

/** Node's headers folder: npm_config_nodedir, else the prefix of this Node (Debian: /usr; nodejs.org builds: their own prefix). */
export function findNodedir(env: NodeJS.ProcessEnv = process.env): { nodedir: string; ok: boolean } {
  const nodedir = env.npm_config_nodedir ? path.resolve(env.npm_config_nodedir) : path.dirname(path.dirname(process.execPath));
  const ok = fs.existsSync(path.join(nodedir, 'include', 'node', 'node_api.h')) && fs.existsSync(path.join(nodedir, 'include', 'node', 'common.gypi'));
  return { nodedir, ok };
}

/** node-gyp's bin script: $npm_config_node_gyp, else the copy bundled with the npm next to this Node. */
export function findNodeGyp(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    env.npm_config_node_gyp,
    path.join(path.dirname(path.dirname(process.execPath)), 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  const npmRoot = spawnSync('npm', ['root', '-g'], { encoding: 'utf8', timeout: 60_000 });
  if (npmRoot.status === 0) {
    const root = npmRoot.stdout.trim();
    candidates.push(path.join(root, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), path.join(root, 'node-gyp', 'bin', 'node-gyp.js'));
  }
  return candidates.find((c): c is string => !!c && fs.existsSync(c));
}

/** Free bytes on the filesystem that holds `dir` (or its nearest existing parent). */
function freeBytes(dir: string): number | undefined {
  let d = path.resolve(dir);
  while (!fs.existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  try {
    const s = fs.statfsSync(d);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/** Bytes a set-up needs at its peak: the wheel, the extracted libraries, npm's packages, the build. */
export const SETUP_PEAK_BYTES = 2 * 1024 ** 3;

/**
 * Checks everything a build needs and returns the tools; throws one {@link UserError} listing
 * every missing piece with its fix. `needPip`: the wheel comes from pip. `home`: where the build goes.
 */
export function checkBuildTools(o: { needPip: boolean; home: string; env?: NodeJS.ProcessEnv }): BuildTools {
  const env = o.env ?? process.env;
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
    throw new UserError(`setup-backend builds the native backend on Linux (x64, arm64) only, this is ${process.platform}-${process.arch}: train with --backend wasm (the default fallback) instead`);
  }
  const missing: string[] = [];
  const found: string[] = [];
  const python = versionOf('python3');
  if (python) found.push(`python3 ${shortVersion(python)}`);
  else missing.push('python3 (node-gyp runs on it: apt install python3)');
  let pip: string[] | undefined;
  if (o.needPip) {
    const viaPython = python ? versionOf('python3', ['-m', 'pip', '--version']) : undefined;
    const plain = viaPython ? undefined : versionOf('pip');
    if (viaPython) pip = ['python3', '-m', 'pip'];
    else if (plain) pip = ['pip'];
    if (pip) found.push(`pip ${shortVersion((viaPython ?? plain)!.replace(/ from .*/, ''))}`);
    else missing.push('pip (apt install python3-pip, or pass --wheel <path|url> of the wheel)');
  }
  const cxx = [env.CXX, 'c++', 'g++', 'clang++'].find((c): c is string => !!c && versionOf(c) !== undefined);
  if (cxx) found.push(`${cxx} ${shortVersion(versionOf(cxx)!)}`);
  else missing.push('a C++ compiler (apt install g++)');
  const make = versionOf('make');
  if (make) found.push(`make ${shortVersion(make)}`);
  else missing.push('make (apt install make)');
  const { nodedir, ok } = findNodedir(env);
  if (ok) found.push(`Node headers ${path.join(nodedir, 'include', 'node')}`);
  else {
    missing.push(
      `Node's C headers (no ${path.join(nodedir, 'include', 'node', 'node_api.h')}: apt install libnode-dev for Debian's nodejs, use a Node from nodejs.org (it ships include/node), or set npm_config_nodedir to a folder holding include/node)`,
    );
  }
  const npm = versionOf('npm');
  if (!npm) missing.push('npm (install Node.js with npm)');
  const nodeGyp = npm ? findNodeGyp(env) : undefined;
  if (nodeGyp) found.push(`node-gyp ${shortVersion(versionOf(process.execPath, [nodeGyp, '--version']) ?? '?')}`);
  else if (npm) missing.push('node-gyp (npm install -g node-gyp, or set npm_config_node_gyp to its bin/node-gyp.js)');
  const free = freeBytes(o.home);
  if (free !== undefined && free < SETUP_PEAK_BYTES) {
    missing.push(`disk space (${(free / 1024 ** 3).toFixed(1)} GB free under ${o.home}, the build needs ${(SETUP_PEAK_BYTES / 1024 ** 3).toFixed(0)} GB: free some, or set SKEIN_HOME to a disk with room)`);
  }
  if (missing.length) throw new UserError(`cannot build the native backend, missing: ${missing.join('; ')}; then rerun`);
  const strip = versionOf('strip') ? 'strip' : undefined;
  return { pip, cxx: cxx!, nodedir, nodeGyp: nodeGyp!, strip, summary: found.join(', ') };
}
