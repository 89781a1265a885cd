import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireLock } from '../../src/output-state/output-lock.js';
import { manifestOf, tempDir } from '../helpers/cli.js';
import { ROOT } from '../helpers/corpus.js';
import { arrowHashes, skeinAsync } from '../helpers/spawn.js';

/** This process as a lock holder would describe itself (what skein reads from /proc). */
function identity(pid = process.pid): { boot_id: string; pid_ns: string; start_ticks: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return {
    boot_id: fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
    pid_ns: fs.readlinkSync('/proc/self/ns/pid'),
    start_ticks: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]),
  };
}

/** An output folder whose `.skein/lock` holds `info`; returns the folder and the lock's path. */
function lockedFolder(info: object, name = 'out'): { out: string; lock: string } {
  const out = path.join(tempDir('skein-lock-'), name);
  fs.mkdirSync(path.join(out, '.skein'), { recursive: true });
  const lock = path.join(out, '.skein', 'lock');
  fs.writeFileSync(lock, `${JSON.stringify(info)}\n`);
  return { out, lock };
}

const BUILD = ['build', '--seq-len', '4096', '--no-progress', '--tokenizer', 'o200k_base'];
const started = '2026-01-01T00:00:00.000Z';

test('a live build on this machine (same pid, same start time) holds its folder: a second build fails at once naming it', async () => {
  const { out, lock } = lockedFolder({ pid: process.pid, host: os.hostname(), started, ...identity() });
  const r = await skeinAsync([...BUILD, '--output', out]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^skein: output folder .*out is being built by process ${process.pid} since ${started}; wait for it to finish or stop it`));
  assert.ok(fs.existsSync(lock), 'the live lock stays');
});

test('a lock from before identities were recorded (pid and host only) still counts while its pid runs, and is replaced once it is gone', async () => {
  const { out } = lockedFolder({ pid: process.pid, host: os.hostname(), started });
  const busy = await skeinAsync([...BUILD, '--output', out]);
  assert.equal(busy.code, 1, busy.stderr);
  assert.match(busy.stderr, /is being built by process/);
  const { out: out2 } = lockedFolder({ pid: 2 ** 22 + 12345, host: os.hostname(), started });
  const ok = await skeinAsync([...BUILD, '--output', out2]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /note: removed a stale lock left by process 4206649 \(process 4206649 is gone\)/);
  assert.ok(!fs.existsSync(path.join(out2, '.skein')), 'the work folder is gone after the build');
});

test('a Kubernetes retry whose process got the old lock\'s pid (same host, another start time) takes the lock at once', async () => {
  // The test process is alive, but it is not the process that took this lock: its start time differs.
  const { out } = lockedFolder({ pid: process.pid, host: os.hostname(), started, ...identity(), start_ticks: identity().start_ticks - 1 });
  const r = await skeinAsync([...BUILD, '--output', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`note: removed a stale lock left by process ${process.pid} \\(process ${process.pid} is gone \\(its pid now belongs to another process\\)\\)`));
});

test('a lock from another container (other pid namespace) or host whose heartbeat stopped is taken over after the stale time; one whose heartbeat beats is not', async () => {
  const env = { SKEIN_LOCK_STALE_SECONDS: '2' };
  // Another container of this machine: its pid means nothing here, so its heartbeat decides.
  const { out, lock: lock1 } = lockedFolder({ pid: 2, host: os.hostname(), started, ...identity(), pid_ns: 'pid:[1]' });
  // Its last beat stamped "in a minute" (a clock ahead of ours): it must be watched, not aged.
  const ahead = new Date(Date.now() + 60_000);
  fs.utimesSync(lock1, ahead, ahead);
  const r = await skeinAsync([...BUILD, '--output', out], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /lock is held by process 2, which cannot be checked from here; waiting up to 2 s for its heartbeat/);
  assert.match(r.stdout, /note: removed a stale lock left by process 2 \(its heartbeat stopped for 2 s\)/);

  // Another host whose build is alive: the test keeps touching its lock as skein's heartbeat does.
  const { out: out2, lock } = lockedFolder({ pid: 77, host: 'another-host', started, boot_id: 'x', pid_ns: 'pid:[1]', start_ticks: 1 });
  const beat = setInterval(() => fs.utimesSync(lock, new Date(), new Date()), 200);
  try {
    const busy = await skeinAsync([...BUILD, '--output', out2], env);
    assert.equal(busy.code, 1, busy.stderr);
    assert.match(busy.stderr, /is being built by process 77 on host another-host since .* \(its lock's heartbeat is live\)/);
  } finally {
    clearInterval(beat);
  }
  assert.ok(fs.existsSync(lock));

  // A lock whose heartbeat stopped long ago is taken without waiting.
  const old = new Date(Date.now() - 3600_000);
  fs.utimesSync(lock, old, old);
  const t0 = Date.now();
  const taken = await skeinAsync([...BUILD, '--output', out2], env);
  assert.equal(taken.code, 0, taken.stderr);
  assert.match(taken.stdout, /removed a stale lock left by host another-host, process 77 \(its heartbeat stopped \d+ s ago\)/);
  assert.doesNotMatch(taken.stderr, /waiting/);
  assert.ok(Date.now() - t0 < 60_000);
});

test('a requeued Slurm job (same job id, higher restart count) takes its earlier run\'s lock on another node at once', async () => {
  const { out } = lockedFolder({ pid: 99, host: 'node-017', started, boot_id: 'other', slurm_job: '4242', slurm_restart: 0 });
  const r = await skeinAsync([...BUILD, '--output', out], { SLURM_JOB_ID: '4242', SLURM_RESTART_COUNT: '1', SKEIN_LOCK_STALE_SECONDS: '600' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /removed a stale lock left by host node-017, process 99 \(an earlier run of Slurm job 4242 \(requeued\)\)/);
});

test('a lock that is a folder is never removed: one line, exit 1', async () => {
  const out = path.join(tempDir('skein-lock-'), 'out');
  fs.mkdirSync(path.join(out, '.skein', 'lock'), { recursive: true });
  fs.writeFileSync(path.join(out, '.skein', 'lock', 'keep.txt'), 'mine');
  const r = await skeinAsync([...BUILD, '--output', out]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^skein: .*\.skein\/lock is a folder, not a lock skein wrote; remove it if no build of this folder is running/);
  assert.equal(fs.readFileSync(path.join(out, '.skein', 'lock', 'keep.txt'), 'utf8'), 'mine');
});

test('two processes finding the same stale lock: exactly one takes it, every time', async () => {
  const script = `
    import { acquireLock } from ${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))};
    const dir = process.argv[1];
    try {
      const lock = await acquireLock(dir, { staleSeconds: 30 });
      process.stdout.write('got');
      await new Promise((r) => setTimeout(r, 1500));
      lock.release();
    } catch (e) {
      process.stdout.write('refused: ' + e.message);
    }`;
  const run = (dir: string) =>
    new Promise<string>((resolve, reject) => {
      const c = spawn(process.execPath, ['--input-type=module', '-e', script, dir]);
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.on('error', reject);
      c.on('close', () => resolve(out));
    });
  for (let trial = 0; trial < 12; trial++) {
    const { out } = lockedFolder({ pid: 2 ** 22 + trial, host: os.hostname(), started, ...identity(), start_ticks: 1 });
    const results = await Promise.all([run(out), run(out)]);
    assert.equal(results.filter((r) => r === 'got').length, 1, `trial ${trial}: ${JSON.stringify(results)}`);
    assert.match(results.find((r) => r !== 'got')!, /refused: output folder .* is being built by process \d+/, `trial ${trial}`);
  }
});

test('a held lock beats (its file is touched) and reports when another process takes it', async () => {
  const out = path.join(tempDir('skein-lock-'), 'out');
  fs.mkdirSync(out);
  let lost = '';
  const lock = await acquireLock(out, { staleSeconds: 0.6, onLost: (why) => (lost = why) });
  try {
    const m0 = fs.statSync(lock.file).mtimeMs;
    await sleep(400);
    assert.ok(fs.statSync(lock.file).mtimeMs > m0, 'the heartbeat touched the lock');
    fs.writeFileSync(lock.file, `${JSON.stringify({ pid: 5, host: 'other', started })}\n`);
    await sleep(400);
    assert.match(lost, /another build \(process 5 on host other\) took over its lock/);
    assert.equal(lock.lost, lost);
  } finally {
    lock.release();
  }
  assert.ok(fs.existsSync(lock.file), 'release never removes a lock that is not its own');
});

for (const [sig, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
  test(`${sig} mid-build (a Slurm time limit, a pod deletion, Ctrl-C): exit ${code}, one line, the lock released, the checkpoint kept; the same command resumes byte-identical`, async () => {
    const base = tempDir('skein-sig-');
    const args = (out: string) => ['build', '--output', out, '--seq-len', '1024', '--shard-tokens', '20000', '--no-progress'];
    const ref = path.join(base, 'ref');
    assert.equal((await skeinAsync(args(ref))).code, 0);
    const out = path.join(base, 'out');
    const r = await skeinAsync(args(out), { SKEIN_TEST_KILL: `rows:45:${sig}` });
    assert.equal(r.code, code, r.stderr);
    const lines = r.stderr.trim().split('\n');
    const m = new RegExp(`^skein: interrupted by ${sig}; kept (\\d+) finished shards \\(checkpoint (\\d+)\\): run the same command again to resume$`).exec(lines.at(-1)!);
    assert.ok(m, r.stderr);
    const kept = Number(m[1]);
    assert.ok(kept >= 2, `${kept} shards were finished before the signal`);
    assert.ok(!fs.existsSync(path.join(out, '.skein', 'lock')), 'the lock is released');
    assert.ok(fs.existsSync(path.join(out, '.skein', 'resume.json')), 'the checkpoint is kept');
    assert.deepEqual(Object.keys(arrowHashes(out)), Object.keys(arrowHashes(ref)).slice(0, kept), 'exactly the checkpoint\'s shards are on disk, no partial one');
    const resumed = await skeinAsync(args(out));
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`resumed: kept ${kept} finished shards`));
    assert.doesNotMatch(resumed.stdout, /stale lock/);
    assert.deepEqual(arrowHashes(out), arrowHashes(ref));
    assert.equal(manifestOf(out).documents.written, manifestOf(ref).documents.written);
  });
}
