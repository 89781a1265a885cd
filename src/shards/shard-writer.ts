import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Sample } from '../samples/sample.js';
import { ArrowShardFile, type ShardFileSink } from './arrow-shard-file.js';
import { tempPathFor } from './atomic-file.js';
import { finishDataset, type DatasetDescription } from './finish-dataset.js';
import { LengthHistogram } from './histogram.js';
import type { ColumnSet } from './columns.js';
import { checkSample, MAX_BATCH_VALUES } from './record-batch.js';
import { SerialRowWriter } from './serial-writer.js';
import { ShardWriteThread } from './shard-write-thread.js';

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
  /**
   * Encode, hash and write the shards on a thread of their own (default false: on the calling
   * thread): `true` starts one at the first shard; a {@link ShardWriteThread} started earlier (for
   * the columns of `columns`) is used as it is. The bytes are the same either way; a build with
   * tokenizer workers uses one so that its main thread only assembles rows. The writer stops the
   * thread when it is closed or aborted.
   */
  thread?: boolean | ShardWriteThread;
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

/** The shard being written: its names and what went into it so far. */
interface OpenShard {
  file: string;
  path: string;
  tmp: string;
  rows: number;
  tokens: number;
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
 * computed on the bytes as they are written (no re-read). Encoding, hashing and writing run on
 * the calling thread ({@link ArrowShardFile}) or, with `thread`, on a thread of their own
 * ({@link ShardWriteThread}); the bytes are the same. Memory is bounded by a few record batches;
 * on the calling thread each batch is awaited into the file before `write` resolves, on a thread
 * at most two run ahead: that is the backpressure. A `write` that completes a shard resolves once
 * the shard is on disk under its final name. The output depends only on the samples and the
 * options (no timestamps): same input, same bytes.
 *
 * Calls to `write` are serialized internally, but callers should await each one. After a failed
 * write (an invariant violation or an I/O error) the writer refuses further work: call `abort`.
 * If no sample was written, `close` writes one empty shard so the folder is still a dataset
 * (unless `writeEmptyShard` is false). `close` and `abort` stop the writing thread.
 */
export class ShardWriter extends SerialRowWriter {
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
  private readonly thread: boolean | ShardWriteThread;
  private sinkInstance: ShardFileSink | undefined;

  /** Creates a writer into `dir` (created if missing); no file is opened (and no thread started) before the first write. */
  constructor(readonly dir: string, opts: ShardWriterOptions) {
    super('ShardWriter', opts.writeEmptyShard ?? true);
    this.cols = { ...opts.columns };
    this.shardTokens = intOption('shardTokens', opts.shardTokens, 1);
    this.batchRows = intOption('batchRows', opts.batchRows ?? DEFAULT_BATCH_ROWS, 1);
    this.batchTokens = intOption('batchTokens', opts.batchTokens ?? DEFAULT_BATCH_TOKENS, 1, MAX_BATCH_VALUES);
    this.nextIndex = intOption('firstIndex', opts.firstIndex ?? 0, 0);
    this.prefix = opts.prefix ?? 'shard';
    this.onCreate = opts.onCreate;
    this.thread = opts.thread ?? false;
    if (typeof this.thread === 'object') this.sinkInstance = this.thread;
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(this.prefix)) {
      throw new RangeError(`ShardWriter option prefix must be a plain file name prefix, got ${JSON.stringify(this.prefix)}`);
    }
  }

  /** Finishes the last shard, then stops the writing thread (also when finishing failed). */
  override async close(): Promise<ShardInfo[]> {
    try {
      return await super.close();
    } finally {
      await this.sinkInstance?.stop().catch(() => undefined);
    }
  }

  /** Discards the unfinished shard, then stops the writing thread. */
  override async abort(): Promise<void> {
    try {
      await super.abort();
    } finally {
      await this.sinkInstance?.stop().catch(() => undefined);
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
    this.current = null;
    this.pending = [];
    await this.sinkInstance?.discard();
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

  /** The sink, made at the first shard (so that a writer that writes nothing starts no thread). */
  private sink(): ShardFileSink {
    this.sinkInstance ??= this.thread === false ? new ArrowShardFile(this.cols) : this.thread === true ? new ShardWriteThread(this.cols) : this.thread;
    return this.sinkInstance;
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
    this.current = { file, path, tmp, rows: 0, tokens: 0 };
    await this.sink().open(tmp);
  }

  private async flushBatch(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.pendingTokens = 0;
    await this.sink().append(rows);
  }

  private async finishShard(): Promise<void> {
    const shard = this.current!;
    const { bytes, sha256 } = await this.sink().finish(shard.path);
    this.current = null;
    this.done.push({ file: shard.file, rows: shard.rows, tokens: shard.tokens, bytes, sha256 });
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
      const n = sample.inputIds.length; // before writing: a writing thread may take the row's arrays over
      writer.write(sample).then(() => {
        lengths.add(n);
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
