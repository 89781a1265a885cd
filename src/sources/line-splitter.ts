/** A line longer than the splitter's maximum: its bytes were counted and dropped, never held. */
export interface LongLine {
  tooLong: true;
  /** The line's length in bytes (without its `\n`). */
  bytes: number;
}

/** 64 KiB of `\n`, to skip runs of empty lines with one native compare per block. */
const NEWLINES = Buffer.alloc(1 << 16, 0x0a);

/**
 * Splits a byte stream into lines at `\n`, at the byte level, carrying a partial line across
 * chunks. Hand-written rather than `readline` because readline decodes text first (so invalid
 * UTF-8 could not be reported per line), cannot tell a missing final newline apart, and holds
 * a line of any length.
 *
 * Lines inside one chunk are zero-copy views of it; only a line that spans chunks is copied.
 * A line longer than `maxLineBytes` is never assembled: once it passes the maximum its bytes are
 * dropped as they arrive and it comes out as a {@link LongLine} with its length. Memory is one
 * chunk plus at most `maxLineBytes`. Empty lines (a bare `\n`) are counted in {@link line} but
 * not yielded, so a run of millions of them costs one compare per 64 KiB.
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryLength = 0;
  /** Bytes of the line being dropped because it is too long; undefined when none is. */
  private dropping: number | undefined;
  /** Bytes fed so far (the offset in the decoded stream). */
  consumed = 0;
  /** 1-based number of the last line yielded or skipped (empty lines count). */
  line = 0;

  constructor(readonly maxLineBytes: number = Number.POSITIVE_INFINITY) {}

  /** Yields every line completed by `chunk`, without the `\n` and without a trailing `\r`. */
  *feed(chunk: Buffer): Generator<Buffer | LongLine> {
    this.consumed += chunk.length;
    const n = chunk.length;
    let start = 0;
    while (start < n) {
      if (this.carryLength === 0 && this.dropping === undefined && chunk[start] === 0x0a) {
        start = this.skipEmptyLines(chunk, start);
        continue;
      }
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? n : nl;
      const piece = end - start;
      if (this.dropping === undefined && this.carryLength + piece > this.maxLineBytes) {
        this.dropping = this.carryLength;
        this.carry = [];
        this.carryLength = 0;
      }
      if (this.dropping !== undefined) {
        this.dropping += piece;
        if (nl < 0) return;
        const bytes = this.dropping;
        this.dropping = undefined;
        this.line++;
        start = nl + 1;
        yield { tooLong: true, bytes };
        continue;
      }
      if (nl < 0) {
        // Copy: the caller may reuse the chunk's memory.
        const rest = Buffer.from(chunk.subarray(start));
        this.carry.push(rest);
        this.carryLength += rest.length;
        return;
      }
      let line = chunk.subarray(start, nl);
      if (this.carryLength > 0) {
        this.carry.push(line);
        line = Buffer.concat(this.carry, this.carryLength + line.length);
        this.carry = [];
        this.carryLength = 0;
      }
      this.line++;
      start = nl + 1;
      yield stripCr(line);
    }
  }

  /** Counts the run of `\n` at `start` as empty lines and returns where it ends. */
  private skipEmptyLines(chunk: Buffer, start: number): number {
    const i = newlineRunEnd(chunk, start);
    this.line += i - start;
    return i;
  }

  /** Bytes of the partial line waiting for its `\n` (of a too-long one: all its bytes so far). */
  get pendingLength(): number {
    return this.dropping ?? this.carryLength;
  }

  /** Whether the partial line holds anything but whitespace (a document would be lost with it). */
  get pendingHasContent(): boolean {
    return this.dropping !== undefined || this.carry.some((b) => !isBlank(b));
  }

  /** Ends the input: returns the last line when the input did not end with `\n`. */
  finish(): Buffer | LongLine | undefined {
    if (this.dropping !== undefined) {
      const bytes = this.dropping;
      this.dropping = undefined;
      this.line++;
      return { tooLong: true, bytes };
    }
    if (this.carryLength === 0) return undefined;
    const line = Buffer.concat(this.carry, this.carryLength);
    this.carry = [];
    this.carryLength = 0;
    this.line++;
    return stripCr(line);
  }
}

/**
 * Where the run of `\n` starting at `start` ends (the first other byte, or the end): one native
 * compare per 64 KiB, so that millions of empty lines cost next to nothing.
 */
export function newlineRunEnd(bytes: Uint8Array, start: number): number {
  const n = bytes.length;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = start;
  while (i < n) {
    const k = Math.min(NEWLINES.length, n - i);
    if (buf.compare(NEWLINES, 0, k, i, i + k) === 0) {
      i += k;
      continue;
    }
    while (bytes[i] === 0x0a) i++;
    break;
  }
  return i;
}

/** Number of `\n` in `bytes` (runs of empty lines counted by {@link newlineRunEnd}). */
export function countNewlines(bytes: Uint8Array): number {
  let count = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; ) {
    const end = newlineRunEnd(bytes, i);
    count += end - i;
    i = end < bytes.length ? bytes.indexOf(0x0a, end) : -1;
  }
  return count;
}

/** The line without a trailing `\r` (a CRLF file's lines). */
export function stripCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
}

/** Whether a line holds only JSON whitespace (space, tab, CR, LF) or nothing. */
export function isBlank(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0a) return false;
  }
  return true;
}
