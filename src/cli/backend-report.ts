/**
 * Which trainer backends load on this machine, and why the others do not: each backend is tried
 * in its own child process (`skein doctor --probe NAME`), since two native backends cannot share
 * one process (both register tfjs's `tensorflow` backend) and a native library that crashes must
 * not take the report down with it.
 */
import { spawn } from 'node:child_process';
import { BACKENDS, type BackendName } from '../train/backend-names.js';

/** The result of one probe. */
export interface BackendProbe {
  name: BackendName;
  ok: boolean;
  /** What loaded (ok) or why not. */
  detail: string;
}

/** Runs one probe in a child process of this CLI. */
function probeInChild(name: BackendName): Promise<BackendProbe> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'doctor', '--probe', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code, signal) => {
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as BackendProbe);
      } catch {
        resolve({ name, ok: false, detail: `the probe process ended with ${signal ?? `exit code ${code}`}: ${err.trim().split('\n').at(-1) ?? ''}` });
      }
    });
  });
}

/** Probes every backend (in parallel child processes). */
export function probeBackends(): Promise<BackendProbe[]> {
  return Promise.all(BACKENDS.map(probeInChild));
}

/** The probe of one backend in this process (what `doctor --probe` prints as JSON). */
export async function probeHere(name: BackendName): Promise<BackendProbe> {
  const { probeBackend } = await import('../train/backend.js');
  return { name, ...(await probeBackend(name)) };
}

/** The table `skein doctor` and `skein train --backend list` print. */
export function backendTable(probes: BackendProbe[]): string {
  const auto = probes.find((p) => p.ok)?.name;
  const lines = probes.map((p) => `  ${p.name.padEnd(15)}${(p.ok ? 'loads' : 'no').padEnd(7)}${p.detail}${p.name === auto ? '   ← --backend auto' : ''}`);
  return `trainer backends (--backend auto takes the first that loads):\n${lines.join('\n')}\n`;
}
