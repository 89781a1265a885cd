#!/usr/bin/env node
// Runs every shell block of README.md and docs/*.md, as written and in order, the way a new user
// would: (1) in a fresh copy of the repository (its tracked and unignored files, nothing built),
// and (2) in an empty project that installed skein from its npm tarball. Blocks marked
// `skein-doc skip` / `clone-only` (scripts/doc-blocks.mjs) are listed with their reasons.
// The two run side by side once the clone has built itself. Exit 0 when every block that runs
// passes, 1 when one fails, 2 when the set-up fails; .ci/run calls it after `npm test`.
//
//   node scripts/check-doc-commands.mjs [--only clone|installed] [--keep] [--list] [--timeout S]
//
// Nothing is downloaded: npm runs with `offline` (the cache that `npm ci` filled), and the
// installed project gets a lockfile made from the repository's own (its production entries, plus
// skein from the packed tarball), which is what `npm install skein` resolves to for this version.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allBlocks } from './doc-blocks.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const o = { only: null, keep: false, list: false, timeout: 600 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') o.only = argv[++i];
    else if (a === '--keep') o.keep = true;
    else if (a === '--list') o.list = true;
    else if (a === '--timeout') o.timeout = Number(argv[++i]);
    else throw new Error(`unknown option ${a}`);
  }
  if (o.only && o.only !== 'clone' && o.only !== 'installed') throw new Error('--only takes clone or installed');
  return o;
}

/** Environment of every command: npm never reaches the network, no colours, no TTY progress. */
const ENV = { ...process.env, npm_config_offline: 'true', npm_config_fund: 'false', npm_config_audit: 'false', FORCE_COLOR: '0' };

/** Runs a shell script in `cwd` (its own process group, killed whole on timeout); resolves to { ok, code, seconds, output }. */
function sh(script, cwd, timeoutS) {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `set -eo pipefail\n${script}`], { cwd, env: ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutS * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const output = Buffer.concat(chunks).toString('utf8');
      resolve({ ok: code === 0 && !timedOut, code: timedOut ? `killed after ${timeoutS} s` : code, seconds: (performance.now() - t0) / 1000, output });
    });
  });
}

/** The temporary folder of this run, removed on exit unless --keep. */
let tmpDir = null;

/** Fails the whole check (set-up problems, not doc bugs). */
function die(what, r) {
  process.stderr.write(`check-doc-commands: ${what} failed (exit ${r.code})\n${r.output.split('\n').slice(-30).join('\n')}\n`);
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  process.exit(2);
}

/** A fresh-clone-like copy: the tracked and unignored files of the working tree, nothing built. */
async function makeClone(tmp) {
  const dir = path.join(tmp, 'clone');
  mkdirSync(dir);
  const r = await sh(`git -C ${JSON.stringify(ROOT)} ls-files -co --exclude-standard -z | (cd ${JSON.stringify(ROOT)} && tar --null -T - -cf -) | tar -xf -`, dir, 120);
  if (!r.ok) die('copying the working tree', r);
  return dir;
}

/**
 * An empty project with skein installed from its packed tarball. The lockfile lists skein (the
 * tarball) and the repository lock's production packages, so `npm ci --offline` installs exactly
 * what a registry install of this version would, from the local cache.
 */
