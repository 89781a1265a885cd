import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../util/errors.js';

/** skein's working folder inside an output folder (lock, ledger, checkpoint). */
export const WORK_DIR = '.skein';
/** The lock file inside {@link WORK_DIR}. */
export const LOCK_FILE = 'lock';
/** Held (exclusively created) by the one process replacing a stale lock. */
const TAKEOVER_FILE = 'lock.takeover';
/** A takeover file older than this was left by a process that died while replacing a lock. */
const TAKEOVER_STALE_MS = 30_000;
/** Default seconds without a heartbeat after which a lock whose holder cannot be checked is stale. */
export const DEFAULT_LOCK_STALE_SECONDS = 60;

/** What a lock file holds: who holds it, precisely enough to tell whether that process still runs. */
export interface LockInfo {
  pid: number;
  host: string;
  started: string;
  /** A random id of this holding: the lock is ours exactly while its token is. */
  token?: string;
  /** Linux boot id: a pid means something only within one boot of one machine. */
  boot_id?: string;
  /** The pid namespace (`/proc/self/ns/pid`): a pid means something only within it (containers). */
  pid_ns?: string;
  /** The process's start time in clock ticks since boot: a reused pid has another. */
  start_ticks?: number;
  /** Slurm job id and restart count: a requeued job is the same job with a higher count. */
  slurm_job?: string;
  slurm_restart?: number;
}

/** Options of {@link acquireLock}. */
export interface AcquireLockOptions {
  /**
   * Seconds without a heartbeat after which a lock whose holder cannot be checked from here
   * (another host, another container) is stale. Default: `SKEIN_LOCK_STALE_SECONDS`, else 60.
   */
  staleSeconds?: number;
  /** Environment for the Slurm variables and `SKEIN_LOCK_STALE_SECONDS` (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Called once if the lock is lost while held (removed, or taken over after this process stalled). */
  onLost?: (why: string) => void;
  /** Receives a line when the call waits for a holder's heartbeat to stop. */
  log?: (line: string) => void;
}

/** A held lock on an output folder; {@link release} removes it. */
export interface OutputLock {
  file: string;
  /** A lock left by a dead build that was replaced to take this one. */
  replacedStale?: LockInfo;
  /** Why that lock was stale, in words (e.g. "process 123 is gone"). */
  staleWhy?: string;
  /** Why the lock was lost while held, if it was. */
  lost?: string;
  release(): void;
}

/** Reads a small text file, or undefined. */
function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Field 22 of `/proc/PID/stat` (start time in clock ticks), or undefined when there is no such process (or no /proc). */
function startTicks(pid: number): number | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const t = Number(fields[19]);
  return Number.isFinite(t) ? t : undefined;
}

/** This process as a lock holder. */
function selfIdentity(env: NodeJS.ProcessEnv): LockInfo {
  let pidNs: string | undefined;
  try {
    pidNs = fs.readlinkSync('/proc/self/ns/pid');
  } catch {
    pidNs = undefined;
  }
  const restart = Number(env.SLURM_RESTART_COUNT ?? 0);
  return {
    pid: process.pid,
    host: os.hostname(),
    started: new Date().toISOString(),
    token: randomUUID(),
    ...(readText('/proc/sys/kernel/random/boot_id') ? { boot_id: readText('/proc/sys/kernel/random/boot_id') } : {}),
    ...(pidNs ? { pid_ns: pidNs } : {}),
    ...(startTicks(process.pid) !== undefined ? { start_ticks: startTicks(process.pid) } : {}),
    ...(env.SLURM_JOB_ID ? { slurm_job: env.SLURM_JOB_ID, slurm_restart: Number.isFinite(restart) ? restart : 0 } : {}),
  };
}

/** Whether a process with this pid exists here (for holders without /proc identity). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the holder of a lock runs: checked directly where its pid is meaningful here, else unknown. */
function judge(held: LockInfo, me: LockInfo): { state: 'alive' } | { state: 'dead'; why: string } | { state: 'unknown' } {
  if (held.slurm_job !== undefined && held.slurm_job === me.slurm_job && (held.slurm_restart ?? 0) < (me.slurm_restart ?? 0)) {
    return { state: 'dead', why: `an earlier run of Slurm job ${held.slurm_job} (requeued)` };
  }
  if (held.host !== me.host) return { state: 'unknown' };
  if (held.boot_id !== undefined && me.boot_id !== undefined) {
    // Another boot, or another machine or container with the same host name: the pid says nothing here.
    if (held.boot_id !== me.boot_id || held.pid_ns !== me.pid_ns) return { state: 'unknown' };
    const t = startTicks(held.pid);
    if (t === undefined) return { state: 'dead', why: `process ${held.pid} is gone` };
    if (held.start_ticks !== undefined && t !== held.start_ticks) return { state: 'dead', why: `process ${held.pid} is gone (its pid now belongs to another process)` };
    return { state: 'alive' };
  }
  return processExists(held.pid) ? { state: 'alive' } : { state: 'dead', why: `process ${held.pid} is gone` };
}

