import fs from 'node:fs/promises';
import path from 'node:path';
import type { Sample } from '../samples/sample.js';
import { rowLength, type LengthKey } from '../mix/row-order.js';
import type { ColumnSet } from '../shards/columns.js';
import { readShardSamples } from '../shards/reader.js';
import { ShardWriter, type ShardInfo } from '../shards/shard-writer.js';
import { WORK_DIR } from '../output-state/output-lock.js';

/** Folder of the sorted runs inside the output folder. */
export const RUNS_DIR = `${WORK_DIR}/runs`;

/** What a checkpoint keeps of a {@link CurriculumSort}: the runs on disk and the rows not yet spilled. */
export interface CurriculumState {
  runs: ShardInfo[];
  buffer: Sample[];
}

/**
 * The ascending-length curriculum (the Index report's length warm-up) as an external merge sort,
 * so that memory stays bounded whatever the size of the output:
 *
 * 1. rows are gathered in memory; at the end of a tokenizer batch, once at least `runRows` are
 *    held, they are sorted by length (stable) and spilled to a temporary Arrow run file in
 *    `.skein/runs/` (one `ShardWriter` shard: temporary name, fsync, rename, sha256);
 * 2. at the end ({@link spillRest}, then {@link merged}), the runs are merged (a k-way merge that
 *    takes the shortest row, the earlier run on ties), reading each run one record batch at a time.
 *
 * The result is the stable sort of all rows by length, whatever the run boundaries: the order
 * does not depend on batch sizes. Runs end at batch boundaries so that a resume checkpoint taken
 * right after a spill holds no buffered rows, only the list of runs (verified by sha256 on resume
 * like the shards). Memory: `runRows` rows plus one batch, then one record batch per run.
 */
export class CurriculumSort {
  private state: CurriculumState = { runs: [], buffer: [] };
  private readonly dir: string;

  constructor(
    outDir: string,
    private readonly opts: { runRows: number; lengthKey: LengthKey; columns: ColumnSet; onCreate?: (rel: string) => void },
  ) {
    this.dir = path.join(outDir, RUNS_DIR);
  }

  /** Takes one row (it is held until a spill). */
  push(row: Sample): void {
    this.state.buffer.push(row);
  }

  /** At a batch boundary: spills the held rows as a sorted run when there are `runRows` of them. Returns whether it did. */
  async endOfBatch(): Promise<boolean> {
    if (this.state.buffer.length < this.opts.runRows) return false;
    await this.spill();
    return true;
  }

  /** At the end of the input: spills what is still held as the last run. */
  async spillRest(): Promise<void> {
    if (this.state.buffer.length > 0) await this.spill();
  }

  /** After {@link spillRest}: every row, in ascending length order (stable), merged from the runs. */
  async *merged(): AsyncGenerator<Sample> {
    if (this.state.buffer.length > 0) throw new Error('CurriculumSort.merged: rows are still held; call spillRest first');
    const runs = this.state.runs;
    const iters = runs.map((r) => readShardSamples(path.join(this.dir, r.file), this.opts.columns)[Symbol.asyncIterator]());
    const heads: Array<{ row: Sample; len: number } | undefined> = [];
    try {
      for (const it of iters) heads.push(await this.next(it));
      for (;;) {
        let best = -1;
        for (let i = 0; i < heads.length; i++) if (heads[i] && (best < 0 || heads[i]!.len < heads[best]!.len)) best = i;
        if (best < 0) return;
        const { row } = heads[best]!;
        heads[best] = await this.next(iters[best]!);
        yield row;
      }
    } finally {
      for (const it of iters) await it.return?.(undefined);
    }
  }

  /** The state (runs and a copy of the buffer's row list; rows are shared). */
  snapshot(): CurriculumState {
    return { runs: [...this.state.runs], buffer: [...this.state.buffer] };
  }

  /** Restores a state taken by {@link snapshot}. */
  restore(s: CurriculumState): void {
    this.state = { runs: [...s.runs], buffer: [...s.buffer] };
  }

  /** The run files a state lists (kept on resume, verified by sha256). */
  static runFiles(s: CurriculumState): string[] {
    return s.runs.map((r) => path.join(RUNS_DIR, r.file));
  }

  private async next(it: AsyncIterator<Sample>): Promise<{ row: Sample; len: number } | undefined> {
    const r = await it.next();
    return r.done ? undefined : { row: r.value, len: rowLength(r.value, this.opts.lengthKey) };
  }

  private async spill(): Promise<void> {
    const rows = this.state.buffer;
    this.state.buffer = [];
    const key = this.opts.lengthKey;
    const sorted = rows.map((row, i) => ({ row, i, len: rowLength(row, key) })).sort((a, b) => a.len - b.len || a.i - b.i);
    await fs.mkdir(this.dir, { recursive: true });
    const writer = new ShardWriter(this.dir, {
      columns: this.opts.columns,
      shardTokens: Number.MAX_SAFE_INTEGER,
      batchTokens: 1 << 18,
      prefix: 'run',
      firstIndex: this.state.runs.length,
      onCreate: (file) => this.opts.onCreate?.(`${RUNS_DIR}/${file}`),
    });
    try {
      for (const s of sorted) await writer.write(s.row);
      const [info] = await writer.close();
      this.state.runs.push(info!);
    } catch (e) {
      await writer.abort().catch(() => undefined);
      throw e;
    }
  }
}
