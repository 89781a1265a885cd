import { logLineSeconds } from './progress-interval.js';
import cliProgress from 'cli-progress';
import { humanCount, humanDuration } from '../run/progress.js';
import type { StepLog } from '../train/trainer.js';

/** Shows training progress: a live bar on a terminal, a plain line every few seconds otherwise. */
export interface TrainProgress {
  step(entry: StepLog, totalSteps: number): void;
  /** Prints a note without breaking the bar. */
  note(line: string): void;
  stop(): void;
}

/** One progress line: step, loss, throughput, learning rate, ETA. */
export function trainProgressLine(e: StepLog, total: number): string {
  const eta = e.step > 0 ? (e.elapsed_s / e.step) * (total - e.step) : 0;
  return `step ${e.step}/${total} | loss ${e.loss.toFixed(4)} | ${humanCount(e.tokens_per_s)} tokens/s | lr ${e.lr.toExponential(2)} | ETA ${humanDuration(eta)}`;
}

/**
 * Picks the reporter for a stream: cli-progress's bar on a TTY, a line every `lineEverySec`
 * (default 10) and at the last step otherwise, nothing when `quiet`.
 */
export function trainProgress(stream: NodeJS.WriteStream, opts: { quiet?: boolean; lineEverySec?: number } = {}): TrainProgress {
  if (opts.quiet) return { step() {}, note() {}, stop() {} };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: '{bar} {value}/{total} steps | loss {loss} | {tps} tokens/s | lr {lr} | ETA {eta_h}', hideCursor: true, barsize: 24 },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      step(e, total) {
        const payload = { loss: e.loss.toFixed(4), tps: humanCount(e.tokens_per_s), lr: e.lr.toExponential(2), eta_h: humanDuration((e.elapsed_s / e.step) * (total - e.step)) };
        if (!started) {
          bar.start(total, e.step - 1, payload);
          started = true;
        }
        bar.update(e.step, payload);
      },
      note(line) {
        if (started) bar.stop();
        started = false;
        stream.write(`skein: ${line}\n`);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  const every = logLineSeconds(opts.lineEverySec) * 1000;
  let last = -Infinity;
  return {
    step(e, total) {
      const now = performance.now();
      if (now - last < every && e.step !== total) return;
      last = now;
      stream.write(`skein: ${trainProgressLine(e, total)}\n`);
    },
    note(line) {
      stream.write(`skein: ${line}\n`);
    },
    stop() {},
  };
}
