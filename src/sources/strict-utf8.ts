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

/** Index of the first byte that makes `bytes` invalid UTF-8 (a linear scan; only run after a decode failed). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > bytes.length) return i;
    try {
      fatal.decode(bytes.subarray(i, i + n));
    } catch {
      return i;
    }
    i += n;
  }
  return bytes.length;
}

/** Decodes UTF-8 strictly: a string, or {@link InvalidUtf8} naming the first bad byte. */
export function strictStringFromBytes(bytes: Uint8Array | undefined): string | InvalidUtf8 | undefined {
  if (bytes === undefined || bytes === null) return bytes;
  try {
    return fatal.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return new InvalidUtf8(at, bytes[at] ?? 0);
  }
}
