/**
 * Training windows streamed from shards in a seeded order, with bounded memory.
 *
 * Epoch e visits the dataset's shards in an order shuffled by `rngFor(seed, 'train/shards', e)`,
 * reads each shard record batch by record batch (the reader API), cuts rows into windows
 * (windows.ts) and passes them through a shuffle buffer of `bufferWindows` windows driven by
 * `rngFor(seed, 'train/shuffle', e)`: each incoming window swaps with a random buffered one, which
 * is emitted (the tf.data `shuffle` scheme). Memory is the buffer plus one record batch, whatever
 * the dataset's size.
 *
 * The order is a pure function of (dataset, seqLen, seed, bufferWindows, epoch), so a resumed run
 * replays epoch e and skips the windows already consumed: it sees exactly the windows an
 * uninterrupted run would have seen (reading is fast; only the skipped windows' I/O is repeated).
 */
import type { Dataset } from '../shards/reader.js';
import { rngFor } from '../util/rng.js';
import type { DataPosition } from './checkpoint.js';
import { rowWindows, type Window } from './windows.js';

/** Settings that fix the window order. */
export interface LoaderOptions {
  seqLen: number;
  seed: number;
  /** Shuffle buffer size in windows (1 = dataset order within each shard). */
  bufferWindows: number;
}

/** The windows of one epoch, in its seeded order. */
export async function* epochWindows(ds: Dataset, opts: LoaderOptions, epoch: number): AsyncGenerator<Window> {
  const documentAttention = ds.manifest.attention === 'document';
  const shardOrder = rngFor(opts.seed, 'train/shards', epoch).shuffle(ds.manifest.shards.map((_, i) => i));
  const rng = rngFor(opts.seed, 'train/shuffle', epoch);
  const buffer: Window[] = [];
  for (const s of shardOrder) {
    for await (const row of ds.shardRows(s)) {
      for (const w of rowWindows(row, opts.seqLen, documentAttention)) {
        if (buffer.length < opts.bufferWindows) {
          buffer.push(w);
          continue;
        }
        const j = rng.int(0, buffer.length - 1);
        const out = buffer[j]!;
        buffer[j] = w;
        yield out;
      }
    }
  }
  while (buffer.length > 0) {
    const j = rng.int(0, buffer.length - 1);
    const out = buffer[j]!;
    buffer[j] = buffer[buffer.length - 1]!;
    buffer.pop();
    yield out;
  }
}

/**
 * Windows without end, epoch after epoch, starting at `from` (earlier windows of that epoch are
 * skipped). Each window comes with the position *after* it, what a checkpoint records. Throws
 * when an epoch yields no window (an empty dataset).
 */
export async function* trainingWindows(ds: Dataset, opts: LoaderOptions, from: DataPosition): AsyncGenerator<{ window: Window; next: DataPosition }> {
  for (let epoch = from.epoch; ; epoch++) {
    let i = 0;
    const skip = epoch === from.epoch ? from.window : 0;
    for await (const window of epochWindows(ds, opts, epoch)) {
      i++;
      if (i <= skip) continue;
      yield { window, next: { epoch, window: i } };
    }
    if (i === 0) throw new Error(`dataset ${ds.dir} yields no training window`);
  }
}
