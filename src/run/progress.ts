/** A snapshot of a running build, for progress bars and logs. */
export interface BuildProgress {
  /** Documents read from the inputs so far. */
  documents: number;
  /** Tokens produced by the tokenizer so far. */
  tokens: number;
  /** Input bytes consumed (compressed bytes on disk). */
  bytesRead: number;
  /** Total input bytes, when known. */
  bytesTotal: number;
  /** Rows written. */
  rows: number;
  /** Shards finished. */
  shards: number;
  /** Seconds since the data started to flow (after setup). */
  seconds: number;
  /** Seconds of setup before that: resolving inputs, loading the tokenizer, preparing the output. */
  setupSeconds: number;
  /** Tokens and bytes already counted when this run started (a resumed build's checkpoint): rates leave them out. */
  startTokens?: number;
  startBytes?: number;
}

/** Derived rates of a {@link BuildProgress}. */
export interface ProgressRates {
  mbPerSec: number;
  tokensPerSec: number;
  /** Seconds left, from the bytes left at the current byte rate; undefined when unknown. */
  etaSeconds?: number;
  /** Fraction of input bytes read, 0..1. */
  fraction?: number;
}

/**
 * Rates and ETA of a progress snapshot. Rates count this run's work (after a resume, not the
 * checkpoint's); bytes are those of the documents consumed, so the fraction and ETA follow the
 * work done, not the reader's read-ahead.
 */
export function progressRates(p: BuildProgress): ProgressRates {
  const s = Math.max(p.seconds, 1e-9);
  const bytes = Math.max(0, p.bytesRead - (p.startBytes ?? 0));
  const mbPerSec = bytes / 1e6 / s;
  const tokensPerSec = Math.max(0, p.tokens - (p.startTokens ?? 0)) / s;
  if (p.bytesTotal <= 0) return { mbPerSec, tokensPerSec };
  const fraction = Math.min(1, p.bytesRead / p.bytesTotal);
  const etaSeconds = bytes > 0 ? ((p.bytesTotal - p.bytesRead) / bytes) * p.seconds : undefined;
  return { mbPerSec, tokensPerSec, etaSeconds, fraction };
}

/** Formats a count with K/M/G suffixes (1,000 based): `12.3M`. */
export function humanCount(n: number): string {
  if (n < 1000) return String(Math.round(n));
  const units = ['K', 'M', 'G', 'T'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)}${units[u]}`;
}

/** Formats seconds as `1h02m`, `3m05s` or `12s`. */
export function humanDuration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** One plain progress line (logs, CI): documents, tokens, MB/s, tokens/s, and percent + ETA when the size is known. */
export function progressLine(p: BuildProgress): string {
  const r = progressRates(p);
  let s = `${humanCount(p.documents)} docs, ${humanCount(p.tokens)} tokens, ${p.rows} rows, ${p.shards} shards | ${r.mbPerSec.toFixed(1)} MB/s, ${humanCount(r.tokensPerSec)} tokens/s`;
  if (r.fraction !== undefined) s += ` | ${(r.fraction * 100).toFixed(1)}%`;
  if (r.etaSeconds !== undefined) s += ` ETA ${humanDuration(r.etaSeconds)}`;
  return s;
}
