import type { PathLike } from 'node:fs';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { Doc } from './doc.js';
import { DecodeError } from './decode-error.js';
import { decompress } from './decompress.js';
import type { InputCompression } from './input-format.js';
import { DEFAULT_INPUT_LIMITS } from './input-limits.js';
import { JsonArrayError, JsonArraySplitter } from './json-array-splitter.js';
import { decodeFault } from './decode-fault.js';
import { blockContextOf, YIELD_EVERY_BYTES } from './jsonl-blocks.js';
import { jsonlFileSource, replayStarted, startBlocks } from './jsonl-prefetch.js';
import { LineSplitter, type LongLine } from './line-splitter.js';
import { parseJsonRecord, strictUtf8Decoder } from './parse-record.js';
import { locate, warn, type ReaderContext } from './reader-context.js';


/** How a JSON lines file is read. */
export interface JsonlReadOptions {
  /**
   * A `.json` file: when its first non-whitespace byte is `[`, it is one JSON array of records
   * and is read element by element (records are located by their 0-based index, as rows).
   */
  arrays?: boolean;
  /** The input's size on disk: only this many bytes are read (a file that grows is not read past it). */
  size?: number;
}

/**
 * Reads a JSONL file from disk as documents. See {@link readJsonl}. Reads at most `opts.size`
 * bytes, so a file that grows while it is read is read as it was when the build planned it.
 */
export async function* readJsonlFile(path: PathLike, compression: InputCompression, ctx: ReaderContext, opts: JsonlReadOptions = {}): AsyncGenerator<Doc> {
  // A small file may have been opened and handed to the workers ahead of its turn (JsonlPrefetch).
  const ahead = !opts.arrays && ctx.blocks ? ctx.prefetch?.take(path, blockContextOf(ctx, (ctx.limits ?? DEFAULT_INPUT_LIMITS).maxLineBytes)) : undefined;
  if (ahead) {
    yield* replayStarted(await ahead, ctx, ctx.blocks!.depth, opts.size);
    return;
  }
  yield* readJsonl(jsonlFileSource(path, opts.size, compression), compression, ctx, opts);
}

/**
 * Reads JSON lines from a byte stream (plain, gzip or zstd; the magic bytes decide, `compression`
 * is what the name says) and yields one {@link Doc} per line holding an object with a text.
 *
 * Lines are split on `\n` at the byte level; a trailing `\r` and a UTF-8 BOM at the start of the
 * input are removed; blank lines are skipped. Bad lines are reported to `ctx.rejects` with their
 * 1-based line number: `invalid_utf8`, `malformed_json` (not JSON, or JSON but not an object),
 * `line_too_long` (over `ctx.limits.maxLineBytes`: counted while it streams, never held), and
 * the field errors of {@link recordToDoc}. With `opts.arrays`, a stream whose first byte is `[`
 * is read as one JSON array, element by element, with the same checks per element.
 *
 * A compressed stream that is truncated or corrupt keeps every complete line decoded before the
 * fault (the decoders yield everything they decoded first) and is reported once as
 * `truncated_input`, `corrupt_input` or `unsupported_compression`, at the compressed byte offset
 * of the fault. Lines after the fault cannot be counted: the reject counts one document when a
 * partial line with content was pending or nothing at all could be decoded, and
 * `ctx.report.lostBytes` records the compressed bytes from the fault to the end. Warnings (a
 * `.gz` that is plain text, trailing garbage after the last gzip member) go to `ctx.onWarning`
 * and the report's notes. Errors of the byte source itself (I/O) are thrown as they are.
 * `ctx.report` counts lines, documents and raw bytes as it goes; `ctx.signal` is checked once per
 * chunk, and the reader returns to the event loop every 8 MiB of decoded bytes, so progress
 * stays alive on a decompression bomb.
 *
 * With a block processor in `ctx.blocks`, a JSON lines stream (not a `.json` one) is read in line
 * blocks parsed and encoded elsewhere (see `replayBlockCuts`), with the same documents, rejects
 * and counts.
 */
