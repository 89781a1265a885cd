import { Transform, type TransformCallback } from 'node:stream';
import type { Sample } from '../samples/sample.js';

/**
 * An augmenter transforms built rows (docs/architecture.md#builders-and-augmenters): UtK knot-tying, loss-mask rules. It is a
 * plain object with one method (easy to test and to drive from any loop); {@link augmentStage}
 * chains several as one Node Transform.
 */
export interface Augmenter {
  /** Augmenter type as in the config (`utk`, `eod-mask-loss`). */
  readonly name: string;
  /** Counters recorded in the manifest. */
  readonly stats: Record<string, number>;
  /**
   * Transforms one row. `ordinal` is the row's 0-based index in the build's output order: the
   * stable key every per-row random choice is seeded from (`rngFor(seed, stage, ordinal)`), so a
   * row's augmentation does not depend on batching, timing or any other row.
   */
  apply(row: Sample, ordinal: number): Sample | Promise<Sample>;
}

/** Options of {@link augmentStage}. */
export interface AugmentStageOptions {
  /** Ordinal of the first row the stage sees (default 0; a resumed build starts later). */
  firstOrdinal?: number;
  /** Give every row a loss mask (all ones where none was set), because the output has a `loss_mask` column. */
  lossMask?: boolean;
  /** Rows augmented at once (default 8); output order is input order whatever it is. */
  concurrency?: number;
}

/** The loss mask of a row: its own, or a new all-ones mask (every token a target). */
export function lossMaskOf(row: Sample): Uint8Array {
  return row.lossMask ?? new Uint8Array(row.inputIds.length).fill(1);
}

/**
 * The augment stage: a Transform from Sample to Sample applying `augmenters` in order to every
 * row, numbering rows from `firstOrdinal`. Up to `concurrency` rows are in flight at once (an
 * asynchronous augmenter, such as UtK encoding its chunk IDs, waits on the tokenizer's threads;
 * overlapping those waits keeps the stage from stalling the pipeline) and rows leave in input
 * order. Each row's result depends only on the row and its ordinal, so concurrency changes
 * nothing in the output.
 */
export function augmentStage(augmenters: readonly Augmenter[], opts: AugmentStageOptions = {}): Transform {
  let ordinal = opts.firstOrdinal ?? 0;
  const limit = Math.max(1, opts.concurrency ?? 8);
  const run = async (row: Sample, k: number): Promise<Sample> => {
    let r = row;
    for (const a of augmenters) r = await a.apply(r, k);
    if (opts.lossMask && !r.lossMask) r = { ...r, lossMask: lossMaskOf(r) };
    return r;
  };
  const inFlight: Array<Promise<Sample>> = [];
  return new Transform({
    objectMode: true,
    highWaterMark: 16,
    transform(row: Sample, _enc: BufferEncoding, cb: TransformCallback) {
      const p = run(row, ordinal++);
      p.catch(() => undefined); // surfaced when awaited in order below
      inFlight.push(p);
      if (inFlight.length < limit) return cb();
      inFlight
        .shift()!
        .then((r) => {
          this.push(r);
          cb();
        }, cb);
    },
    flush(cb: TransformCallback) {
      (async () => {
        while (inFlight.length) this.push(await inFlight.shift()!);
      })().then(() => cb(), cb);
    },
  });
}
