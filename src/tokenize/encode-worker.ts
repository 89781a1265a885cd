/**
 * The worker side of the tokenizer pool (see `pool-engine.ts`): each worker thread loads the
 * same tokenizer as the main thread, once, from the options in piscina's `workerData`, and
 * encodes the sub-batches it is given with that engine's own `encodeBatch` — so its ids are the
 * main thread's ids, special-token text included (plain text, never a control token).
 *
 * Added tokens (augmenters' markers) are not needed here: `encodeBatch` never produces them.
 *
 * Always run compiled (see `workerFile` in pool-engine.ts): piscina's `require()` of this ES
 * module fails and it falls back to `import()`, so the tokenizer loads once, at the top-level
 * `await` below, before the first task.
 */
import { move, transferableSymbol, valueSymbol, workerData } from 'piscina';
import { loadTokenizer, type LoadTokenizerOptions } from './load-tokenizer.js';

const engine = await loadTokenizer(workerData as LoadTokenizerOptions);

/** The warm-up task: every worker increments `count` and waits until all `parties` have (see `pooledEngine`'s `ready`). */
interface Barrier {
  barrier: Int32Array;
  parties: number;
}

/**
 * Encodes `texts` and returns their ids in input order; every array's buffer is moved (in the
 * transfer list), not copied, to the main thread. Given a {@link Barrier} instead, it waits for
 * the other workers: since each worker runs one task at a time, all tasks reach the barrier only
 * when every worker has loaded its tokenizer.
 */
export default async function encodeTexts(texts: string[] | Barrier): Promise<unknown> {
  if (!Array.isArray(texts)) {
    Atomics.add(texts.barrier, 0, 1);
    const deadline = Date.now() + 120_000;
    while (Atomics.load(texts.barrier, 0) < texts.parties && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    return null;
  }
  const ids = await engine.encodeBatch(texts);
  const buffers = [...new Set(ids.map((a) => a.buffer))];
  return move({
    get [transferableSymbol]() {
      return buffers;
    },
    get [valueSymbol]() {
      return ids;
    },
  } as never);
}