export async function* readJsonl(source: AsyncIterable<Uint8Array>, compression: InputCompression, ctx: ReaderContext, opts: JsonlReadOptions = {}): AsyncGenerator<Doc> {
  const { report, signal } = ctx;
  const limits = ctx.limits ?? DEFAULT_INPUT_LIMITS;
  report.lines ??= 0;
  // JSON lines files (not `.json`, which may hold one array) go to the block processor when there is one.
  if (!opts.arrays && ctx.blocks) {
    const started = await startBlocks(source, compression, ctx.blocks, blockContextOf(ctx, limits.maxLineBytes), limits.maxZstdWindow, opts.size, signal);
    yield* replayStarted(started, ctx, ctx.blocks.depth, opts.size);
    return;
  }
  const decoded = await decompress(source, compression, {
    onRaw: (n) => {
      report.bytes += n;
      ctx.onBytes?.(n);
    },
    onWarning: (m) => warn(ctx, m),
    maxZstdWindow: limits.maxZstdWindow,
  });
  if (!decoded.ok) {
    report.status = 'corrupt';
    ctx.rejects.reject('corrupt_input', locate(ctx, { offset: 0 }), decoded.detail, 1);
    return;
  }
  const chunks = decoded.chunks;
  const lines = new LineSplitter(limits.maxLineBytes);
  let array: JsonArraySplitter | undefined;
  /** Undecided until the first non-whitespace byte shows whether a `.json` file is an array. */
  let undecided = opts.arrays === true;

  const parseOpts = { maxLineBytes: limits.maxLineBytes, arrays: opts.arrays === true, utf8: strictUtf8Decoder() };
  const parse = (bytes: Buffer | LongLine, at: { line: number } | { row: number }): Doc | undefined => {
    if ('line' in at) report.lines = at.line;
    else report.rows = at.row + 1;
    return parseJsonRecord(bytes, at, ctx, parseOpts);
  };

  /** Reports the end of an array that is not one (bytes outside it, a missing `]` or `,`). */
  const arrayFault = (err: JsonArrayError, splitter: JsonArraySplitter): void => {
    const partial = splitter.pendingLength > 0 ? 1 : 0;
    report.status = 'corrupt';
    ctx.rejects.reject('malformed_json', locate(ctx, { offset: err.offset }), `${err.message}; ${splitter.elements} elements were read`, partial);
  };

  let sinceYield = 0;
  try {
    for (;;) {
      signal?.throwIfAborted();
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        if (err.endOfData && !array) {
          // Only the last trailer is bad: every line is whole; read the last one before reporting.
          const last = lines.finish();
          const doc = last ? parse(last, { line: lines.line }) : undefined;
          if (doc) {
            report.documents++;
            yield doc;
          }
        }
        const where = array
          ? { consumed: array.consumed, pending: array.pendingLength, partial: array.pendingLength > 0, done: `${array.elements} array elements were read`, unit: `element ${array.elements}` }
          : { consumed: lines.consumed, pending: lines.pendingLength, partial: lines.pendingHasContent, done: `the last complete line is ${lines.line}`, unit: `line ${lines.line + 1}` };
        if (!array) report.lines = lines.line;
        decodeFault(ctx, err, decoded.compression, where, opts.size);
        return;
      }
      if (next.done) break;
      let chunk = next.value;
      sinceYield += chunk.length;
      if (sinceYield >= YIELD_EVERY_BYTES) {
        sinceYield = 0;
        await nextMacrotask();
      }
      if (undecided) {
        const first = firstNonSpace(chunk, lines.consumed === 0);
        if (first >= 0) {
          undecided = false;
          if (chunk[first] === 0x5b) {
            array = new JsonArraySplitter(limits.maxLineBytes);
            array.consumed = lines.consumed;
            chunk = chunk.subarray(first);
            array.consumed += first;
          }
        }
      }
      if (array) {
        try {
          for (const el of array.feed(chunk)) {
            const doc = parse(el, { row: array.elements - 1 });
            if (doc) {
              report.documents++;
              yield doc;
            }
          }
        } catch (err) {
          if (!(err instanceof JsonArrayError)) throw err;
          arrayFault(err, array);
          return;
        }
        continue;
      }
      for (const line of lines.feed(chunk)) {
        const doc = parse(line, { line: lines.line });
        if (doc) {
          report.documents++;
          yield doc;
        }
      }
    }
    if (array) {
      let end: ReturnType<JsonArraySplitter['finish']>;
      try {
        end = array.finish();
      } catch (err) {
        if (!(err instanceof JsonArrayError)) throw err;
        arrayFault(err, array);
        return;
      }
      if (end.last) {
        const doc = parse(end.last, { row: array.elements - 1 });
        if (doc) {
          report.documents++;
          yield doc;
        }
      }
      if (end.error) arrayFault(end.error, array);
      return;
    }
    const last = lines.finish();
    report.lines = lines.line;
    if (last) {
      const doc = parse(last, { line: lines.line });
      if (doc) {
        report.documents++;
        yield doc;
      }
    }
  } finally {
    await chunks.return(undefined);
  }
}

/** Index of the first byte that is not JSON whitespace (nor, at the start of the stream, a BOM byte); -1 if none. */
function firstNonSpace(chunk: Buffer, atStart: boolean): number {
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i]!;
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    if (atStart && i < 3 && (b === 0xef || b === 0xbb || b === 0xbf)) continue;
    return i;
  }
  return -1;
}
