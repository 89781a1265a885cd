import { readFileSync } from 'node:fs';
import { open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Prefix of every temporary file skein makes for ZIP members. */
export const TEMP_PREFIX = 'skein-zip-';

/** This boot's id and a process's start time (Linux); undefined elsewhere. */
function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().replace(/-/g, '').slice(0, 16);
  } catch {
    return undefined;
  }
}

/** Start time of process `pid` in clock ticks since boot (field 22 of /proc/PID/stat); undefined when it is not running or unknown. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const BOOT = bootId();
const SELF = `${BOOT ?? 'x'}-${process.pid}-${startTime(process.pid) ?? 'x'}`;

/**
 * A temporary file that disappears however the process ends: it is created in `os.tmpdir()`
 * and unlinked at once, and used through its open handle only, so the operating system frees
 * it when the handle closes, also on SIGKILL (on systems that cannot unlink an open file it is
 * removed on close instead). Its name, while it has one, records this boot, process id and
 * process start time; {@link removeStaleTempFiles} uses them to remove what a killed process
 * left in the instant between creating and unlinking.
 */
export async function openUnlinkedTempFile(): Promise<{ handle: FileHandle; close: () => Promise<void> }> {
  await removeStaleTempFiles();
  const path = join(tmpdir(), `${TEMP_PREFIX}${SELF}-${Math.random().toString(36).slice(2, 10)}.tmp`);
  const handle = await open(path, 'wx+', 0o600);
  let linked = true;
  try {
    await unlink(path);
    linked = false;
  } catch {
    // Kept until close (a platform that cannot unlink open files).
  }
  return {
    handle,
    close: async () => {
      await handle.close();
      if (linked) await unlink(path).catch(() => undefined);
    },
  };
}

let swept = false;

/**
 * Removes temporary files of {@link openUnlinkedTempFile} whose owner is provably gone: made on
 * this boot by a process id that is no longer running, or that now belongs to a process started
 * at another time. Files of other machines or boots, and names skein did not make, are left
 * alone. Runs once per process; does nothing where /proc is missing.
 */
export async function removeStaleTempFiles(dir: string = tmpdir()): Promise<string[]> {
  if (swept || BOOT === undefined) return [];
  swept = true;
  const removed: string[] = [];
  const names = await readdir(dir).catch(() => [] as string[]);
  const pattern = new RegExp(`^${TEMP_PREFIX}([0-9a-f]{16})-(\\d+)-(\\d+)-[0-9a-z]+\\.tmp$`);
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m || m[1] !== BOOT) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || startTime(pid) === m[3]) continue;
    await unlink(join(dir, name)).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  return removed;
}

/** Lets a test run the sweep again (it runs once per process). */
export function resetTempSweepForTests(): void {
  swept = false;
}
