import { countNewlines, isBlank, newlineRunEnd } from './line-splitter.js';

/** Empty lines in a row from which {@link LineBlocker} counts them instead of passing them on. */
const EMPTY_RUN_SKIP = 4096;

/** Whole lines of a decoded JSONL stream, cut where a line ends, to be parsed elsewhere (a worker). */
export interface LineBlock {
  /**
   * The lines' bytes, each ending in `\n` except, at the end of the input, a last line without
   * one. A view at the start of a buffer that belongs to this block alone (nothing else uses it),
   * so it can be transferred to a worker thread without a copy.
   */
  bytes: Uint8Array;
  /** 1-based number of the block's first line (empty lines count). */
  firstLine: number;
  /** Lines in the block (empty ones included). */
  lines: number;
  /** Offset in the decoded stream just after the block's last byte. */
  end: number;
}

/** A line longer than the maximum: dropped while it streamed, only its length kept (as `LineSplitter` does). */
export interface LongLineAt {
  tooLong: true;
  /** Its 1-based line number. */
  line: number;
  /** Its length in bytes (without its `\n`). */
  bytes: number;
  /** Offset in the decoded stream just after its `\n` (or the end of the input). */
  end: number;
}

/**
 * Cuts a decoded byte stream into {@link LineBlock}s of about `targetBytes` that end at a line
 * end, on the main thread, with as little work per byte as possible: each decoded chunk is
 * copied once into the block being filled, the cut is one `lastIndexOf`, and lines are counted
 * with one native `indexOf` per line (one compare per 64 KiB in runs of empty lines). Splitting lines and parsing them is left to whoever gets
 * the block. A partial line that grows past `maxLineBytes` is never held: its bytes are counted
 * and dropped and it comes out as a {@link LongLineAt}, exactly where and how long
 * {@link LineSplitter} reports it (a complete line over the maximum inside a block is reported by
 * the block's reader, with the same length). Memory: one block plus one partial line.
 */
export class LineBlocker {
  /** Bytes fed so far (the offset in the decoded stream). */
  consumed = 0;
  /** Lines handed out so far (in blocks or as long lines). */
  line = 0;
  private buf: Uint8Array;
  private len = 0;
  /** End of the last complete line in `buf` (0: none). */
  private complete = 0;
  /** Bytes of the partial line being dropped; undefined when none is. */
  private dropping: number | undefined;
  /** Whether `buf` is a decoded chunk taken over as it was (see `feed`). */
  private adopted = false;
  /** Offset in the decoded stream of `buf[0]`. */
  private bufStart = 0;

  /**
   * `sizeHint`: the decoded stream's size when it is known (a plain file's size), so that a small
   * file gets a buffer of its size and not of a whole block: thousands of small files would
   * otherwise allocate (and hand to workers) a block-sized buffer each.
   */
  constructor(
    readonly maxLineBytes: number,
    readonly targetBytes: number,
    private readonly sizeHint?: number,
  ) {
    this.buf = fresh(0);
  }

  /** Takes the next decoded chunk; returns the blocks and long lines it completes, in order. */
  feed(chunk: Uint8Array): Array<LineBlock | LongLineAt> {
    const chunkStart = this.consumed;
    this.consumed += chunk.length;
    const out: Array<LineBlock | LongLineAt> = [];
    let start = 0;
    if (this.dropping !== undefined) {
      const nl = chunk.indexOf(0x0a);
      if (nl < 0) {
        this.dropping += chunk.length;
        return out;
      }
      out.push({ tooLong: true, line: ++this.line, bytes: this.dropping + nl, end: chunkStart + nl + 1 });
      this.dropping = undefined;
      start = nl + 1;
      this.bufStart = chunkStart + start;
    }
    // A long run of empty lines with no line pending (a pathological input, e.g. gigabytes of
    // `\n`) is counted here, never copied: the pending lines are cut first, so numbers stay right.
    if (this.complete === this.len && chunk[start] === 0x0a) {
      const end = newlineRunEnd(chunk, start);
      if (end - start >= EMPTY_RUN_SKIP) {
        if (this.len > 0) out.push(this.cut(this.len));
        this.line += end - start;
        start = end;
        this.bufStart = chunkStart + start;
      }
    }
    const piece = chunk.subarray(start);
    // The block so far is complete lines only (a buffer adopted from the last chunk): hand it out
    // before growing it, so that an adopted buffer is never copied into a larger one.
    if (this.adopted && this.complete > 0) out.push(this.cut(this.complete));
    const from = this.len;
    if (this.len === 0 && ownsWholeBuffer(piece)) {
      // A chunk that is a buffer of its own (a file read, not a view into a shared one) becomes the block's buffer: no copy.
      this.buf = piece;
      this.len = piece.length;
      this.adopted = true;
    } else this.append(piece);
    const last = piece.lastIndexOf(0x0a);
    if (last >= 0) this.complete = from + last + 1;
    const partial = this.len - this.complete;
    if (partial > this.maxLineBytes) {
      if (this.complete > 0) out.push(this.cut(this.complete));
      this.dropping = partial;
      this.len = 0;
      return out;
    }
    if (this.complete >= this.targetBytes) out.push(this.cut(this.complete));
    return out;
  }

