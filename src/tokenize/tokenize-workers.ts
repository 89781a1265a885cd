import os from 'node:os';
import { UserError } from '../util/errors.js';
import type { TokenizerEngine } from './engine.js';
import type { LoadTokenizerOptions } from './load-tokenizer.js';
import { pooledEngine, type PooledEngine } from './pool-engine.js';

/** The engine a build encodes with, and how it runs. */
export interface WorkerSetup {
  /** The engine to call `encodeBatch` on (pooled or the main-thread one). */
  engine: TokenizerEngine;
  /** The worker count asked for (recorded in the manifest). */
  workers: number;
  /** Whether `encodeBatch` runs on a worker-thread pool. */
  pool: boolean;
  /** The pool (the same object as `engine`), when there is one. */
  pooled?: PooledEngine;
  /** Resolves when the pool's threads have loaded their tokenizers (at once without a pool). */
  ready(): Promise<void>;
  /** Stops the pool's threads (nothing to do without a pool). */
  close(): Promise<void>;
}

/**
 * Below this much input a build started with the default worker count encodes on the main
 * thread: starting a worker costs about a second of tokenizer loading (measured 0.75 s for Llama-3,
 * 0.95 s for o200k_base), in which skein's BPE encodes some 25 MB on the main thread.
 */
export const POOL_MIN_INPUT_BYTES = 32 << 20;

/** The default worker count: the cores this process may use (`os.availableParallelism()`). */
export function defaultWorkers(): number {
  return os.availableParallelism();
}

/**
 * Decides how `base` runs for a build asked to use `workers` tokenizer workers:
 *
 * - JavaScript engines (skein-bpe, gpt-tokenizer, hf-js: one thread each): a pool of `workers`
 *   worker threads (see {@link pooledEngine}); `0` keeps encoding on the main thread. Call
 *   `ready()` before timing anything: the workers load their tokenizers first.
 * - the native `tokenizers` binding: always on the main thread. Its `encodeBatch` already spreads
 *   a batch over every core with Rust threads, off the JS thread; a JS pool in front of it
 *   measured slower (docs/benchmarks.md, Tokenization), since each worker's native call would
 *   start its own all-core thread pool.
 */
export function engineWithWorkers(base: TokenizerEngine, load: LoadTokenizerOptions, workers: number): WorkerSetup {
  if (base.engineKind === 'native' || workers === 0) return { engine: base, workers, pool: false, ready: async () => {}, close: async () => {} };
  const engine = pooledEngine(base, load, workers);
  return { engine, workers, pool: true, pooled: engine, ready: () => engine.ready(), close: () => engine.close() };
}

/**
 * The worker count of a build: the configured one, or by default the available cores — but none
 * (the main thread) when the input is smaller than {@link POOL_MIN_INPUT_BYTES}, where loading
 * the workers would take longer than the work. An explicit count is always honoured.
 */
export function buildWorkers(configured: number | undefined, inputBytes: number): number {
  if (configured !== undefined) return configured;
  return inputBytes < POOL_MIN_INPUT_BYTES ? 0 : defaultWorkers();
}

/** Memory a worker thread takes besides its tokenizer (V8 isolate, Node, piscina), measured ≈ 40–60 MB. */
const WORKER_BASE_BYTES = 60 << 20;

/**
 * Checks a worker count against the machine before any worker starts: every worker holds its
 * own copy of the tokenizer (`tokenizerBytes`, e.g. measured as the memory loading it took on
 * the main thread). More workers than cores get a warning (they cannot encode faster, and each
 * costs memory); a count whose estimated memory exceeds 80 % of the memory this process may use
 * is a {@link UserError} naming the estimate and a count that fits.
 */
export function checkWorkerCount(workers: number, tokenizerBytes: number, log?: (line: string) => void): void {
  if (workers <= 1) return;
  const perWorker = WORKER_BASE_BYTES + Math.max(0, tokenizerBytes);
  const limit = Math.min(os.totalmem(), process.constrainedMemory?.() || Infinity);
  const mb = (n: number) => `${Math.round(n / (1 << 20))} MB`;
  const gb = (n: number) => `${(n / (1 << 30)).toFixed(1)} GB`;
  if (workers * perWorker > 0.8 * limit) {
    const fits = Math.max(1, Math.floor((0.8 * limit) / perWorker));
    throw new UserError(`--workers ${workers} would need about ${gb(workers * perWorker)} (about ${mb(perWorker)} per worker: each holds its own tokenizer), more than this machine's ${gb(limit)} allow; use --workers ${Math.min(fits, defaultWorkers())} or fewer`);
  }
  const cores = defaultWorkers();
  if (workers > cores) log?.(`--workers ${workers} is more than the ${cores} cores here: extra workers cannot encode faster and each holds about ${mb(perWorker)} (its own tokenizer); about ${gb(workers * perWorker)} in all`);
}
