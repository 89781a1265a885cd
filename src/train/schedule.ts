/** Learning-rate schedule: linear warmup, then cosine decay to a floor. */
export interface LrSchedule {
  /** Peak learning rate, reached at the end of warmup. */
  lr: number;
  /** Warmup steps (lr rises linearly from lr/warmup to lr). */
  warmup: number;
  /** Total optimizer steps of the run; the cosine reaches `minLr` at the last one. */
  steps: number;
  /** The floor the cosine decays to. */
  minLr: number;
}

/**
 * The learning rate of optimizer step `step` (1-based): `lr · step / warmup` during warmup, then
 * `minLr + (lr − minLr) · ½(1 + cos(π · progress))` with progress going from 0 after warmup to
 * 1 at the last step.
 */
export function learningRate(s: LrSchedule, step: number): number {
  if (step <= s.warmup) return (s.lr * step) / Math.max(1, s.warmup);
  const span = Math.max(1, s.steps - s.warmup);
  const progress = Math.min(1, (step - s.warmup) / span);
  return s.minLr + (s.lr - s.minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
