import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { replayRejects, type BlockContext, type BlockProcessor, type BlockRecords } from './block-records.js';
import { DecodeError } from './decode-error.js';
import { decodeFault } from './decode-fault.js';
import type { Decoded } from './decompress.js';
import type { Doc } from './doc.js';
import { LineBlocker, type LineBlock, type LongLineAt } from './line-blocker.js';
import { parseJsonRecord, strictUtf8Decoder } from './parse-record.js';
import { warn, type ReaderContext } from './reader-context.js';

/** Decoded bytes between two returns to the event loop (timers, progress, signals keep running). */
export const YIELD_EVERY_BYTES = 8 * 2 ** 20;

/**
 * What reading a stream produced and its reader has not seen yet: compressed bytes read and
 * warnings about the input. They are handed on with the next cut, so that the reader counts and
 * notes them at the same point of its documents whatever the number of blocks in flight.
 */
export interface PendingEffects {
  raw: number;
  warnings: string[];
}

/** One cut of the stream waiting to be replayed: what was read for it, and its block's records or a long line. */
interface Cut extends PendingEffects {
  records?: Promise<BlockRecords>;
  long?: LongLineAt;
}

/**
 * The producing half of reading a JSONL stream in line blocks: pulls decoded chunks, cuts them
 * into blocks ({@link LineBlocker}) and hands each to the processor at once, queueing the cuts in
 * input order with the raw bytes and warnings met meanwhile. It touches nothing of the reader's
 * (report, rejects, progress), so it can run ahead of its turn (see `JsonlPrefetch`).
 */
export class BlockCuts {
  readonly queue: Cut[] = [];
  /** The stream is read to its end (or to a fault). */
  ended = false;
  /** A fault of the compressed data, reported after the last complete line. */
  fault: DecodeError | undefined;
  /** An error of the byte source itself (I/O), thrown where the reader reaches it. */
  error: unknown;
  readonly blocker: LineBlocker;
  private sinceYield = 0;
  /** Raw bytes handed out with cuts so far. */
  private attached = 0;

  constructor(
    readonly decoded: Extract<Decoded, { ok: true }>,
    private readonly pending: PendingEffects,
    private readonly processor: BlockProcessor,
    private readonly bctx: BlockContext,
    private readonly signal?: AbortSignal,
    sizeHint?: number,
  ) {
    // A plain stream's decoded size is its size on disk.
    this.blocker = new LineBlocker(bctx.maxLineBytes, processor.blockBytes, decoded.compression === 'none' ? sizeHint : undefined);
  }

  /** Reads on until `depth` cuts wait or the stream ends. */
  async fill(depth: number): Promise<void> {
    while (!this.ended && this.queue.length < depth) {
      this.signal?.throwIfAborted();
      let next: IteratorResult<Buffer>;
      try {
        next = await this.decoded.chunks.next();
      } catch (err) {
        this.ended = true;
        if (!(err instanceof DecodeError)) {
          this.error = err;
          return;
        }
        this.fault = err;
        // Only the last trailer is bad: every line is whole, the last one included.
        this.enqueue(err.endOfData ? this.blocker.finish() : this.blocker.flushComplete());
        return;
      }
      if (next.done) {
        this.ended = true;
        this.enqueue(this.blocker.finish());
        return;
      }
      this.sinceYield += next.value.length;
      if (this.sinceYield >= YIELD_EVERY_BYTES) {
        this.sinceYield = 0;
        await nextMacrotask();
      }
      this.enqueue(this.blocker.feed(next.value));
    }
  }

  /**
   * What was read after the last cut. For a plain stream, with `upTo` (the decoded offset where
   * the cut ends), only the raw bytes up to there: raw and decoded offsets are the same, so the
   * bytes a cut carries are its own whatever the read size (a read runs ahead of the cuts it
   * feeds, and progress would otherwise count bytes whose documents are still to come).
   */
  takePending(upTo?: number): PendingEffects {
    let raw = this.pending.raw;
    if (upTo !== undefined && this.decoded.compression === 'none') raw = Math.min(raw, Math.max(0, upTo - this.attached));
    const p = { raw, warnings: this.pending.warnings };
    this.pending.raw -= raw;
    this.attached += raw;
    this.pending.warnings = [];
    return p;
  }

