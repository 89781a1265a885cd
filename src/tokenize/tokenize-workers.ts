import os from 'node:os';
import type { TokenizerEngine } from './engine.js';
import type { LoadTokenizerOptions } from './load-tokenizer.js';
import { pooledEngine } from './pool-engine.js';

/** The engine a build encodes with, and how it runs. */
export interface WorkerSetup {
  /** The engine to call `encodeBatch` on (pooled or the main-thread one). */
  engine: TokenizerEngine;
  /** The worker count asked for (recorded in the manifest). */
  workers: number;
  /** Whether `encodeBatch` runs on a worker-thread pool. */
  pool: boolean;
  /** Stops the pool's threads (nothing to do without a pool). */
  close(): Promise<void>;
}

/** The default worker count: the cores this process may use (`os.availableParallelism()`). */
export function defaultWorkers(): number {
  return os.availableParallelism();
}

/**
 * Decides how `base` runs for a build asked to use `workers` tokenizer workers:
 *
 * - `openai` encodings (gpt-tokenizer, pure JS, one thread): a pool of `workers` worker threads
 *   (see {@link pooledEngine}); `0` keeps encoding on the main thread.
 * - `tokenizer.json` models (the native `tokenizers` binding): always on the main thread. Its
 *   `encodeBatch` already spreads a batch over every core with Rust threads, off the JS thread;
 *   a JS pool in front of it measured slower (docs/benchmarks.md, Tokenization), since each
 *   worker's native call would start its own all-core thread pool.
 */
export function engineWithWorkers(base: TokenizerEngine, load: LoadTokenizerOptions, workers: number): WorkerSetup {
  if (base.info.kind !== 'openai' || workers === 0) return { engine: base, workers, pool: false, close: async () => {} };
  const engine = pooledEngine(base, load, workers);
  return { engine, workers, pool: true, close: () => engine.close() };
}
