import type { Sample } from '../samples/sample.js';
import type { RowWriter, ShardInfo } from './shard-writer.js';

/**
 * What every shard writer shares: `write` calls run one after the other on a promise queue, a
 * failed write leaves the writer refusing further work until `abort`, `close` finishes the open
 * shard (or writes one empty shard when nothing came, so that the folder is still a dataset), and
 * `abort` discards the unfinished shard's temporary file. Subclasses say how a row is written and
 * how a shard is finished, written empty or discarded.
 */
export abstract class SerialRowWriter implements RowWriter {
  /** Shards finished so far, in order; subclasses push to it. */
  protected readonly done: ShardInfo[] = [];
  private queue: Promise<void> = Promise.resolve();
  private state: 'open' | 'closed' | 'aborted' = 'open';
  private closing: Promise<ShardInfo[]> | null = null;

  /** `kind` names the writer in errors; `writeEmpty`: whether `close` writes an empty shard when nothing came. */
  protected constructor(
    private readonly kind: string,
    private readonly writeEmpty: boolean,
  ) {}

  /** Shards finished so far (complete files under their final names), in order. */
  get shards(): readonly ShardInfo[] {
    return this.done;
  }

  /** Adds one sample; resolves once any batch or shard it completed is on disk. */
  write(sample: Sample): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new Error(`${this.kind} is ${this.state}: cannot write`));
    const next = this.queue.then(() => this.writeOne(sample));
    this.queue = next;
    return next;
  }

  /**
   * Flushes what is pending, finishes the last shard and returns every shard written, in order.
   * Calling it again returns the same list.
   */
  close(): Promise<ShardInfo[]> {
    if (this.state === 'aborted') return Promise.reject(new Error(`${this.kind} is aborted: cannot close`));
    this.state = 'closed';
    this.closing ??= this.queue.then(async () => {
      if (!(await this.finishOpen()) && this.done.length === 0 && this.writeEmpty) await this.writeEmptyShard();
      return [...this.done];
    });
    return this.closing;
  }

  /**
   * Stops writing and removes the unfinished shard's temporary file; finished shards stay.
   * Used when the pipeline fails or is destroyed.
   */
  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    const wasClosed = this.state === 'closed';
    this.state = 'aborted';
    await this.queue.catch(() => undefined);
    if (wasClosed) await this.closing?.catch(() => undefined);
    await this.discardOpen();
  }

  /** Writes one sample (called one at a time, in order). */
  protected abstract writeOne(sample: Sample): Promise<void>;
  /** Flushes and finishes the open shard; false when none is open. */
  protected abstract finishOpen(): Promise<boolean>;
  /** Writes one shard holding no row. */
  protected abstract writeEmptyShard(): Promise<void>;
  /** Forgets the open shard and removes its temporary file. */
  protected abstract discardOpen(): Promise<void>;
}
