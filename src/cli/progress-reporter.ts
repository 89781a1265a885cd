import { logLineSeconds } from './progress-interval.js';
import cliProgress from 'cli-progress';
import { humanCount, humanDuration, progressLine, progressRates, type BuildProgress } from '../run/progress.js';

/** Shows build progress: a live bar on a terminal, a plain line every few seconds otherwise. */
export interface ProgressReporter {
  update(p: BuildProgress): void;
  /** What set-up is doing before the first update (a status line on a terminal; nothing in logs). */
  phase(text: string): void;
  stop(): void;
}

/**
 * Picks the reporter for a stream: cli-progress's bar when it is a TTY, periodic log lines
 * (every `lineEverySec`, default 10) when it is not (CI, pipes), nothing when `quiet`.
 */
export function progressReporter(stream: NodeJS.WriteStream, opts: { quiet?: boolean; lineEverySec?: number } = {}): ProgressReporter {
  if (opts.quiet) return { update() {}, phase() {}, stop() {} };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{bar} {percentage}% | {docs} docs | {tokens} tokens | {mbs} MB/s | {tps} tokens/s | ETA {eta_h}',
        hideCursor: true,
        clearOnComplete: true,
        barsize: 24,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    let status = false;
    const clearStatus = () => {
      if (status) stream.write('\r\x1b[2K');
      status = false;
    };
    return {
      phase(text) {
        if (started) return;
        stream.write(`\r\x1b[2Kskein: ${text}…`);
        status = true;
      },
      update(p) {
        clearStatus();
        const r = progressRates(p);
        const payload = { docs: humanCount(p.documents), tokens: humanCount(p.tokens), mbs: r.mbPerSec.toFixed(1), tps: humanCount(r.tokensPerSec), eta_h: r.etaSeconds === undefined ? '?' : humanDuration(r.etaSeconds) };
        const total = Math.max(1, p.bytesTotal);
        if (!started) {
          bar.start(total, 0, payload);
          started = true;
        }
        bar.update(Math.min(p.bytesRead, total), payload);
      },
      stop() {
        clearStatus();
        if (started) bar.stop();
      },
    };
  }
  const every = logLineSeconds(opts.lineEverySec) * 1000;
  let last = 0;
  return {
    update(p) {
      const now = p.seconds * 1000;
      if (now - last < every) return;
      last = now;
      stream.write(`skein: ${progressLine(p)}\n`);
    },
    phase() {},
    stop() {},
  };
}
