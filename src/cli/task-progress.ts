import { logLineSeconds } from './progress-interval.js';
import cliProgress from 'cli-progress';
import { humanCount, humanDuration } from '../run/progress.js';

/** Progress of a long step of a command other than `build` (stats, inspect --verify, gen-eval, eval). */
export interface TaskProgress {
  /** Reports `done` units of `total` (total unknown: a count only). */
  update(done: number, total?: number): void;
  stop(): void;
}

/**
 * A progress display for `what` counted in `unit`s: a bar (or a live count when the total is
 * unknown) on a terminal, a plain line every `lineEverySec` seconds otherwise (logs, CI), and
 * nothing when `quiet`. Units are shown with K/M/G suffixes.
 */
export function taskProgress(stream: NodeJS.WriteStream, what: string, unit: string, opts: { quiet?: boolean; lineEverySec?: number } = {}): TaskProgress {
  if (opts.quiet) return { update() {}, stop() {} };
  const t0 = performance.now();
  if (stream.isTTY) {
    let bar: cliProgress.SingleBar | undefined;
    return {
      update(done, total) {
        const payload = { done: humanCount(done), total: total === undefined ? '?' : humanCount(total), rate: humanCount(done / Math.max(1e-3, (performance.now() - t0) / 1000)) };
        if (!bar) {
          bar = new cliProgress.SingleBar(
            { stream, format: total === undefined ? `${what}: {done} ${unit} | {rate} ${unit}/s` : `${what} {bar} {percentage}% | {done}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`, hideCursor: true, clearOnComplete: true, barsize: 24 },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total ?? 0, done, payload);
        }
        if (total !== undefined) bar.setTotal(total);
        bar.update(done, payload);
      },
      stop() {
        bar?.stop();
      },
    };
  }
  const every = logLineSeconds(opts.lineEverySec) * 1000;
  let last = performance.now();
  return {
    update(done, total) {
      const now = performance.now();
      if (now - last < every) return;
      last = now;
      const s = (now - t0) / 1000;
      const pct = total ? ` (${((done / total) * 100).toFixed(1)}%, ETA ${humanDuration(((total - done) / Math.max(done, 1)) * s)})` : '';
      stream.write(`skein: ${what}: ${humanCount(done)}${total !== undefined ? `/${humanCount(total)}` : ''} ${unit}${pct}, ${humanDuration(s)}\n`);
    },
    stop() {},
  };
}
