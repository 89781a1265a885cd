import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './corpus.js';

/** What an asynchronous CLI run returned (`signal` is set when the process was killed). */
export interface AsyncCliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `skein <args>` as a child process without waiting for it, so several can run at once;
 * with `killAfterMs`, SIGKILLs it then if it is still running (like a lost machine).
 */
export function skeinAsync(args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT, killAfterMs?: number): Promise<AsyncCliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'skein.js'), ...args], { cwd, env: { ...process.env, FORCE_COLOR: '0', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** sha256 of every `*.arrow` file (or every file whose name matches `names`) directly in `dir`, by name. */
export function arrowHashes(dir: string, names = /\.arrow$/): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).filter((n) => names.test(n) && !n.startsWith('.')).sort()) out[f] = createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex');
  return out;
}
