import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { replayRejects, type BlockContext, type BlockProcessor, type BlockRecords } from './block-records.js';
import { DecodeError } from './decode-error.js';
import { decodeFault } from './decode-fault.js';
import type { Decoded } from './decompress.js';
import type { Doc } from './doc.js';
import type { InputLimits } from './input-limits.js';
import { LineBlocker, type LineBlock, type LongLineAt } from './line-blocker.js';
import { parseJsonRecord, strictUtf8Decoder } from './parse-record.js';
import type { ReaderContext } from './reader-context.js';

/** Decoded bytes between two returns to the event loop (timers, progress, signals keep running). */
const YIELD_EVERY_BYTES = 8 * 2 ** 20;

/** One cut of the stream waiting to be replayed: the raw bytes read for it, and its block's records or a long line. */
interface Cut {
  raw: number;
  records?: Promise<BlockRecords>;
  long?: LongLineAt;
}

/**
 * The JSON lines of a decoded stream, read through a {@link BlockProcessor}: the stream is cut
 * into line blocks here ({@link LineBlocker}), up to `processor.depth` blocks are read (parsed,
 * and encoded) at once elsewhere, and their documents and rejects are replayed here in input
 * order — so `ctx.rejects` (the bad-input policy, rejects.jsonl), `ctx.report` (lines, documents,
 * bytes) and `ctx.onBytes` see exactly what the streaming reader shows them, in the same order:
 * a document's line number and the rejects before it are in place when it is yielded.
 * `takeRaw()` gives the compressed bytes read since it was last called; they are counted when the
 * block they were read for is replayed, so every count at a document is the same whatever the
 * number of workers. A fault of the compressed stream is reported, like the streaming reader
 * does, after every complete line before it.
 */
export async function* readJsonlBlocks(
  decoded: Extract<Decoded, { ok: true }>,
  ctx: ReaderContext,
  processor: BlockProcessor,
  limits: InputLimits,
  size: number | undefined,
  takeRaw: () => number,
): AsyncGenerator<Doc> {
  const { report } = ctx;
  const bctx: BlockContext = { displayPath: ctx.displayPath, ...(ctx.member !== undefined ? { member: ctx.member } : {}), fields: ctx.fields, sourceName: ctx.sourceName, maxLineBytes: limits.maxLineBytes };
  const blocker = new LineBlocker(limits.maxLineBytes, processor.blockBytes);
  const parseOpts = { maxLineBytes: limits.maxLineBytes, arrays: false, utf8: strictUtf8Decoder() };
  const queue: Cut[] = [];
  const enqueue = (cuts: Array<LineBlock | LongLineAt>): void => {
    for (const c of cuts) {
      if ('tooLong' in c) {
        queue.push({ raw: takeRaw(), long: c });
        continue;
      }
      const records = processor.process(c, bctx);
      records.catch(() => undefined); // awaited when replayed; never an unhandled rejection meanwhile
      queue.push({ raw: takeRaw(), records });
    }
  };
  const chunks = decoded.chunks;
  let ended = false;
  let fault: DecodeError | undefined;
  let sinceYield = 0;
  const fill = async (): Promise<void> => {
    while (!ended && queue.length < processor.depth) {
      ctx.signal?.throwIfAborted();
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        ended = true;
        fault = err;
        // Only the last trailer is bad: every line is whole, the last one included.
        enqueue(err.endOfData ? blocker.finish() : blocker.flushComplete());
        return;
      }
      if (next.done) {
        ended = true;
        enqueue(blocker.finish());
        return;
      }
      sinceYield += next.value.length;
      if (sinceYield >= YIELD_EVERY_BYTES) {
        sinceYield = 0;
        await nextMacrotask();
      }
      enqueue(blocker.feed(next.value));
    }
  };
  const count = (raw: number): void => {
    if (raw === 0) return;
    report.bytes += raw;
    ctx.onBytes?.(raw);
  };
  try {
    for (;;) {
      await fill();
      const cut = queue.shift();
      if (!cut) break;
      count(cut.raw);
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
    count(takeRaw());
    report.lines = blocker.line;
    if (fault) {
      const where = { consumed: blocker.consumed, pending: blocker.pendingLength, partial: blocker.pendingHasContent, done: `the last complete line is ${blocker.line}`, unit: `line ${blocker.line + 1}` };
      decodeFault(ctx, fault, decoded.compression, where, size);
    }
  } finally {
    await chunks.return(undefined);
  }
}
