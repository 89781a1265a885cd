import { Interrupted } from '../util/errors.js';

/** What {@link interruptSignal} returns. */
export interface InterruptHandle {
  /** Aborted, with an {@link Interrupted} reason, on the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** Removes the signal handlers (restores Node's default: the signal ends the process). */
  dispose(): void;
}

/**
 * Turns SIGINT (Ctrl-C) and SIGTERM (Slurm's time limit and preemption, a Kubernetes pod
 * deletion, `kill`) into an orderly stop: the first aborts the returned signal with an
 * {@link Interrupted} error whose message is `then` (what was kept and how to continue); the
 * work stops at its next check, releases its lock and ends with exit code 130 / 143. A second
 * signal ends the process at once.
 */
export function interruptSignal(then: string): InterruptHandle {
  const controller = new AbortController();
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const h = () => {
      if (controller.signal.aborted) process.exit(sig === 'SIGINT' ? 130 : 143);
      process.stderr.write(`\nskein: ${sig} received: stopping (send it again to stop at once)\n`);
      controller.abort(new Interrupted(`interrupted by ${sig}; ${then}`, sig));
    };
    handlers.set(sig, h);
    process.on(sig, h);
  }
  return {
    signal: controller.signal,
    dispose() {
      for (const [sig, h] of handlers) process.off(sig, h);
    },
  };
}
