/** One non-empty bucket of a {@link Histogram}: lengths in `[lo, hi)`. */
export interface HistogramBucket {
  /** Smallest length in the bucket (inclusive): 0, or a power of two. */
  lo: number;
  /** Bound above the bucket (exclusive): 1 for the zero bucket, else `2 * lo`. */
  hi: number;
  /** How many lengths fell in the bucket. */
  count: number;
  /** Sum of those lengths. */
  tokens: number;
}

/** A length histogram as stored in the manifest (`histograms.document_tokens`, `…sample_tokens`). */
export interface Histogram {
  count: number;
  sum: number;
  /** 0 when `count` is 0. */
  min: number;
  /** 0 when `count` is 0. */
  max: number;
  /** `sum / count`, 0 when `count` is 0. */
  mean: number;
  /** Non-empty buckets only, ascending. */
  buckets: HistogramBucket[];
}

/** Bucket key of a length: -1 for 0, else k with 2^k ≤ len < 2^(k+1). */
function bucketOf(len: number): number {
  if (len === 0) return -1;
  return len < 2 ** 32 ? 31 - Math.clz32(len) : Math.floor(Math.log2(len));
}

/** `[lo, hi)` of a bucket key. */
function boundsOf(k: number): { lo: number; hi: number } {
  return k < 0 ? { lo: 0, hi: 1 } : { lo: 2 ** k, hi: 2 ** (k + 1) };
}

/**
 * Counts lengths (tokens per document, per sample) in power-of-two buckets: bucket k holds
 * lengths in [2^k, 2^(k+1)), plus one bucket for 0. Exact count, sum, min and max on the side.
 * Mergeable, so that per-worker or per-rank histograms add up to the build's.
 */
export class LengthHistogram {
  private readonly buckets = new Map<number, { count: number; tokens: number }>();
  private count = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;

  /** Adds one length (a non-negative integer). */
  add(len: number): void {
    if (!Number.isInteger(len) || len < 0) throw new RangeError(`histogram length must be a non-negative integer, got ${len}`);
    this.addBucket(bucketOf(len), 1, len);
    this.count++;
    this.sum += len;
    if (len < this.min) this.min = len;
    if (len > this.max) this.max = len;
  }

  /** Adds every length counted by `other` (a histogram or its JSON form) into this one. */
  merge(other: LengthHistogram | Histogram): this {
    const h = other instanceof LengthHistogram ? other.toJSON() : other;
    if (h.count === 0) return this;
    for (const b of h.buckets) this.addBucket(bucketOf(b.lo), b.count, b.tokens);
    this.count += h.count;
    this.sum += h.sum;
    this.min = Math.min(this.min, h.min);
    this.max = Math.max(this.max, h.max);
    return this;
  }

  /** Rebuilds a histogram from its JSON form (e.g. a manifest being resumed or merged). */
  static fromJSON(h: Histogram): LengthHistogram {
    return new LengthHistogram().merge(h);
  }

  /** The manifest form: totals and the non-empty buckets in ascending order. */
  toJSON(): Histogram {
    const keys = [...this.buckets.keys()].sort((a, b) => a - b);
    return {
      count: this.count,
      sum: this.sum,
      min: this.count ? this.min : 0,
      max: this.count ? this.max : 0,
      mean: this.count ? this.sum / this.count : 0,
      buckets: keys.map((k) => ({ ...boundsOf(k), ...this.buckets.get(k)! })),
    };
  }

  private addBucket(k: number, count: number, tokens: number): void {
    const b = this.buckets.get(k);
    if (b) {
      b.count += count;
      b.tokens += tokens;
    } else this.buckets.set(k, { count, tokens });
  }
}

/** A size with binary units (1K = 1024): `512`, `4K`, `1.5M`, `2G`. */
export function humanSize(n: number): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const text = Number.isInteger(v) ? String(v) : v.toFixed(1).replace(/\.0$/, '');
  return text + units[u];
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/**
 * Renders a histogram as text lines for the CLI, one per non-empty bucket, e.g.
 * `   4K–8K  ████████   12 (31%)`: the bucket range in binary sizes, a bar scaled so the
 * fullest bucket spans `width` cells (eighth-cell resolution), the count and its share.
 */
export function renderHistogram(h: Histogram, width = 40): string[] {
  if (h.buckets.length === 0) return [];
  const labels = h.buckets.map((b) => (b.lo === 0 ? '0' : `${humanSize(b.lo)}–${humanSize(b.hi)}`));
  const labelWidth = Math.max(...labels.map((l) => l.length));
  const countWidth = Math.max(...h.buckets.map((b) => String(b.count).length));
  const most = Math.max(...h.buckets.map((b) => b.count));
  return h.buckets.map((b, i) => {
    const eighths = Math.max(1, Math.round((b.count / most) * width * 8));
    const bar = '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
    const pct = Math.round((100 * b.count) / h.count);
    return `${labels[i]!.padStart(labelWidth + 2)}  ${bar.padEnd(width)}  ${String(b.count).padStart(countWidth)} (${pct}%)`;
  });
}