async function makeInstalledProject(tmp, builtClone) {
  const pack = await sh(`npm pack --ignore-scripts --silent --pack-destination ${JSON.stringify(tmp)}`, builtClone, 300);
  if (!pack.ok) die('npm pack', pack);
  const tgz = path.join(tmp, pack.output.trim().split('\n').pop());
  const dir = path.join(tmp, 'project');
  mkdirSync(dir);
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const spec = `file:${tgz}`;
  const { devDependencies: _dev, ...skeinEntry } = lock.packages[''];
  const packages = { '': { name: 'skein-user', version: '1.0.0', dependencies: { skein: spec } } };
  packages['node_modules/skein'] = { ...skeinEntry, resolved: spec, integrity: `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}` };
  for (const [k, v] of Object.entries(lock.packages)) if (k !== '' && !v.dev) packages[k] = v;
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'skein-user', version: '1.0.0', private: true, type: 'module', dependencies: { skein: spec } }, null, 2)}\n`);
  writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify({ name: 'skein-user', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  const ci = await sh('npm ci', dir, 600);
  if (!ci.ok) die('npm ci of the packed tarball', ci);
  return dir;
}

/**
 * Runs the blocks of one context in order, printing each result as it comes (prefixed with the
 * context); `afterBlock` is called after every block that ran. Returns the results.
 */
async function runContext(name, dir, blocks, timeoutS, afterBlock = () => {}) {
  const results = [];
  const say = (line) => process.stdout.write(`[${name}] ${line}\n`);
  say(`in ${dir}`);
  for (const b of blocks) {
    const where = `${b.file}:${b.line}`;
    const reason = b.skip ?? (name === 'installed' ? b.cloneOnly : null);
    if (reason) {
      results.push({ context: name, where, status: 'skipped', reason });
      say(`skip ${where}: ${reason}`);
      continue;
    }
    for (const o of b.omitted) say(`omit ${where}: \`${o.command}\`: ${o.reason}`);
    const r = await sh(b.commands, dir, timeoutS);
    results.push({ context: name, where, status: r.ok ? 'passed' : 'failed', seconds: r.seconds });
    say(`${r.ok ? 'ok  ' : 'FAIL'} ${where} (${r.seconds.toFixed(1)} s)`);
    if (!r.ok) {
      say(`${b.commands.replace(/^/gm, '  $ ')}\n  exit ${r.code}; last output:\n${r.output.trimEnd().split('\n').slice(-20).map((l) => `    ${l}`).join('\n')}`);
    }
    afterBlock();
  }
  return results;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const blocks = allBlocks(ROOT);
  if (opts.list) {
    for (const b of blocks) {
      const how = b.skip ? `skip: ${b.skip}` : b.cloneOnly ? `clone only: ${b.cloneOnly}` : 'runs in both';
      process.stdout.write(`${b.file}:${b.line} ${how}${b.omitted.map((o) => `; omits \`${o.command}\`: ${o.reason}`).join('')}\n`);
    }
    return;
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'skein-doc-commands-'));
  if (!opts.keep) tmpDir = tmp;
  const t0 = performance.now();
  let results = [];
  try {
    const clone = await makeClone(tmp);
    // The installed project's tarball is packed from the clone once the clone's own documented
    // `npm install` has built it (dist/); from then on both contexts run side by side.
    let built;
    const cloneBuilt = new Promise((resolve) => (built = resolve));
    const markBuilt = () => {
      if (existsSync(path.join(clone, 'dist', 'index.js'))) built();
    };
    const tasks = [];
    if (opts.only !== 'installed') {
      tasks.push(runContext('clone', clone, blocks, opts.timeout, markBuilt).finally(() => built()));
    } else {
      tasks.push(sh('npm install', clone, 600).then((r) => (r.ok ? (built(), []) : die('npm install in the clone', r))));
    }
    if (opts.only !== 'clone') {
      tasks.push(cloneBuilt.then(async () => {
        if (!existsSync(path.join(clone, 'dist', 'index.js'))) die('building the clone (no dist/ after its blocks)', { code: '-', output: '' });
        return runContext('installed', await makeInstalledProject(tmp, clone), blocks, opts.timeout);
      }));
    }
    results = (await Promise.all(tasks)).flat();
  } finally {
    if (opts.keep) process.stdout.write(`\nkept ${tmp}\n`);
    else rmSync(tmp, { recursive: true, force: true });
  }
  const count = (s) => results.filter((r) => r.status === s).length;
  process.stdout.write(`\n${count('passed')} blocks passed, ${count('failed')} failed, ${count('skipped')} skipped (reasons above) in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  for (const r of results.filter((x) => x.status === 'failed')) process.stdout.write(`failed: ${r.context} ${r.where}\n`);
  process.exit(count('failed') > 0 ? 1 : 0);
}

await main();