/** The lock file's text and mtime, or undefined when there is none; a lock that is not a regular file is a {@link UserError}. */
function readLock(file: string): { text: string; mtimeMs: number } | undefined {
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!st) return undefined;
  if (!st.isFile()) throw new UserError(`${file} is ${st.isDirectory() ? 'a folder' : 'not a regular file'}, not a lock skein wrote; remove it if no build of this folder is running, or build into another --output`);
  try {
    return { text: fs.readFileSync(file, 'utf8'), mtimeMs: st.mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Parses a lock's text; undefined when it is not a lock (a torn write, an edit). */
function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as LockInfo | null;
    return v && typeof v === 'object' && typeof v.pid === 'number' && typeof v.host === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** "process P" or "process P on host H", for messages. */
function holderName(held: LockInfo, me: LockInfo): string {
  return held.host === me.host ? `process ${held.pid}` : `process ${held.pid} on host ${held.host}`;
}

/**
 * Replaces the stale lock whose text is `staleText` by ours, under the takeover file so that of
 * several builds starting together exactly one replaces it (the others then find a live lock).
 * Returns false when another process is replacing it right now or the lock changed meanwhile.
 */
function takeOver(work: string, file: string, staleText: string, mine: string): boolean {
  const mutex = path.join(work, TAKEOVER_FILE);
  try {
    fs.writeFileSync(mutex, mine, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const st = fs.lstatSync(mutex, { throwIfNoEntry: false });
    // Left by a process that died while replacing the lock: remove it, the next attempt proceeds.
    if (st?.isFile() && Date.now() - st.mtimeMs > TAKEOVER_STALE_MS) fs.rmSync(mutex, { force: true });
    return false;
  }
  try {
    if (readLock(file)?.text !== staleText) return false;
    fs.rmSync(file, { force: true });
    fs.writeFileSync(file, mine, { flag: 'wx' });
    return true;
  } finally {
    fs.rmSync(mutex, { force: true });
  }
}

/**
 * Takes the lock of an output folder: `DIR/.skein/lock`, created exclusively, holding this
 * process's identity (pid, host, boot id, pid namespace, start time, Slurm job), so that a
 * second build into the same folder fails at once with a message naming the first.
 *
 * A held lock's file is touched every `staleSeconds / 6` (a heartbeat). A lock is stale, and
 * replaced, when its holder is provably gone:
 * - same machine, boot and pid namespace: its pid is not running, or runs another process (its
 *   start time differs: a pid reused, e.g. by a Kubernetes retry's fresh container);
 * - the same Slurm job, requeued (a higher `SLURM_RESTART_COUNT`);
 * - otherwise (another host, container or boot): its heartbeat has stopped for `staleSeconds`.
 *   The call waits, watching the heartbeat, up to that long (it logs that it waits).
 *
 * Several builds finding the same stale lock replace it under a takeover file: exactly one wins.
 * A lock that is a folder or a link is a {@link UserError}, never removed. {@link OutputLock.release}
 * deletes the lock (only if it is still this holding's) and the work folder when empty.
 */
export async function acquireLock(dir: string, opts: AcquireLockOptions = {}): Promise<OutputLock> {
  const env = opts.env ?? process.env;
  const staleSeconds = opts.staleSeconds ?? (Number(env.SKEIN_LOCK_STALE_SECONDS) > 0 ? Number(env.SKEIN_LOCK_STALE_SECONDS) : DEFAULT_LOCK_STALE_SECONDS);
  const staleMs = staleSeconds * 1000;
  const work = path.join(dir, WORK_DIR);
  const wst = fs.lstatSync(work, { throwIfNoEntry: false });
  if (wst && (!wst.isDirectory() || wst.isSymbolicLink())) {
    throw new UserError(`${work} is ${wst.isSymbolicLink() ? 'a symbolic link' : 'a file'}, not skein's work folder; skein never follows or deletes it: move it away, or choose another --output`);
  }
  if (!wst) fs.mkdirSync(work);
  const file = path.join(work, LOCK_FILE);
  const me = selfIdentity(env);
  const mine = `${JSON.stringify(me)}\n`;
  let waitedFor: string | undefined;
  for (let attempt = 0; attempt < 1000; attempt++) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx' });
      return holding(file, work, me, mine, staleMs, opts.onLost);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const seen = readLock(file);
    if (!seen) continue; // released meanwhile: try again
    const held = parseLock(seen.text);
    let dead: string | undefined;
    if (!held) {
      // Unreadable: a holder that died while writing it, unless it is being written right now.
      if (Date.now() - seen.mtimeMs < 10_000) throw new UserError(`output folder ${dir} is being locked by another build right now (${file}); build into another --output`);
      dead = 'an unreadable lock';
    } else {
      const v = judge(held, me);
      if (v.state === 'alive') {
        throw new UserError(`output folder ${dir} is being built by ${holderName(held, me)} since ${held.started}; wait for it to finish or stop it (or build into another --output)`);
      }
      if (v.state === 'dead') dead = v.why;
      else {
        // Cannot be checked from here: is its heartbeat still beating? Watch the file on our own
        // clock (no comparison of two machines' clocks) for up to staleSeconds.
        if (Date.now() - seen.mtimeMs > staleMs * 2) dead = `its heartbeat stopped ${Math.round((Date.now() - seen.mtimeMs) / 1000)} s ago`;
        else {
          const who = holderName(held, me);
          if (waitedFor !== seen.text) opts.log?.(`the output folder's lock is held by ${who}, which cannot be checked from here; waiting up to ${staleSeconds} s for its heartbeat`);
          waitedFor = seen.text;
          const started = Date.now();
          let beat = false;
          while (Date.now() - started < staleMs) {
            await sleep(Math.min(1000, staleMs / 10));
            const now = readLock(file);
            if (!now || now.text !== seen.text) break; // released or replaced: look again
            if (now.mtimeMs !== seen.mtimeMs) {
              beat = true;
              break;
            }
          }
          const now = readLock(file);
          if (beat) throw new UserError(`output folder ${dir} is being built by ${who} since ${held.started} (its lock's heartbeat is live); wait for it to finish or stop it (or build into another --output)`);
          if (!now || now.text !== seen.text) continue;
          dead = `its heartbeat stopped for ${staleSeconds} s`;
        }
      }
    }
    if (takeOver(work, file, seen.text, mine)) {
      return holding(file, work, me, mine, staleMs, opts.onLost, { info: held ?? { pid: 0, host: '?', started: '?' }, why: dead ?? 'stale' });
    }
    await sleep(20 + Math.floor(Math.random() * 30)); // another process is replacing it: look again
  }
  throw new UserError(`cannot take the lock ${file}: other builds keep taking it; build into another --output`);
}

/** The held lock: its heartbeat and its release. */
function holding(file: string, work: string, me: LockInfo, mine: string, staleMs: number, onLost: ((why: string) => void) | undefined, replaced?: { info: LockInfo; why: string }): OutputLock {
  let released = false;
  const lock: OutputLock = {
    file,
    ...(replaced ? { replacedStale: replaced.info, staleWhy: replaced.why } : {}),
    release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      try {
        if (fs.readFileSync(file, 'utf8') === mine) fs.rmSync(file, { force: true });
      } catch {
        // Already gone.
      }
      // Remove the work folder when nothing else is in it (a finished build).
      try {
        fs.rmdirSync(work);
      } catch {
        // Not empty: a checkpoint is kept for a resume.
      }
    },
  };
  const lose = (why: string) => {
    clearInterval(timer);
    lock.lost = why;
    onLost?.(why);
  };
  const timer = setInterval(() => {
    let text: string | undefined;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      text = undefined;
    }
    if (text === undefined) return lose(`its lock ${file} was deleted`);
    if (text !== mine) {
      const other = parseLock(text);
      return lose(`another build (${other ? holderName(other, me) : 'unknown'}) took over its lock ${file}`);
    }
    const now = new Date();
    try {
      fs.utimesSync(file, now, now);
    } catch {
      // Gone between the read and the touch: the next beat reports it.
    }
  }, Math.max(50, staleMs / 6));
  timer.unref();
  return lock;
}
