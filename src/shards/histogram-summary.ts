import { humanSize, type Histogram } from './histogram.js';

/** Documents and tokens at or above a length, as shares of a histogram's totals. */
export interface ShareAbove {
  documents: number;
  tokens: number;
}

/**
 * The share of documents (and of tokens) whose length is at least `bound`. Exact when `bound`
 * is a power of two (the buckets' edges); otherwise the bound is rounded down to one, and the
 * caller should label it with {@link powerOfTwoAtMost}.
 */
export function shareAtLeast(h: Histogram, bound: number): ShareAbove {
  if (h.count === 0) return { documents: 0, tokens: 0 };
  const edge = powerOfTwoAtMost(bound);
  let docs = 0;
  let tokens = 0;
  for (const b of h.buckets) {
    if (b.lo >= edge && b.lo > 0) {
      docs += b.count;
      tokens += b.tokens;
    }
  }
  return { documents: docs / h.count, tokens: h.sum ? tokens / h.sum : 0 };
}

/** The largest power of two ≤ n (1 for n < 2): the histogram edge a threshold is reported at. */
export function powerOfTwoAtMost(n: number): number {
  return n < 2 ? 1 : 2 ** Math.floor(Math.log2(n));
}

/** A percentage for prose: `73%`, `0.4%`, `under 0.1%`, `0%`. */
export function percent(x: number): string {
  if (x === 0) return '0%';
  if (x < 0.001) return 'under 0.1%';
  if (x < 0.01) return `${(x * 100).toFixed(1)}%`;
  return `${Math.round(x * 100)}%`;
}

/**
 * One sentence describing a length histogram the way the Index report does: "73% of
 * documents under 4K tokens, 1% over 32K" — with the share under `low` and the share at or over
 * `high` (both powers of two).
 */
export function lengthSentence(h: Histogram, low = 4096, high = 32768): string {
  if (h.count === 0) return 'no documents';
  const under = 1 - shareAtLeast(h, low).documents;
  const over = shareAtLeast(h, high).documents;
  const overText = over > 0 && over < 0.01 ? `under 1% at or over ${humanSize(high)}` : `${percent(over)} at or over ${humanSize(high)}`;
  return `${percent(under)} of documents under ${humanSize(low)} tokens, ${overText} (median bucket ${medianBucket(h)}, mean ${Math.round(h.mean)}, max ${h.max})`;
}

/** The bucket holding the median document, as `1K–2K`. */
export function medianBucket(h: Histogram): string {
  let seen = 0;
  for (const b of h.buckets) {
    seen += b.count;
    if (seen * 2 >= h.count) return b.lo === 0 ? '0' : `${humanSize(b.lo)}–${humanSize(b.hi)}`;
  }
  return '-';
}

/** The standard thresholds of the `under X` table: 1K … 128K tokens. */
export const LENGTH_THRESHOLDS: readonly number[] = [1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072];

/** Shares of documents under each threshold, for a table row. */
export function sharesUnder(h: Histogram, thresholds: readonly number[] = LENGTH_THRESHOLDS): number[] {
  return thresholds.map((t) => (h.count ? 1 - shareAtLeast(h, t).documents : 0));
}
