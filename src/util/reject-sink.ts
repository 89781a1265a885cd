import { formatLocation, oneLine, RecordError, type DropReason, type RecordLocation } from './errors.js';

/** What skein does with a bad record: stop with an error naming it, or drop, count and log it. */
export type OnError = 'fail' | 'skip';

/** One entry of `rejects.jsonl`. */
export interface Reject {
  reason: DropReason;
  location: RecordLocation;
  detail: string;
  /** Documents lost with this reject (1 for a record; 0 or 1 for a truncated or unreadable file). */
  documents: number;
}

/**
 * Applies the bad-input policy. Stages report bad records here instead of throwing; under
 * `fail` the first one becomes a {@link RecordError}, under `skip` it is kept for the manifest
 * (counts by reason) and for `rejects.jsonl` (each one, with its location).
 */
export class RejectSink {
  /** Documents dropped per reason (only bad-input reasons; builders count their own). */
  readonly counts: Record<string, number> = {};
  /** Every reject seen, in order (bounded by `maxKept`; counts stay exact past it). */
  readonly kept: Reject[] = [];
  private listeners: Array<(r: Reject) => void> = [];

  constructor(
    readonly policy: OnError = 'fail',
    private readonly maxKept = 100_000,
  ) {}

  /** Subscribes to rejects as they happen (the pipeline streams them to rejects.jsonl). */
  onReject(fn: (r: Reject) => void): void {
    this.listeners.push(fn);
  }

  /** Reports a bad record; throws under `fail`, records under `skip`. */
  reject(reason: DropReason, location: RecordLocation, detail: string, documents = 1): void {
    detail = oneLine(detail);
    if (!Number.isSafeInteger(documents) || documents < 0) throw new Error(`reject of ${documents} documents (${reason}): a count must be a non-negative integer`);
    if (this.policy === 'fail') throw new RecordError(reason, location, detail);
    this.counts[reason] = (this.counts[reason] ?? 0) + documents;
    const r: Reject = { reason, location, detail, documents };
    if (this.kept.length < this.maxKept) this.kept.push(r);
    for (const fn of this.listeners) fn(r);
  }

  /**
   * Counts a document dropped by rule rather than by fault (e.g. an empty text): never throws,
   * whatever the policy, and is not written to rejects.jsonl.
   */
  drop(reason: DropReason, documents = 1): void {
    this.counts[reason] = (this.counts[reason] ?? 0) + documents;
  }

  /** A one-line description of a reject for logs. */
  static describe(r: Reject): string {
    return `${formatLocation(r.location)}: ${r.detail} (${r.reason})`;
  }
}
