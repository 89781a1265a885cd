import { createHash, type Hash } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { RecordBatchStreamWriter, type Schema } from 'apache-arrow';
import type { Sample } from '../samples/sample.js';
import { withPath } from '../util/environment-error.js';
import { syncDir, tempPathFor } from './atomic-file.js';
import { finishDataset, type DatasetDescription } from './finish-dataset.js';
import { LengthHistogram } from './histogram.js';
import { shardSchema, type ColumnSet } from './columns.js';
import { checkSample, MAX_BATCH_VALUES, samplesToRecordBatch } from './record-batch.js';
import { SerialRowWriter } from './serial-writer.js';

/** One file of a shard: its name relative to the dataset folder, size and sha256. */
export interface ShardFile {
  file: string;
  bytes: number;
  sha256: string;
}

/** One finished shard, as recorded in the manifest. */
export interface ShardInfo {
  /** File name relative to the dataset folder, e.g. `shard-00000.arrow`. */
  file: string;
  /** Rows (training sequences) in the shard. */
  rows: number;
  /** Tokens in the shard: the sum of the rows' `input_ids` lengths. */
  tokens: number;
  /** Size of the file in bytes. */
  bytes: number;
  /** Lowercase hex sha256 of the file's bytes. */
  sha256: string;
  /** Megatron shards: the `.idx` index paired with `file` (the `.bin` tokens). */
  index?: ShardFile;
  /** Megatron shards: the documents (IndexedDataset sequences) the pair holds. */
  documents?: number;
}

/** Every file of a shard: `file`, then the Megatron index when there is one. */
export function shardFiles(s: ShardInfo): ShardFile[] {
  const main = { file: s.file, bytes: s.bytes, sha256: s.sha256 };
  return s.index ? [main, s.index] : [main];
}

/**
 * What the run loop writes rows into: {@link ShardWriter} (Arrow) or `MegatronShardWriter`.
 * `write` resolves once any shard it completed is on disk; `shards` lists the finished ones.
 */
export interface RowWriter {
  write(sample: Sample): Promise<void>;
  /** Resuming mid-row (Megatron pairs end inside rows): the next `n` tokens are already written. */
  skipTokens?(n: number): void;
  close(): Promise<ShardInfo[]>;
  abort(): Promise<void>;
  readonly shards: readonly ShardInfo[];
}

/** Options of {@link ShardWriter} and {@link writeShards}. */
export interface ShardWriterOptions {
  /** Which optional columns the shards carry; every sample must match them. */
  columns: ColumnSet;
  /** Target tokens per shard: a shard is closed at the first row boundary at or after it. */
  shardTokens: number;
  /** Flush a record batch once it holds this many rows (default 1000, like HF datasets). */
  batchRows?: number;
  /** …or this many tokens, whichever comes first (default 2^20). Bounds the writer's memory. */
  batchTokens?: number;
  /** File name prefix (default `shard`): files are `PREFIX-00000.arrow`, `PREFIX-00001.arrow`, … */
  prefix?: string;
  /** Index of the first shard written (default 0); lets a resumed build continue the numbering. */
  firstIndex?: number;
  /**
   * Whether `close` writes one empty shard when no sample came (default true, so that a build
   * with no rows is still a dataset). A resumed build whose earlier shards already exist passes
   * false.
   */
  writeEmptyShard?: boolean;
  /**
   * Called with each file name (relative to the folder) before the file is created, e.g. to
   * record it in a ledger of the files a build wrote.
   */
  onCreate?: (file: string) => void | Promise<void>;
}

/** Default rows per record batch. */
export const DEFAULT_BATCH_ROWS = 1000;
/** Default tokens per record batch. */
export const DEFAULT_BATCH_TOKENS = 1 << 20;

/** The file name of shard `index`: `PREFIX-NNNNN.arrow` with a 5-digit, zero-padded index. */
export function shardFileName(prefix: string, index: number): string {
  return `${prefix}-${String(index).padStart(5, '0')}.arrow`;
}

/**
 * Whether `name` is a shard file name for `prefix` (default `shard`): an Arrow shard
 * ({@link shardFileName}) or either file of a Megatron pair (`PREFIX-NNNNN.bin` / `.idx`).
 */
