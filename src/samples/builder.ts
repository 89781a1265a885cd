import { Transform, type TransformCallback } from 'node:stream';
import type { TokDoc } from '../tokenize/tok-doc.js';
import type { StateValue } from '../util/state-codec.js';
import type { Sample } from './sample.js';

/** Counters every builder keeps; they go into the manifest. */
export interface BuilderStats {
  /** Documents received. */
  documents: number;
  /** Documents with at least one token in an emitted row. */
  written: number;
  /** Documents dropped by the builder, by reason (`remainder`, `too_long`). */
  dropped: Record<string, number>;
  /** Tokens received / written / discarded. */
  tokensIn: number;
  tokensOut: number;
  tokensDropped: number;
  /** Documents whose tokens span more than one row. */
  splitDocuments: number;
  /** Rows emitted. */
  rows: number;
  /** Tokens written per source. */
  sourceTokens: Record<string, number>;
  /**
   * Builders with explicit positions (pose, randpos, longrecipe): rows with at least one position
   * past its natural index (`position_ids[i] ≠ i`), i.e. rows that train an extended position.
   */
  extendedRows?: number;
}

/**
 * The manifest's `builder.stats` for builders that count extended rows: `rows`,
 * `extended_rows` and their share `extended_share` (nothing for the others).
 */
export function builderStatsEntry(stats: Pick<BuilderStats, 'rows' | 'extendedRows'>): { stats?: { rows: number; extended_rows: number; extended_share: number } } {
  if (stats.extendedRows === undefined) return {};
  return { stats: { rows: stats.rows, extended_rows: stats.extendedRows, extended_share: stats.rows ? stats.extendedRows / stats.rows : 0 } };
}

/** A new, zeroed {@link BuilderStats}. */
export function emptyBuilderStats(): BuilderStats {
  return { documents: 0, written: 0, dropped: {}, tokensIn: 0, tokensOut: 0, tokensDropped: 0, splitDocuments: 0, rows: 0, sourceTokens: {} };
}

/**
 * Counts an emitted row into the stats (rows, tokens, tokens per source) and removes
 * `docSources` when the output does not record them. Every builder emits rows through here.
 */
export function recordRow(stats: BuilderStats, row: Sample & { docSources: string[] }, withSources: boolean): Sample {
  stats.rows++;
  stats.tokensOut += row.inputIds.length;
  for (let i = 0; i < row.docSources.length; i++) {
    const src = row.docSources[i]!;
    stats.sourceTokens[src] = (stats.sourceTokens[src] ?? 0) + row.docLengths[i]!;
  }
  if (withSources) return row;
  const { docSources: _, ...rest } = row;
  return rest;
}

/**
 * A sample builder: turns tokenized documents into training rows. It is a plain object with
 * two synchronous methods (easy to test and to drive from any loop); {@link builderStage}
 * wraps one as a Node Transform.
 */
export interface SampleBuilder {
  /** Builder name as in the config (`concat-chunk`, `pack`). */
  readonly name: string;
  readonly stats: BuilderStats;
  /** Takes one document; returns the rows that became complete. */
  push(doc: TokDoc): Sample[];
  /** Ends the input; returns the last rows. */
  finish(): Sample[];
  /**
   * Resume support: the state the builder carries from one `push` to the next, apart from
   * `stats` (which the run loop saves and restores itself): documents or pieces waiting for a
   * row, open rows, counters used as random keys. The run loop calls it between two `push`
   * calls and stores the value in the checkpoint; after a crash it creates a fresh builder and
   * calls {@link restore} with it before pushing the documents that follow.
   *
   * The contract: `restore(snapshot())` on a fresh builder, then the same `push`/`finish` calls,
   * must return exactly the rows the original builder would have returned. The value must not
   * share mutable memory with the builder (copy typed arrays that are filled later).
   * A builder that keeps nothing between calls (every per-document builder whose randomness is
   * keyed by the document id) leaves both methods out.
   */
  snapshot?(): BuilderCarry;
  /** Restores a value returned by {@link snapshot} into a freshly created builder. */
  restore?(carry: BuilderCarry): void;
}

/** A builder's carried-over state: JSON values and typed arrays (see {@link SampleBuilder.snapshot}). */
export type BuilderCarry = StateValue;

/** A Transform from TokDoc to Sample around a {@link SampleBuilder}. */
export function builderStage(builder: SampleBuilder): Transform {
  return new Transform({
    objectMode: true,
    highWaterMark: 16,
    transform(doc: TokDoc, _enc: BufferEncoding, cb: TransformCallback) {
      try {
        for (const s of builder.push(doc)) this.push(s);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb: TransformCallback) {
      try {
        for (const s of builder.finish()) this.push(s);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}

/** Throws unless a builder's `seqLen` is a positive integer (an internal check: configs are validated before). */
export function checkSeqLen(seqLen: number): void {
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new Error(`seqLen must be a positive integer, got ${seqLen}`);
}

/**
 * Applies a `drop` or `truncate` policy to a document longer than `seqLen`, counting what it
 * discards: returns the tokens and loss mask to keep, or undefined when the document is dropped
 * (counted as `too_long`). Shorter documents pass unchanged. Shared by the builders that cut
 * over-long documents the same way (`pack`, `single`).
 */
export function fitOrDrop(
  stats: BuilderStats,
  tokens: Int32Array,
  mask: Uint8Array | undefined,
  seqLen: number,
  policy: 'drop' | 'truncate',
): { tokens: Int32Array; mask: Uint8Array | undefined } | undefined {
  if (tokens.length <= seqLen) return { tokens, mask };
  if (policy === 'drop') {
    stats.dropped.too_long = (stats.dropped.too_long ?? 0) + 1;
    stats.tokensDropped += tokens.length;
    return undefined;
  }
  stats.tokensDropped += tokens.length - seqLen;
  return { tokens: tokens.subarray(0, seqLen), mask: mask?.subarray(0, seqLen) };
}
