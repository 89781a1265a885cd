import { RejectSink } from '../util/reject-sink.js';
import type { DropReason, RecordLocation } from '../util/errors.js';
import type { Doc, FieldMap } from './doc.js';
import type { FetchedRowGroup } from './parquet-group-bytes.js';
import type { StreamDecoders } from './stream-decoders.js';
import type { LineBlock } from './line-blocker.js';
import { newlineRunEnd, stripCr } from './line-splitter.js';
import { parseJsonRecord, strictUtf8Decoder } from './parse-record.js';
import type { ReaderContext } from './reader-context.js';

/** What reading the records of a line block needs about its input: plain data, so it can travel to a worker. */
export interface BlockContext {
  /** Path of the input as shown in ids and locations. */
  displayPath: string;
  /** Member name inside a ZIP archive. */
  member?: string;
  fields: FieldMap;
  /** Source name of records without one. */
  sourceName: string;
  /** `limits.maxLineBytes`: a longer line is a `line_too_long` reject. */
  maxLineBytes: number;
}

/**
 * A reject or drop met while reading a block, kept to be applied later, in input order, to the
 * reader's real sink (where the bad-input policy and rejects.jsonl are): `before` is the number of
 * the block's documents that precede it.
 */
export type RecordedReject =
  | { before: number; kind: 'reject'; reason: DropReason; location: RecordLocation; detail: string; documents: number }
  | { before: number; kind: 'drop'; reason: DropReason; documents: number };

/** The records of one line block: its documents and its rejects, in input order. */
export interface BlockRecords {
  docs: Doc[];
  rejects: RecordedReject[];
}

/** A {@link RejectSink} that records instead of applying (the policy is applied where the records are replayed). */
export class RecordingSink extends RejectSink {
  readonly recorded: RecordedReject[] = [];
  /** Documents of the block read so far. */
  docs = 0;

  override reject(reason: DropReason, location: RecordLocation, detail: string, documents = 1): void {
    this.recorded.push({ before: this.docs, kind: 'reject', reason, location, detail, documents });
  }

  override drop(reason: DropReason, documents = 1): void {
    this.recorded.push({ before: this.docs, kind: 'drop', reason, documents });
  }
}

/**
 * A reader context for records read away from their reader (a worker): its sink records the
 * rejects for {@link replayRejects}; count the documents read in `sink.docs` as they come.
 */
export function recordingContext(bctx: BlockContext): { ctx: ReaderContext; sink: RecordingSink } {
  const sink = new RecordingSink('skip');
  const ctx: ReaderContext = {
    displayPath: bctx.displayPath,
    ...(bctx.member !== undefined ? { member: bctx.member } : {}),
    fields: bctx.fields,
    sourceName: bctx.sourceName,
    rejects: sink,
    report: { path: bctx.displayPath, format: 'jsonl', bytes: 0, documents: 0, status: 'ok' },
  };
  return { ctx, sink };
}

/**
 * Reads the JSON lines of a {@link LineBlock} into documents with the reader's own rules
 * ({@link parseJsonRecord}: the same rejects, line numbers and ids as the streaming reader),
 * recording the rejects for {@link replayRejects}. Runs wherever the block is sent: in a
 * tokenizer worker, or on the main thread when there is none.
 */
export function readBlockRecords(block: Pick<LineBlock, 'bytes' | 'firstLine'>, bctx: BlockContext): BlockRecords {
  const { ctx, sink } = recordingContext(bctx);
  const opts = { maxLineBytes: bctx.maxLineBytes, arrays: false, utf8: strictUtf8Decoder() };
  const bytes = Buffer.from(block.bytes.buffer, block.bytes.byteOffset, block.bytes.byteLength);
  const docs: Doc[] = [];
  const n = bytes.length;
  let line = block.firstLine - 1;
  let start = 0;
  while (start < n) {
    if (bytes[start] === 0x0a) {
      // Empty lines: counted, never read (as LineSplitter does), a run at a time.
      const end = newlineRunEnd(bytes, start);
      line += end - start;
      start = end;
      continue;
    }
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? n : nl;
    line++;
    const length = end - start;
    const raw = length > bctx.maxLineBytes ? { tooLong: true as const, bytes: length } : stripCr(bytes.subarray(start, end));
    const doc = parseJsonRecord(raw, { line }, ctx, opts);
    if (doc) {
      docs.push(doc);
      sink.docs++;
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  return { docs, rejects: sink.recorded };
}

/** Applies the recorded rejects with `before === docIndex` (all remaining ones when `docIndex` is undefined) from `at` on; returns where it stopped. */
export function replayRejects(rejects: readonly RecordedReject[], at: number, docIndex: number | undefined, sink: RejectSink): number {
  let i = at;
  for (; i < rejects.length && (docIndex === undefined || rejects[i]!.before <= docIndex); i++) {
    const r = rejects[i]!;
    if (r.kind === 'reject') sink.reject(r.reason, r.location, r.detail, r.documents);
    else sink.drop(r.reason, r.documents);
  }
  return i;
}

/**
 * Reads the records of line blocks somewhere else than the reader's loop — in tokenizer worker
 * threads, which also encode them (the documents come back with `encoded` set), or on the main
 * thread — and hands them back in the order asked. The JSONL reader cuts blocks, keeps `depth`
 * of them in flight and replays their documents and rejects in input order.
 */
export interface BlockProcessor {
  /** About how many bytes a block holds. */
  readonly blockBytes: number;
  /** Blocks a reader keeps in flight (enough that no worker waits for the next one). */
  readonly depth: number;
  /** The block's records; the block's buffer may be transferred (the caller must not use it again). */
  process(block: LineBlock, ctx: BlockContext): Promise<BlockRecords>;
  /** Reads (and encodes) a Parquet row group elsewhere (see {@link RowGroupTask}); absent: row groups are read by the reader itself. */
  processRowGroup?(task: RowGroupTask, ctx: BlockContext): Promise<RowGroupRecords>;
  /** Threads that decompress gzip and zstd inputs for the reader; absent: it decompresses them itself. */
  readonly decoders?: StreamDecoders;
  /** Stops what the processor started (its decompressing threads). */
  close?(): Promise<void>;
}

/**
 * A Parquet row group to be read where it is sent (see `readRowGroupRecords`): a local file's by
 * its path (opened there), any other's (a remote object, a ZIP member) as its bytes, `fetched`
 * by the reader, so that no I/O happens where it is sent.
 */
export interface RowGroupTask {
  /** The file (a Buffer path travels as bytes); empty with `fetched`. */
  path: string | Uint8Array;
  /** The group's bytes, fetched by the reader; the path is then not opened. */
  fetched?: FetchedRowGroup;
  /** Its size when the build listed it. */
  size: number;
  /** Index of the row group, and its rows in the file `[rowStart, rowEnd)`. */
  group: number;
  rowStart: number;
  rowEnd: number;
  /** The top-level columns to read. */
  columns: string[];
}

/**
 * A row group's records: its documents and rejects; `bytes`: the bytes read from the file for it;
 * `error`: why it could not be decoded (then nothing else); `fault`: a fault of the environment
 * (the file gone, an I/O error) to throw where the reader is, as the reader would have.
 */
export interface RowGroupRecords extends BlockRecords {
  bytes: number;
  error?: string;
  fault?: { message: string; code?: string; syscall?: string; path?: string };
}
