import type { LongLine } from './line-splitter.js';

/** A structural fault of a JSON array file, found while splitting it. */
export class JsonArrayError extends Error {
  override name = 'JsonArrayError';
  constructor(
    message: string,
    /** Offset in the decoded stream. */
    readonly offset: number,
  ) {
    super(message);
  }
}

const enum State {
  /** Before the opening `[` (whitespace and a BOM allowed). */
  Before,
  /** Inside the array, where an element or `]` may start. */
  Expect,
  /** Inside an element. */
  Element,
  /** After an element: `,` or `]`. */
  After,
  /** After the closing `]`: only whitespace. */
  Done,
}

const isWs = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/**
 * Splits a stream holding one JSON array (`[{...}, {...}]`, pretty-printed or not) into the raw
 * bytes of its elements, so each can be parsed on its own while the file streams: memory is one
 * chunk plus the largest element, never the file. An element longer than `maxElementBytes` is
 * dropped as it arrives and comes out as a {@link LongLine}.
 *
 * Hand-written: the streaming JSON parsers on npm build every value token by token (several
 * times slower than `JSON.parse` on the element) and none hands out an element's bytes for the
 * strict UTF-8 check skein does per record. The splitter only tracks strings, escapes and
 * nesting depth; whether an element is valid JSON is left to `JSON.parse`, so a bad element is
 * one bad record. What is not an array at all (bytes before `[`, after `]`, a missing `,`) is a
 * {@link JsonArrayError}.
 */
export class JsonArraySplitter {
  private state = State.Before;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private carry: Buffer[] = [];
  private carryLength = 0;
  private dropping: number | undefined;
  /** Bytes fed so far (the offset in the decoded stream). */
  consumed = 0;
  /** Elements completed so far (the 0-based index of the next one). */
  elements = 0;

  constructor(readonly maxElementBytes: number = Number.POSITIVE_INFINITY) {}

  /** Whether the closing `]` has been seen. */
  get closed(): boolean {
    return this.state === State.Done;
  }

  /** Bytes of the element in progress. */
  get pendingLength(): number {
    return this.dropping ?? this.carryLength;
  }

  /** Yields every element completed by `chunk` (its bytes, surrounding whitespace included). */
  *feed(chunk: Buffer): Generator<Buffer | LongLine> {
    const base = this.consumed;
    this.consumed += chunk.length;
    let i = 0;
    let elementStart = this.state === State.Element ? 0 : -1;
    const n = chunk.length;
    while (i < n) {
      const b = chunk[i]!;
      switch (this.state) {
        case State.Before:
          if (b === 0x5b) this.state = State.Expect;
          else if (!isWs(b) && !(base + i < 3 && (b === 0xef || b === 0xbb || b === 0xbf))) {
            throw new JsonArrayError(`expected a JSON array to start with [, found byte 0x${b.toString(16).padStart(2, '0')}`, base + i);
          }
          i++;
          break;
        case State.Expect:
          if (isWs(b)) i++;
          else if (b === 0x5d && this.elements === 0) {
            this.state = State.Done;
            i++;
          } else {
            this.state = State.Element;
            this.depth = 0;
            this.inString = false;
            this.escaped = false;
            elementStart = i;
          }
          break;
        case State.Element: {
          // Scan to the end of the element, or of the chunk.
          let end = -1;
          for (; i < n; i++) {
            const c = chunk[i]!;
            if (this.inString) {
              if (this.escaped) this.escaped = false;
              else if (c === 0x5c) this.escaped = true;
              else if (c === 0x22) this.inString = false;
            } else if (c === 0x22) this.inString = true;
            else if (c === 0x7b || c === 0x5b) this.depth++;
            else if (c === 0x7d || c === 0x5d) {
              if (this.depth === 0) {
                end = i;
                break;
              }
              this.depth--;
            } else if (c === 0x2c && this.depth === 0) {
              end = i;
              break;
            }
          }
          const piece = chunk.subarray(elementStart, end < 0 ? n : end);
          const out = this.take(piece, end >= 0);
          elementStart = -1;
          if (end < 0) break;
          this.elements++;
          this.state = State.After;
          if (out) yield out;
          break;
        }
        case State.After:
          if (isWs(b)) i++;
          else if (b === 0x2c) {
            this.state = State.Expect;
            i++;
          } else if (b === 0x5d) {
            this.state = State.Done;
            i++;
          } else throw new JsonArrayError(`expected , or ] after array element ${this.elements - 1}, found byte 0x${b.toString(16).padStart(2, '0')}`, base + i);
          break;
        case State.Done:
          if (!isWs(b)) throw new JsonArrayError(`data after the closing ] of the JSON array (byte 0x${b.toString(16).padStart(2, '0')})`, base + i);
          i++;
          break;
      }
    }
  }

  /** Adds a piece of the current element; returns the element when `complete`. */
  private take(piece: Buffer, complete: boolean): Buffer | LongLine | undefined {
    if (this.dropping === undefined && this.carryLength + piece.length > this.maxElementBytes) {
      this.dropping = this.carryLength;
      this.carry = [];
      this.carryLength = 0;
    }
    if (this.dropping !== undefined) {
      this.dropping += piece.length;
      if (!complete) return undefined;
      const bytes = this.dropping;
      this.dropping = undefined;
      return { tooLong: true, bytes };
    }
    if (!complete) {
      const copy = Buffer.from(piece);
      this.carry.push(copy);
      this.carryLength += copy.length;
      return undefined;
    }
    if (this.carryLength === 0) return piece;
    const whole = Buffer.concat([...this.carry, piece], this.carryLength + piece.length);
    this.carry = [];
    this.carryLength = 0;
    return whole;
  }

  /**
   * Ends the input. Returns the last element when the file stops right after a complete one
   * without its closing `]` (a cut file: the element is kept, the missing `]` is then reported).
   * Throws {@link JsonArrayError} when the array was never opened, and after handing out a last
   * complete element, or when an element is cut, when it is not closed.
   */
  finish(): { last?: Buffer | LongLine; error?: JsonArrayError } {
    if (this.state === State.Done) return {};
    if (this.state === State.Before) throw new JsonArrayError('the file holds no JSON array', this.consumed);
    const error = (what: string) => new JsonArrayError(`the JSON array is not closed: the file ends ${what} before its ]`, this.consumed);
    if (this.state === State.Element && this.depth === 0 && !this.inString && (this.dropping !== undefined || !this.carry.every(isBlankBytes))) {
      const last = this.take(Buffer.alloc(0), true);
      this.elements++;
      this.state = State.Done;
      return { last, error: error(`after element ${this.elements - 1}`) };
    }
    const partial = this.state === State.Element ? `inside element ${this.elements} (${this.pendingLength} bytes of it are lost)` : `after element ${this.elements - 1}`;
    return { error: error(partial) };
  }
}

function isBlankBytes(b: Buffer): boolean {
  return b.every((c) => isWs(c));
}
