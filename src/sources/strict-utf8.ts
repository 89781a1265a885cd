/**
 * A string column value that is not valid UTF-8. hyparquet decodes strings with a lenient
 * TextDecoder (bad bytes silently become U+FFFD); skein installs {@link strictStringFromBytes}
 * as its string parser so that such a value arrives as this marker and the row is reported
 * as `invalid_utf8` instead of being altered silently.
 */
export class InvalidUtf8 {
  constructor(
    /** Byte offset of the first invalid byte inside the value. */
    readonly offset: number,
    /** The value of that byte. */
    readonly byte: number,
  ) {}
}

const fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * Index of the first byte that makes `bytes` invalid UTF-8 (the start of the first ill-formed
 * sequence: a stray continuation byte, an overlong form, a surrogate, a code point past
 * U+10FFFF or a sequence cut short), or `bytes.length` when it is valid. One pass over the bytes;
 * only run after a decode failed.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  const cont = (k: number): boolean => k < n && (bytes[k]! & 0xc0) === 0x80;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    const second = bytes[i + 1];
    if (second === undefined || second < lo || second > hi) return i;
    for (let k = 2; k < len; k++) if (!cont(i + k)) return i;
    i += len;
  }
  return n;
}

/** Whether an error thrown by a fatal `TextDecoder` means invalid UTF-8 (and not, say, a string too long for V8). */
export function isInvalidUtf8Error(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ERR_ENCODING_INVALID_ENCODED_DATA';
}

/** Decodes UTF-8 strictly: a string, or {@link InvalidUtf8} naming the first bad byte. */
export function strictStringFromBytes(bytes: Uint8Array | undefined): string | InvalidUtf8 | undefined {
  if (bytes === undefined || bytes === null) return bytes;
  try {
    return fatal.decode(bytes);
  } catch (err) {
    if (!isInvalidUtf8Error(err)) throw err;
    const at = firstInvalidUtf8(bytes);
    return new InvalidUtf8(at, bytes[at] ?? 0);
  }
}
