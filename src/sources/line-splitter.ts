/**
 * Splits a byte stream into lines at `\n`, at the byte level, carrying a partial line across
 * chunks. Hand-written rather than `readline` because readline decodes text first (so invalid
 * UTF-8 could not be reported per line) and cannot tell a missing final newline apart.
 *
 * Lines inside one chunk are zero-copy views of it; only a line that spans chunks is copied.
 * Memory is one chunk plus the longest line.
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryLength = 0;
  /** Bytes fed so far (the offset in the decoded stream). */
  consumed = 0;

  /** Yields every line completed by `chunk`, without the `\n` and without a trailing `\r`. */
  *feed(chunk: Buffer): Generator<Buffer> {
    this.consumed += chunk.length;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      let line = chunk.subarray(start, nl);
      if (this.carryLength > 0) {
        this.carry.push(line);
        line = Buffer.concat(this.carry, this.carryLength + line.length);
        this.carry = [];
        this.carryLength = 0;
      }
      yield stripCr(line);
      start = nl + 1;
    }
    if (start < chunk.length) {
      // Copy: the caller may reuse the chunk's memory.
      const rest = Buffer.from(chunk.subarray(start));
      this.carry.push(rest);
      this.carryLength += rest.length;
    }
  }

  /** Bytes of the partial line waiting for its `\n`. */
  get pendingLength(): number {
    return this.carryLength;
  }

  /** Whether the partial line holds anything but whitespace (a document would be lost with it). */
  get pendingHasContent(): boolean {
    return this.carry.some((b) => !isBlank(b));
  }

  /** Ends the input: returns the last line when the input did not end with `\n`. */
  finish(): Buffer | undefined {
    if (this.carryLength === 0) return undefined;
    const line = Buffer.concat(this.carry, this.carryLength);
    this.carry = [];
    this.carryLength = 0;
    return stripCr(line);
  }
}

function stripCr(line: Buffer): Buffer {
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