  /** Stops reading (closes the stream). */
  async close(): Promise<void> {
    await this.decoded.chunks.return(undefined);
  }

  private enqueue(cuts: Array<LineBlock | LongLineAt>): void {
    for (const c of cuts) {
      if ('tooLong' in c) {
        this.queue.push({ ...this.takePending(c.end), long: c });
        continue;
      }
      const end = c.end;
      const records = this.processor.process(c, this.bctx);
      records.catch(() => undefined); // awaited when replayed; never an unhandled rejection meanwhile
      this.queue.push({ ...this.takePending(end), records });
    }
  }
}

/** Applies what was read for a cut: its raw bytes to the report and progress, its warnings to the notes. */
function applyEffects(ctx: ReaderContext, e: PendingEffects): void {
  for (const m of e.warnings) warn(ctx, m);
  if (e.raw === 0) return;
  ctx.report.bytes += e.raw;
  ctx.onBytes?.(e.raw);
}

/**
 * The JSON lines of a decoded stream, read through a {@link BlockProcessor}: {@link BlockCuts}
 * keeps `depth` blocks in flight (read, parsed and encoded elsewhere), and their documents and
 * rejects are replayed here in input order — so `ctx.rejects` (the bad-input policy,
 * rejects.jsonl), `ctx.report` (lines, documents, bytes, notes) and `ctx.onBytes` see what the
 * streaming reader shows them, in the same order: a document's line number and the rejects
 * before it are in place when it is yielded, and every count at a document is the same whatever
 * the number of workers. A fault of the compressed stream is reported, like the streaming reader
 * does, after every complete line before it; an I/O error is thrown there.
 */
export async function* replayBlockCuts(cuts: BlockCuts, ctx: ReaderContext, depth: number, size: number | undefined): AsyncGenerator<Doc> {
  const { report } = ctx;
  const parseOpts = { maxLineBytes: cuts.blocker.maxLineBytes, arrays: false, utf8: strictUtf8Decoder() };
  try {
    for (;;) {
      await cuts.fill(depth);
      const cut = cuts.queue.shift();
      if (!cut) break;
      applyEffects(ctx, cut);
      if (cut.long) {
        report.lines = cut.long.line;
        parseJsonRecord(cut.long, { line: cut.long.line }, ctx, parseOpts);
        continue;
      }
      const { docs, rejects } = await cut.records!;
      let at = 0;
      for (let i = 0; i < docs.length; i++) {
        at = replayRejects(rejects, at, i, ctx.rejects);
        const doc = docs[i]!;
        report.lines = doc.loc.line!;
        report.documents++;
        yield doc;
      }
      replayRejects(rejects, at, undefined, ctx.rejects);
    }
    applyEffects(ctx, cuts.takePending());
    const { blocker } = cuts;
    report.lines = blocker.line;
    if (cuts.error !== undefined) throw cuts.error;
    if (cuts.fault) {
      const where = { consumed: blocker.consumed, pending: blocker.pendingLength, partial: blocker.pendingHasContent, done: `the last complete line is ${blocker.line}`, unit: `line ${blocker.line + 1}` };
      decodeFault(ctx, cuts.fault, cuts.decoded.compression, where, size);
    }
  } finally {
    await cuts.close();
  }
}

/** The block context of a reader's input. */
export function blockContextOf(ctx: ReaderContext, maxLineBytes: number): BlockContext {
  return { displayPath: ctx.displayPath, ...(ctx.member !== undefined ? { member: ctx.member } : {}), fields: ctx.fields, sourceName: ctx.sourceName, maxLineBytes };
}
