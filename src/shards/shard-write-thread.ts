import { Worker } from 'node:worker_threads';
import { compiledWorkerUrl } from '../util/worker-file.js';
import type { FinishedFile, ShardFileSink } from './arrow-shard-file.js';
import type { ColumnSet } from './columns.js';
import { isOwned, MIN_OWNED_BYTES } from '../samples/owned-arrays.js';
import type { Sample } from '../samples/sample.js';
import { deserializeError, type ShardWriteReady, type ShardWriteReply, type ShardWriteRequest, type ShardWriteWorkerData } from './shard-write-protocol.js';

/** Requests (opens and batches) a {@link ShardWriteThread} lets run ahead before `append` waits. */
export const SHARD_WRITE_IN_FLIGHT = 2;

/** A request sent and not yet answered. */
interface Pending {
  resolve(reply: ShardWriteReply & { ok: true }): void;
  reject(e: Error): void;
}

/**
 * A {@link ShardFileSink} whose work (Arrow IPC encoding, sha256, writes, fsync, rename) runs on
 * a worker thread of its own (shard-write-worker.ts), so that the build's main thread only
 * assembles rows: measured, that work was 46 % of the main thread's CPU time
 * (docs/benchmarks.md#main-thread-ceiling).
 *
 * `open` and `append` return as soon as the request is posted while fewer than
 * {@link SHARD_WRITE_IN_FLIGHT} are unanswered, else when the oldest is answered: that bounds
 * memory to that many batches and is the backpressure. Rows go to the thread as they are, and
 * the thread concatenates them into the record batch's columns: arrays that are the rows' own
 * (`markOwned`, what the row builders make) are transferred, not copied (they are empty
 * afterwards); others are copied. An error on the thread rejects a later call (the next one that waits), with the
 * error's code and path intact. `finish` waits for everything before it and resolves once the
 * shard is on disk under its final name. The bytes are those {@link ArrowShardFile} writes on
 * the calling thread: the same encoder runs on the same columns.
 */
export class ShardWriteThread implements ShardFileSink {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private inFlight: Array<Promise<unknown>> = [];
  private nextId = 0;
  private dead: Error | undefined;
  private stopped = false;
  private readonly loaded: Promise<void>;

  /** Starts the thread for shards with the columns `cols`. */
  constructor(cols: ColumnSet) {
    const workerData: ShardWriteWorkerData = { cols };
    this.worker = new Worker(new URL(compiledWorkerUrl(import.meta.url, 'shards', 'shard-write-worker', 'writing shards on a thread')), { workerData });
    let loaded!: () => void;
    let failed!: (e: Error) => void;
    this.loaded = new Promise<void>((resolve, reject) => {
      loaded = resolve;
      failed = reject;
    });
    this.loaded.catch(() => undefined);
    this.worker.on('message', (reply: ShardWriteReply | ShardWriteReady) => {
      if ('ready' in reply) return loaded();
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply);
      else p.reject(deserializeError(reply.error));
    });
    this.worker.on('error', (e) => {
      failed(e);
      this.fail(e);
    });
    this.worker.on('exit', (code) => {
      const e = new Error(`the shard-writing thread exited (code ${code}) with ${this.pending.size} request(s) unanswered`);
      failed(e);
      this.fail(e);
    });
  }

  /**
   * Resolves once the thread has loaded its modules (about 0.2 CPU-s, measured: mostly
   * apache-arrow), so that a build can start it during set-up and count that there.
   */
  ready(): Promise<void> {
    return this.loaded;
  }

  async open(tmp: string): Promise<void> {
    await this.ahead({ id: this.nextId++, op: 'open', tmp }, []);
  }

  async append(rows: readonly Sample[]): Promise<void> {
    const transfer: ArrayBuffer[] = [];
    const moved = new Set<ArrayBufferLike>();
    /**
     * The array itself when it is the row's own (moved), else a copy of just its elements (so
     * that cloning never copies a larger buffer it is a view of), moved too unless it is small
     * (then the clone's copy is cheaper than a transfer).
     */
    const take = <T extends Int32Array | Uint8Array>(a: T): T => {
      if (isOwned(a) && !moved.has(a.buffer)) {
        moved.add(a.buffer);
        transfer.push(a.buffer as ArrayBuffer);
        return a;
      }
      const copy = a.slice() as T;
      if (copy.byteLength >= MIN_OWNED_BYTES) transfer.push(copy.buffer as ArrayBuffer);
      return copy;
    };
    const sent = rows.map((r): Sample => {
      const s: Sample = { inputIds: take(r.inputIds), docLengths: take(r.docLengths) };
      if (r.positionIds) s.positionIds = take(r.positionIds);
      if (r.lossMask) s.lossMask = take(r.lossMask);
      if (r.docSources) s.docSources = r.docSources;
      return s;
    });
    await this.ahead({ id: this.nextId++, op: 'append', rows: sent }, transfer);
  }

  async finish(path: string): Promise<FinishedFile> {
    await this.drain();
    const reply = await this.request({ id: this.nextId++, op: 'finish', path }, []);
    if (!reply.finished) throw new Error('the shard-writing thread finished a shard without its size and sha256');
    return reply.finished;
  }

  async discard(): Promise<void> {
    await this.drain().catch(() => undefined);
    if (this.dead || this.stopped) return;
    await this.request({ id: this.nextId++, op: 'discard' }, []);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.discard();
    } finally {
      this.stopped = true;
      await this.worker.terminate();
    }
  }

  /** Posts a request that may run ahead; waits for the oldest ones while too many are unanswered. */
  private async ahead(req: ShardWriteRequest, transfer: ArrayBuffer[]): Promise<void> {
    if (this.stopped) throw new Error('the shard-writing thread is stopped');
    if (this.dead) throw this.dead;
    const p = this.request(req, transfer);
    p.catch(() => undefined); // awaited below or by a later call: never an unhandled rejection
    this.inFlight.push(p);
    while (this.inFlight.length > SHARD_WRITE_IN_FLIGHT) await this.inFlight.shift();
  }

  /** Waits for every request that ran ahead; throws the first failure. */
  private async drain(): Promise<void> {
    const all = this.inFlight;
    this.inFlight = [];
    for (const p of all) await p;
  }

  private request(req: ShardWriteRequest, transfer: ArrayBuffer[]): Promise<ShardWriteReply & { ok: true }> {
    if (this.stopped) return Promise.reject(new Error('the shard-writing thread is stopped'));
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject });
      this.worker.postMessage(req, transfer);
    });
  }

  /** The thread died (an uncaught error, or it exited): every unanswered request fails with that. */
  private fail(e: Error): void {
    if (this.stopped) return;
    this.dead ??= e;
    for (const p of this.pending.values()) p.reject(this.dead);
    this.pending.clear();
  }
}
