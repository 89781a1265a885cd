/** Events at which the test hook can kill the build. */
export type KillEvent = 'rows' | 'shards' | 'checkpoints' | 'manifest';

/**
 * A test hook for crash-safety tests: with `SKEIN_TEST_KILL=<event>:<n>` in the environment
 * the build kills its own process with SIGKILL (no cleanup, no `finally`, like a lost machine)
 * right after the n-th occurrence of the event in this run:
 *
 * - `rows:n`: the n-th row handed to the shard writer (mid-shard: the shard's temporary file is
 *   open and partly written);
 * - `shards:n`: the n-th shard renamed to its final name, before the checkpoint that records it;
 * - `checkpoints:n`: the n-th checkpoint written (a shard boundary);
 * - `manifest:1`: the final manifest written, before the checkpoint files are removed.
 *
 * A third part, `:SIGTERM` or `:SIGINT`, sends that signal instead (an orderly stop: see the
 * CLI's signal handling). Only for tests: a build under the hook does not finish.
 */
export class KillHook {
  private seen: Record<KillEvent, number> = { rows: 0, shards: 0, checkpoints: 0, manifest: 0 };

  private constructor(
    private readonly event: KillEvent,
    private readonly at: number,
    private readonly signal: 'SIGKILL' | 'SIGTERM' | 'SIGINT',
  ) {}

  /** The hook named by `SKEIN_TEST_KILL`, or undefined. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): KillHook | undefined {
    const v = env.SKEIN_TEST_KILL;
    if (!v) return undefined;
    const m = /^(rows|shards|checkpoints|manifest):(\d+)(?::(SIGKILL|SIGTERM|SIGINT))?$/.exec(v);
    if (!m) throw new Error(`SKEIN_TEST_KILL=${v}: expected rows:N, shards:N, checkpoints:N or manifest:1, optionally :SIGTERM or :SIGINT`);
    return new KillHook(m[1] as KillEvent, Number(m[2]), (m[3] as 'SIGKILL' | 'SIGTERM' | 'SIGINT' | undefined) ?? 'SIGKILL');
  }

  /** Counts one event; kills the process when it is the one named. */
  hit(event: KillEvent): void {
    if (++this.seen[event] === this.at && event === this.event) process.kill(process.pid, this.signal);
  }
}
