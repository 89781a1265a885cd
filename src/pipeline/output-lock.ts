import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../util/errors.js';

/** skein's working folder inside an output folder (lock, checkpoint). */
export const WORK_DIR = '.skein';
/** The lock file inside {@link WORK_DIR}. */
export const LOCK_FILE = 'lock';

/** What a lock file holds. */
export interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

/** Whether a process with this pid exists on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A held lock on an output folder; {@link release} removes it. */
export interface OutputLock {
  file: string;
  /** A lock left by a dead build on this machine that was removed to take this one. */
  replacedStale?: LockInfo;
  release(): void;
}

/**
 * Takes the lock of an output folder: creates `DIR/.skein/lock` exclusively, holding this
 * process's pid, host name and start time, so that a second build into the same folder fails
 * at once with a message naming the first. A lock whose process is gone (same host, pid not
 * running: a build killed with SIGKILL, a crashed machine's own restart) is stale and replaced.
 * A lock from another host cannot be checked: the message says to delete it when that build is
 * known to be dead. {@link OutputLock.release} deletes the file; a killed build leaves it, and
 * the next build on the same host replaces it.
 */
export function acquireLock(dir: string): OutputLock {
  const work = path.join(dir, WORK_DIR);
  fs.mkdirSync(work, { recursive: true });
  const file = path.join(work, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  let replacedStale: LockInfo | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${JSON.stringify(mine)}\n`, { flag: 'wx' });
      let released = false;
      return {
        file,
        replacedStale,
        release() {
          if (released) return;
          released = true;
          try {
            const held = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
            if (held.pid === mine.pid && held.host === mine.host) fs.rmSync(file, { force: true });
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
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let held: LockInfo | undefined;
    try {
      held = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
    } catch {
      held = undefined;
    }
    if (held && (held.host !== mine.host || alive(held.pid))) {
      const where = held.host === mine.host ? `by process ${held.pid}` : `by process ${held.pid} on host ${held.host}`;
      const fix = held.host === mine.host ? 'wait for it to finish or stop it' : `wait for it, or if that build is dead delete ${file}`;
      throw new UserError(`output folder ${dir} is being built ${where} since ${held.started}; ${fix} (or build into another --output)`);
    }
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!held && st && Date.now() - st.mtimeMs < 10_000) {
      throw new UserError(`output folder ${dir} is being locked by another build right now (${file}); build into another --output`);
    }
    // Stale (its process is gone) or unreadable and old (a crash while writing it): take it over.
    replacedStale = held;
    fs.rmSync(file, { force: true });
  }
  throw new UserError(`cannot take the lock ${file}: another build keeps taking it; build into another --output`);
}
