import { Transform, type TransformCallback } from 'node:stream';
import type { Sample } from '../samples/sample.js';
import { rngFor } from '../util/rng.js';

/** What "length" means when rows are ordered by length. */
export type LengthKey = 'tokens' | 'longest_document';

/** Options of {@link RowOrder}. */
export interface RowOrderOptions {
  /** Pipeline seed; the shuffle draws from `rngFor(seed, 'shuffle', row ordinal)`. */
  seed: number;
  /** Rows held by the shuffle buffer; 0 turns shuffling off. */
  shuffleBuffer: number;
  /** Rows per mega-batch of `group_by_length`; 0 turns it off. */
  groupByLength: number;
  /** `tokens`: the row's length; `longest_document`: its longest document piece. */
  lengthKey: LengthKey;
}

/** The state of a {@link RowOrder} between calls (rows are shared, not copied: samples are never mutated after they are built). */
export interface RowOrderState {
  /** Rows pushed so far (the shuffle's draw key). */
  pushed: number;
  shuffle: Sample[];
  group: Sample[];
}

/** The length of a row under a {@link LengthKey}. */
export function rowLength(row: Sample, key: LengthKey): number {
  if (key === 'tokens') return row.inputIds.length;
  let m = 0;
  for (const n of row.docLengths) if (n > m) m = n;
  return m;
}

/**
 * Reorders the sample stream in bounded memory, deterministically:
 *
 * 1. a **shuffle buffer** of `shuffleBuffer` rows (tf.data style): once full, each incoming row
 *    either leaves at once or takes the place of a buffered row that leaves, chosen uniformly by
 *    `rngFor(seed, 'shuffle', ordinal)`; at the end the rest leaves in a seeded random order;
 * 2. then **group_by_length** (HF `LengthGroupedSampler`, docs/configuration.md#row-order): rows are gathered
 *    into mega-batches of `groupByLength` rows, each sorted by length, longest first (so the
 *    longest row of a mega-batch leads it); ties keep their arrival order.
 *
 * Memory: `shuffleBuffer + groupByLength` rows. With both at 0 rows pass through unchanged.
 * A plain object like the builders (push/finish), so the run loop can snapshot it for resume;
 * {@link orderStage} wraps it as a Transform.
 */
export class RowOrder {
  private state: RowOrderState = { pushed: 0, shuffle: [], group: [] };

  constructor(readonly opts: RowOrderOptions) {
    for (const k of ['shuffleBuffer', 'groupByLength'] as const) {
      if (!Number.isInteger(opts[k]) || opts[k] < 0) throw new RangeError(`${k} must be a non-negative integer, got ${opts[k]}`);
    }
  }

  /** Whether the order changes anything. */
  get active(): boolean {
    return this.opts.shuffleBuffer > 0 || this.opts.groupByLength > 0;
  }

  /** Takes one row; returns the rows that leave. */
  push(row: Sample): Sample[] {
    const out: Sample[] = [];
    this.toGroup(this.shuffled(row), out);
    return out;
  }

  /** Ends the stream; returns every row still held. */
  finish(): Sample[] {
    const st = this.state;
    const out: Sample[] = [];
    if (st.shuffle.length > 0) {
      const rest = st.shuffle;
      st.shuffle = [];
      rngFor(this.opts.seed, 'shuffle', `end:${st.pushed}`).shuffle(rest);
      for (const r of rest) this.toGroup(r, out);
    }
    if (st.group.length > 0) out.push(...this.sortGroup());
    return out;
  }

  /** The state, for a checkpoint (the arrays are copied, the rows shared). */
  snapshot(): RowOrderState {
    const s = this.state;
    return { pushed: s.pushed, shuffle: [...s.shuffle], group: [...s.group] };
  }

  /** Restores a state taken by {@link snapshot}. */
  restore(s: RowOrderState): void {
    this.state = { pushed: s.pushed, shuffle: [...s.shuffle], group: [...s.group] };
  }

  /** Rows held right now. */
  get held(): number {
    return this.state.shuffle.length + this.state.group.length;
  }

  private shuffled(row: Sample): Sample | undefined {
    const st = this.state;
    const k = this.opts.shuffleBuffer;
    const ordinal = st.pushed++;
    if (k === 0) return row;
    if (st.shuffle.length < k) {
      st.shuffle.push(row);
      return undefined;
    }
    const j = rngFor(this.opts.seed, 'shuffle', ordinal).int(0, k);
    if (j === k) return row;
    const leaving = st.shuffle[j]!;
    st.shuffle[j] = row;
    return leaving;
  }

  private toGroup(row: Sample | undefined, out: Sample[]): void {
    if (row === undefined) return;
    const m = this.opts.groupByLength;
    if (m === 0) {
      out.push(row);
      return;
    }
    this.state.group.push(row);
    if (this.state.group.length >= m) out.push(...this.sortGroup());
  }

  private sortGroup(): Sample[] {
    const g = this.state.group;
    this.state.group = [];
    const key = this.opts.lengthKey;
    const keyed = g.map((row, i) => ({ row, i, len: rowLength(row, key) }));
    keyed.sort((a, b) => b.len - a.len || a.i - b.i);
    return keyed.map((k) => k.row);
  }
}

/** A {@link RowOrder} as a Node Transform (Sample → Sample). */
export function orderStage(order: RowOrder): Transform {
  return new Transform({
    objectMode: true,
    highWaterMark: 16,
    transform(row: Sample, _enc: BufferEncoding, cb: TransformCallback) {
      try {
        for (const r of order.push(row)) this.push(r);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb: TransformCallback) {
      try {
        for (const r of order.finish()) this.push(r);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}
