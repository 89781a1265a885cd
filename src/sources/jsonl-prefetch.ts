import { createReadStream, type PathLike } from 'node:fs';
import type { BlockContext, BlockProcessor } from './block-records.js';
import { decompress, type Decoded } from './decompress.js';
import type { Doc } from './doc.js';
import type { InputFile } from './expand-inputs.js';
import type { InputCompression } from './input-format.js';
import { BlockCuts, replayBlockCuts, type PendingEffects } from './jsonl-blocks.js';
import { locate, warn, type ReaderContext } from './reader-context.js';

/**
 * Raw read size of plain JSON lines files: whole reads are cut into line blocks (of about the
 * same size), so fewer, larger reads mean less work per byte on the reader's thread.
 */
export const READ_CHUNK = 1024 * 1024;
/**
 * Raw read size of compressed files: one compressed read decodes to several blocks, and the
 * progress of a compressed input moves by what was read, so reads stay small.
 */
export const COMPRESSED_READ_CHUNK = 64 * 1024;

/** A JSONL stream opened for reading in blocks: what decompressing it found, and its cuts. */
export interface StartedBlocks {
  pending: PendingEffects;
  decoded: Decoded;
  cuts?: BlockCuts;
}

/** The bytes of a JSONL file on disk, at most `size` of them (a file that grows is read as listed), read as its name says it is compressed. */
export function jsonlFileSource(path: PathLike, size: number | undefined, compression: InputCompression): AsyncIterable<Uint8Array> {
  if (size === 0) return (async function* () {})();
  return createReadStream(path, { highWaterMark: compression === 'none' ? READ_CHUNK : COMPRESSED_READ_CHUNK, ...(size !== undefined ? { end: size - 1 } : {}) });
}

/**
 * Opens a JSONL stream for reading in blocks: sniffs and starts decompressing it, keeping the
 * raw bytes read and the warnings for the reader ({@link replayStarted}). Touches nothing of the
 * reader's, so it may run before the reader's turn.
 */
export async function startBlocks(source: AsyncIterable<Uint8Array>, compression: InputCompression, processor: BlockProcessor, bctx: BlockContext, maxZstdWindow: number, size: number | undefined, signal?: AbortSignal): Promise<StartedBlocks> {
  const pending: PendingEffects = { raw: 0, warnings: [] };
  const decoded = await decompress(source, compression, {
    onRaw: (n) => {
      pending.raw += n;
    },
    onWarning: (m) => {
      pending.warnings.push(m);
    },
    maxZstdWindow,
    ...(processor.decoders ? { decoders: processor.decoders } : {}),
  });
  return { pending, decoded, ...(decoded.ok ? { cuts: new BlockCuts(decoded, pending, processor, bctx, signal, size) } : {}) };
}

/** The documents of a started stream, replayed into the reader `ctx` (see `replayBlockCuts`). */
export async function* replayStarted(s: StartedBlocks, ctx: ReaderContext, depth: number, size: number | undefined): AsyncGenerator<Doc> {
  ctx.report.lines ??= 0;
  if (!s.decoded.ok) {
    for (const m of s.pending.warnings) warn(ctx, m);
    ctx.report.bytes += s.pending.raw;
    ctx.onBytes?.(s.pending.raw);
    ctx.report.status = 'corrupt';
    ctx.rejects.reject('corrupt_input', locate(ctx, { offset: 0 }), s.decoded.detail, 1);
    return;
  }
  yield* replayBlockCuts(s.cuts!, ctx, depth, size);
}

/** How many files the reader opens ahead of the one it reads, at most. */
const MAX_AHEAD_FILES = 32;

/**
 * Reads small JSON lines files ahead of their turn, so that many small files keep the workers
 * busy: without it each file would wait for its own round trip to a worker before the next one
 * is opened. A file no larger than one block is opened, its first blocks cut and handed to the
 * workers as soon as a file before it starts being read; nothing of the reader's is touched (its
 * report, rejects and progress see the file only when its turn comes, exactly as if it had been
 * read then). At most `processor.depth` blocks of raw input are ahead, in at most
 * {@link MAX_AHEAD_FILES} files. The file is checked against its listing when its turn comes,
 * as every input is, so one that changed meanwhile is refused as before.
 */
export class JsonlPrefetch {
  private readonly started = new Map<PathLike, { bctx: string; size: number; read: Promise<StartedBlocks> }>();
  private bytes = 0;

  constructor(
    private readonly processor: BlockProcessor,
    private readonly maxZstdWindow: number,
  ) {}

  /** Whether `file` is read ahead: a JSON lines file on disk (not `.json`) no larger than one block. */
  eligible(file: InputFile, isJsonName: boolean): boolean {
    return !file.remote && file.format === 'jsonl' && !isJsonName && file.size <= this.processor.blockBytes;
  }

  /** Room for one more file of `size` bytes. */
  hasRoom(size: number): boolean {
    return this.started.size < MAX_AHEAD_FILES && this.bytes + size <= this.processor.depth * this.processor.blockBytes;
  }

  /** Starts reading `file` ahead, as `bctx` says (its first `depth` blocks). */
  start(file: InputFile, bctx: BlockContext): void {
    const path = file.rawPath ?? file.path;
    if (this.started.has(path)) return;
    const read = (async () => {
      const s = await startBlocks(jsonlFileSource(path, file.size, file.compression), file.compression, this.processor, bctx, this.maxZstdWindow, file.size);
      await s.cuts?.fill(this.processor.depth);
      return s;
    })();
    read.catch(() => undefined); // thrown where the reader takes it
    this.started.set(path, { bctx: JSON.stringify(bctx), size: file.size, read });
    this.bytes += file.size;
  }

  /** Whether `path` was started (and not taken yet). */
  has(path: PathLike): boolean {
    return this.started.has(path);
  }

  /** The read started for `path`, when it was started with the same block context; it is no longer held here. */
  take(path: PathLike, bctx: BlockContext): Promise<StartedBlocks> | undefined {
    const s = this.started.get(path);
    if (!s) return undefined;
    this.started.delete(path);
    this.bytes -= s.size;
    if (s.bctx !== JSON.stringify(bctx)) {
      void s.read.then((r) => r.cuts?.close()).catch(() => undefined);
      return undefined;
    }
    return s.read;
  }

  /** Closes every read started and not taken (the build stopped early or failed). */
  async close(): Promise<void> {
    const all = [...this.started.values()];
    this.started.clear();
    this.bytes = 0;
    await Promise.all(all.map((s) => s.read.then((r) => r.cuts?.close()).catch(() => undefined)));
  }
}
