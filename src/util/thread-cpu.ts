import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux architecture Node runs on). */
const USER_HZ = 100;

/**
 * CPU seconds (user + system) used so far by the calling thread alone, not the whole process:
 * `process.threadCpuUsage()` where Node has it (23.9 and later), else the thread's own
 * `/proc/thread-self/stat` (Linux; fields 14 and 15, in clock ticks of 10 ms); undefined where
 * neither exists. CPU time of one thread stays meaningful on a machine other work shares, where
 * wall time does not.
 */
export function threadCpuSeconds(): number | undefined {
  const usage = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
  if (usage) {
    const u = usage.call(process);
    return (u.user + u.system) / 1e6;
  }
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'latin1');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) of the whole process, every thread (worker threads included). */
export function processCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