  /** The complete lines not yet handed out, as a block (none when there are none); the partial line stays. */
  flushComplete(): LineBlock[] {
    return this.complete > 0 ? [this.cut(this.complete)] : [];
  }

  /** Ends the input: everything left, the last line without `\n` included. */
  finish(): Array<LineBlock | LongLineAt> {
    if (this.dropping !== undefined) {
      const bytes = this.dropping;
      this.dropping = undefined;
      return [...this.flushComplete(), { tooLong: true, line: ++this.line, bytes, end: this.consumed }];
    }
    return this.len > 0 ? [this.cut(this.len)] : [];
  }

  /** Bytes of the partial line waiting for its `\n` (of a too-long one: all its bytes so far). */
  get pendingLength(): number {
    return this.dropping ?? this.len - this.complete;
  }

  /** Whether the partial line holds anything but whitespace (a document would be lost with it). */
  get pendingHasContent(): boolean {
    return this.dropping !== undefined || !isBlank(this.buf.subarray(this.complete, this.len));
  }

  /** Hands out `buf[0, end)` as a block and starts a fresh buffer with the bytes after it. */
  private cut(end: number): LineBlock {
    const bytes = this.buf.subarray(0, end);
    let lines = countNewlines(bytes);
    if (end > 0 && bytes[end - 1] !== 0x0a) lines++;
    const block: LineBlock = { bytes, firstLine: this.line + 1, lines, end: this.bufStart + end };
    this.bufStart += end;
    this.line += lines;
    const rest = this.buf.subarray(end, this.len);
    this.adopted = false;
    this.buf = fresh(rest.length > 0 ? this.capacity(rest.length) : 0);
    this.buf.set(rest);
    this.len = rest.length;
    this.complete = 0;
    return block;
  }

  /** Room for a block being filled that needs `need` bytes now: a block and a chunk, or what is left of a stream of known size. */
  private capacity(need: number): number {
    const toCome = this.sizeHint !== undefined ? Math.max(0, this.sizeHint - this.consumed) : Infinity;
    return Math.max(need, Math.min(this.targetBytes + (1 << 16), need + toCome));
  }

  private append(piece: Uint8Array): void {
    if (this.len + piece.length > this.buf.length || this.adopted) {
      this.adopted = false;
      const grown = fresh(Math.max(this.capacity(this.len + piece.length), this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(piece, this.len);
    this.len += piece.length;
  }
}

/**
 * Whether `a` is the whole of a buffer that can be transferred: an ArrayBuffer (not shared) that
 * it covers from its first byte to its last. Node's file streams read into such buffers; slices
 * of Node's shared pool are not.
 */
function ownsWholeBuffer(a: Uint8Array): boolean {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.byteLength > 0 && a.buffer instanceof ArrayBuffer;
}

/**
 * A buffer of its own (`Buffer.allocUnsafeSlow`: never a slice of Node's shared pool, so it can be
 * transferred) and not zero-filled: only the bytes written into it are ever read.
 */
function fresh(size: number): Uint8Array {
  return Buffer.allocUnsafeSlow(size);
}
