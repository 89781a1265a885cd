import { createHash, type Hash } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RecordBatchStreamWriter, type Schema } from 'apache-arrow';
import { withPath } from '../util/environment-error.js';
import { syncDir } from './atomic-file.js';
import { shardSchema, type ColumnSet } from './columns.js';
import type { Sample } from '../samples/sample.js';
import { columnsToRecordBatch, samplesToColumns } from './record-batch.js';

/** What a finished shard file holds: its size and the sha256 of its bytes. */
export interface FinishedFile {
  bytes: number;
  sha256: string;
}

/**
 * A `RecordBatchStreamWriter` whose output bytes are collected into an array instead of its
 * internal unbounded queue, so that the caller can hash them and write them to a file with
 * backpressure after each batch. apache-arrow offers no sink that does this: `reset(sink)` only
 * pipes into DOM/Node streams without waiting for them, and the queue keeps every byte until read.
 * Overrides the documented protected `_write` hook; the IPC encoding is still Arrow's own.
 */
class CollectingStreamWriter extends RecordBatchStreamWriter {
  private chunks: Uint8Array[] = [];

  protected override _write(chunk: unknown): this {
    if (!this._started) return this;
    if (!ArrayBuffer.isView(chunk)) throw new Error('apache-arrow wrote a chunk that is not an ArrayBufferView');
    if (chunk.byteLength > 0) {
      this.chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this._position += chunk.byteLength;
    }
    return this;
  }

  /** Returns and forgets the bytes written since the last call. */
  take(): Uint8Array[] {
    const out = this.chunks;
    this.chunks = [];
    return out;
  }
}

/** Writes all of `chunks` at the file's current position, retrying after short writes. */
export async function writeFully(fh: FileHandle, chunks: Uint8Array[]): Promise<void> {
  if (chunks.length === 0) return;
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  let { bytesWritten } = await fh.writev(chunks);
  if (bytesWritten === total) return;
  for (const chunk of chunks) {
    if (bytesWritten >= chunk.byteLength) {
      bytesWritten -= chunk.byteLength;
      continue;
    }
    let rest = chunk.subarray(bytesWritten);
    bytesWritten = 0;
    while (rest.byteLength > 0) rest = rest.subarray((await fh.write(rest)).bytesWritten);
  }
}

/**
 * Where a shard writer sends a shard's record batches: a file being written under its temporary
 * name. {@link ArrowShardFile} does the work on the calling thread; `ShardWriteThread` hands it
 * to a thread of its own. Calls come one at a time, in this order: `open`, any number of
 * `append`, then `finish` or `discard`; then `open` again for the next shard. `stop` ends the sink.
 */
export interface ShardFileSink {
  /** Creates `tmp` and writes the Arrow schema message into it (so an empty shard is valid). */
  open(tmp: string): Promise<void>;
  /**
   * Encodes `rows` as one record batch and appends it. The rows were checked (`checkSample`).
   * Arrays marked as the rows' own (`markOwned`) may be taken over: the caller must not use
   * the rows afterwards.
   */
  append(rows: readonly Sample[]): Promise<void>;
  /** Writes the end-of-stream marker, fsyncs, renames the file to `path` and fsyncs its folder. */
  finish(path: string): Promise<FinishedFile>;
  /** Forgets the open shard and removes its temporary file (nothing happens when none is open). */
  discard(): Promise<void>;
  /** Releases what the sink holds (its thread); it takes no call afterwards. */
  stop(): Promise<void>;
}

/** The shard being written: its temporary file and what went into it so far. */
interface OpenFile {
  tmp: string;
  fh: FileHandle;
  hash: Hash;
  arrow: CollectingStreamWriter;
  bytes: number;
}

/**
 * A {@link ShardFileSink} on the calling thread: Arrow IPC stream encoding (the same schema for
 * every shard), sha256 computed on the bytes as they are written (no re-read), `writev` of each
 * batch's buffers as Arrow produced them (no copy), and the atomic finish (fsync, rename, fsync
 * of the folder). Memory: the batch being written.
 */
export class ArrowShardFile implements ShardFileSink {
  private readonly schema: Schema;
  private current: OpenFile | null = null;

  /** A sink for shards with the columns `cols`. */
  constructor(private readonly cols: ColumnSet) {
    this.schema = shardSchema(cols);
  }

  async open(tmp: string): Promise<void> {
    if (this.current) throw new Error(`ArrowShardFile: ${this.current.tmp} is still open`);
    const fh = await open(tmp, 'w');
    const arrow = new CollectingStreamWriter();
    this.current = { tmp, fh, hash: createHash('sha256'), arrow, bytes: 0 };
    arrow.reset(undefined, this.schema); // writes the schema message now, so an empty shard is valid
    await this.emit(this.current);
  }

  async append(rows: readonly Sample[]): Promise<void> {
    const file = this.opened();
    file.arrow.write(columnsToRecordBatch(samplesToColumns(rows, this.cols), this.schema));
    await this.emit(file);
  }

  async finish(path: string): Promise<FinishedFile> {
    const file = this.opened();
    file.arrow.close(); // end-of-stream marker
    await this.emit(file);
    await file.fh.sync().catch((e: unknown) => Promise.reject(withPath(e, file.tmp)));
    this.current = null;
    await file.fh.close();
    await rename(file.tmp, path);
    await syncDir(dirname(path));
    return { bytes: file.bytes, sha256: file.hash.digest('hex') };
  }

  async discard(): Promise<void> {
    const file = this.current;
    this.current = null;
    if (!file) return;
    await file.fh.close().catch(() => undefined);
    await rm(file.tmp, { force: true });
  }

  async stop(): Promise<void> {
    await this.discard();
  }

  private opened(): OpenFile {
    if (!this.current) throw new Error('ArrowShardFile: no shard is open');
    return this.current;
  }

  /** Hashes and writes what the Arrow writer produced since the last call. */
  private async emit(file: OpenFile): Promise<void> {
    const chunks = file.arrow.take();
    for (const c of chunks) {
      file.hash.update(c);
      file.bytes += c.byteLength;
    }
    await writeFully(file.fh, chunks).catch((e: unknown) => Promise.reject(withPath(e, file.tmp)));
  }
}
