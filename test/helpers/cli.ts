import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './corpus.js';

/** What a CLI run returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `skein <args>` (the built bin) in `cwd` without a TTY, as a user's shell would. */
export function skein(args: string[], cwd = ROOT, env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'skein.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A new empty temporary folder, removed when the process exits. */
export function tempDir(prefix = 'skein-test-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** The shard sha256s a build's manifest lists, in order. */
export function shardHashes(dir: string): string[] {
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { shards: Array<{ sha256: string }> };
  return m.shards.map((s) => s.sha256);
}

/** A build's manifest as parsed JSON. */
export function manifestOf(dir: string): any {
  return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
}

/**
 * The whole output of a build, to compare builds that differ only in their worker count: shard
 * hashes, rejects.jsonl and the manifest (less the output folder and the worker count).
 */
export function buildOutput(dir: string): { shards: string[]; rejects: string; manifest: any } {
  const m = manifestOf(dir);
  delete m.config.output.dir;
  delete m.config.tokenizer.workers;
  delete m.tokenizer.workers;
  delete m.tokenizer.worker_pool;
  return { shards: shardHashes(dir), rejects: fs.readFileSync(path.join(dir, 'rejects.jsonl'), 'utf8'), manifest: m };
}

/** Asserts a CLI run failed as a user error: exit 1, one line on stderr (`skein: ...`) matching `pattern`, no stack trace. */
export function oneLineError(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^skein: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
}