export function isShardFileName(name: string, prefix = 'shard'): boolean {
  return name.startsWith(`${prefix}-`) && /^\d{5,}\.(?:arrow|bin|idx)$/.test(name.slice(prefix.length + 1));
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

/** The shard being written: its file under the temporary name and what went into it so far. */
interface OpenShard {
  file: string;
  path: string;
  tmp: string;
  fh: FileHandle;
  hash: Hash;
  arrow: CollectingStreamWriter;
  rows: number;
  tokens: number;
  bytes: number;
}

/** Checks that an option is an integer within bounds. */
function intOption(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`ShardWriter option ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/**
 * Writes samples into numbered Arrow IPC *stream* shards (docs/shard-format.md): uncompressed, one schema
 * ({@link shardSchema}) for all shards, record batches of at most `batchRows` rows /
 * `batchTokens` tokens, a new shard after the row that reaches `shardTokens`.
 *
 * Each shard is written to `.PREFIX-NNNNN.arrow.tmp` in the same folder, fsync'd and renamed to
 * `PREFIX-NNNNN.arrow` when complete, so no final name ever holds a partial file. The sha256 is
 * computed on the bytes as they are written (no re-read). Memory is bounded by one record batch;
 * each batch is awaited into the file before `write` resolves, which is the backpressure.
 * The output depends only on the samples and the options (no timestamps): same input, same bytes.
 *
 * Calls to `write` are serialized internally, but callers should await each one. After a failed
 * write (an invariant violation or an I/O error) the writer refuses further work: call `abort`.
 * If no sample was written, `close` writes one empty shard so the folder is still a dataset
 * (unless `writeEmptyShard` is false).
 */
export class ShardWriter extends SerialRowWriter {
  private readonly schema: Schema;
  private readonly cols: ColumnSet;
  private readonly shardTokens: number;
  private readonly batchRows: number;
  private readonly batchTokens: number;
  private readonly prefix: string;
  private nextIndex: number;
  private pending: Sample[] = [];
  private pendingTokens = 0;
  private current: OpenShard | null = null;
  private rowsSeen = 0;
  private madeDir = false;
  private readonly onCreate: ShardWriterOptions['onCreate'];

  /** Creates a writer into `dir` (created if missing); no file is opened before the first write. */
  constructor(readonly dir: string, opts: ShardWriterOptions) {
    super('ShardWriter', opts.writeEmptyShard ?? true);
    this.cols = { ...opts.columns };
    this.schema = shardSchema(this.cols);
    this.shardTokens = intOption('shardTokens', opts.shardTokens, 1);
    this.batchRows = intOption('batchRows', opts.batchRows ?? DEFAULT_BATCH_ROWS, 1);
    this.batchTokens = intOption('batchTokens', opts.batchTokens ?? DEFAULT_BATCH_TOKENS, 1, MAX_BATCH_VALUES);
    this.nextIndex = intOption('firstIndex', opts.firstIndex ?? 0, 0);
    this.prefix = opts.prefix ?? 'shard';
    this.onCreate = opts.onCreate;
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(this.prefix)) {
      throw new RangeError(`ShardWriter option prefix must be a plain file name prefix, got ${JSON.stringify(this.prefix)}`);
    }
  }

  protected override async finishOpen(): Promise<boolean> {
    await this.flushBatch();
    if (!this.current) return false;
    await this.finishShard();
    return true;
  }

  protected override async writeEmptyShard(): Promise<void> {
    await this.openShard();
    await this.finishShard();
  }

  protected override async discardOpen(): Promise<void> {
    const shard = this.current;
    this.current = null;
    this.pending = [];
    if (shard) {
      await shard.fh.close().catch(() => undefined);
      await rm(shard.tmp, { force: true });
    }
  }

  protected override async writeOne(sample: Sample): Promise<void> {
    checkSample(sample, this.cols, this.rowsSeen);
    const n = sample.inputIds.length;
    if (this.pendingTokens + n > MAX_BATCH_VALUES) await this.flushBatch();
    if (!this.current) await this.openShard();
    const shard = this.current!;
    this.pending.push(sample);
    this.pendingTokens += n;
    this.rowsSeen++;
    shard.rows++;
    shard.tokens += n;
    if (shard.tokens >= this.shardTokens) {
      await this.flushBatch();
      await this.finishShard();
    } else if (this.pending.length >= this.batchRows || this.pendingTokens >= this.batchTokens) {
      await this.flushBatch();
    }
  }

  private async openShard(): Promise<void> {
    if (!this.madeDir) {
      await mkdir(this.dir, { recursive: true });
      this.madeDir = true;
    }
    const file = shardFileName(this.prefix, this.nextIndex++);
    const path = join(this.dir, file);
    const tmp = tempPathFor(path);
    await this.onCreate?.(file);
    const fh = await open(tmp, 'w');
    const arrow = new CollectingStreamWriter();
    const shard: OpenShard = { file, path, tmp, fh, hash: createHash('sha256'), arrow, rows: 0, tokens: 0, bytes: 0 };
    this.current = shard;
    arrow.reset(undefined, this.schema); // writes the schema message now, so an empty shard is valid
    await this.emit(shard);
  }

  /** Hashes and writes what the Arrow writer produced since the last call. */
  private async emit(shard: OpenShard): Promise<void> {
    const chunks = shard.arrow.take();
    for (const c of chunks) {
      shard.hash.update(c);
      shard.bytes += c.byteLength;
    }
    await writeFully(shard.fh, chunks).catch((e: unknown) => Promise.reject(withPath(e, shard.tmp)));
  }

  private async flushBatch(): Promise<void> {
    if (this.pending.length === 0) return;
    const shard = this.current!;
    const batch = samplesToRecordBatch(this.pending, this.cols, this.schema);
    this.pending = [];
    this.pendingTokens = 0;
    shard.arrow.write(batch);
    await this.emit(shard);
  }

  private async finishShard(): Promise<void> {
    const shard = this.current!;
    shard.arrow.close(); // end-of-stream marker
    await this.emit(shard);
    await shard.fh.sync().catch((e: unknown) => Promise.reject(withPath(e, shard.tmp)));
    await shard.fh.close();
    await rename(shard.tmp, shard.path);
    await syncDir(this.dir);
    this.current = null;
    this.done.push({ file: shard.file, rows: shard.rows, tokens: shard.tokens, bytes: shard.bytes, sha256: shard.hash.digest('hex') });
  }
}

/** The object-mode Writable returned by {@link writeShards}. */
export interface ShardsWritable extends Writable {
  /** The shards written, in order; filled when the stream has finished (empty before). */
  readonly shards: ShardInfo[];
}

/**
 * An object-mode Writable of {@link Sample}s over a {@link ShardWriter}, for `stream.pipeline`:
 * each write resolves when the writer has taken the sample (backpressure), `final` closes the
 * writer, after `finish` `.shards` lists what was written; destroying the stream on an error
 * aborts the writer (the unfinished shard's temporary file is removed).
 *
 * With `dataset` (how to read the rows: attention, positions; the tokenizer and builder when
 * known), `final` also writes `manifest.json`, `state.json` and `dataset_info.json` (see
 * `finishDataset`), so the folder opens with `openDataset`, `skein inspect` and
 * `datasets.load_from_disk`. Without it only the shards are written.
 */
export function writeShards(dir: string, opts: ShardWriterOptions & { dataset?: DatasetDescription }): ShardsWritable {
  const writer = new ShardWriter(dir, opts);
  let shards: ShardInfo[] = [];
  let finished = false;
  const lengths = new LengthHistogram();
  const stream = new Writable({
    objectMode: true,
    write(sample: Sample, _encoding, callback) {
      writer.write(sample).then(() => {
        lengths.add(sample.inputIds.length);
        callback();
      }, callback);
    },
    final(callback) {
      writer
        .close()
        .then(async (s) => {
          shards = s;
          if (opts.dataset) await finishDataset(dir, s, opts.columns, opts.dataset, lengths.toJSON());
          finished = true;
        })
        .then(() => callback(), callback);
    },
    destroy(err, callback) {
      if (finished) return callback(err);
      writer.abort().then(() => callback(err), (e: unknown) => callback(err ?? (e as Error)));
    },
  });
  Object.defineProperty(stream, 'shards', { get: () => shards, enumerable: true });
  return stream as ShardsWritable;
}
