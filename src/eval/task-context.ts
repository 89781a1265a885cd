/**
 * What every task generator shares: the tokenizer, the seed, the BOS policy, the haystack texts,
 * and a cache for per-length work (haystack tokens, the filler count that fitted last).
 */
import type { TokenizerEngine } from '../tokenize/engine.js';
import { largestFitting } from './fit-length.js';

/** Shared state of one `gen-eval` run. */
export interface TaskContext {
  engine: TokenizerEngine;
  seed: number;
  /** Prepended to every prompt when set (the tokenizer's BOS, as `skein build` adds it). */
  bos?: number;
  /** Haystack texts (the bundled corpus by default). */
  haystack: readonly string[];
  /** Per-run cache, keyed by task-specific strings. */
  cache: Map<string, unknown>;
}

/** Token ids of one text (no special tokens added). */
export async function encode(ctx: TaskContext, text: string): Promise<Int32Array> {
  return (await ctx.engine.encodeBatch([text]))[0]!;
}

/** BOS (when the context has one) followed by the ids of `text`. */
export async function encodePrompt(ctx: TaskContext, text: string): Promise<Int32Array> {
  const ids = await encode(ctx, text);
  if (ctx.bos === undefined) return ids;
  const out = new Int32Array(ids.length + 1);
  out[0] = ctx.bos;
  out.set(ids, 1);
  return out;
}

/**
 * The largest count n ≤ `max` with `size(n) ≤ limit`, starting the search at the count that
 * fitted last time for `key` (neighbouring samples of one length need nearly the same filler, so
 * this usually costs two tokenizations instead of a full binary search). −1 when even 0 is too big.
 */
export async function fitCount(ctx: TaskContext, key: string, size: (n: number) => Promise<number>, limit: number, max: number): Promise<number> {
  const memo = new Map<number, number>();
  const sized = async (n: number) => {
    let s = memo.get(n);
    if (s === undefined) memo.set(n, (s = await size(n)));
    return s;
  };
  const guess = ctx.cache.get(`fit:${key}`) as number | undefined;
  let n = -1;
  if (guess !== undefined && guess <= max) {
    let g = guess;
    for (let steps = 0; steps < 8 && g >= 0 && g <= max; steps++) {
      const fits = (await sized(g)) <= limit;
      const nextFits = g + 1 <= max ? (await sized(g + 1)) <= limit : false;
      if (fits && !nextFits) {
        n = g;
        break;
      }
      g += fits ? 1 : -1;
    }
  }
  if (n < 0) n = await largestFitting(sized, limit, max);
  if (n >= 0) ctx.cache.set(`fit:${key}`, n);
  return n;
}
