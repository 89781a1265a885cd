import { firstInvalidUtf8 } from './strict-utf8.js';

const fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * A file name (raw bytes from the file system) as skein shows it in ids, locations, rejects and
 * the manifest: the name itself when it is UTF-8; otherwise its UTF-8 parts with each byte that
 * is not UTF-8 written `\xHH` (as `ls -b` and Python's `backslashreplace` do), so two different
 * names never show the same and a user can find the file. `utf8` says whether the name was
 * UTF-8 (when it was not, the file must be opened by its raw bytes).
 */
export function displayName(raw: Uint8Array): { name: string; utf8: boolean } {
  try {
    return { name: fatal.decode(raw), utf8: true };
  } catch {
    let out = '';
    let rest = raw;
    while (rest.length > 0) {
      const bad = firstInvalidUtf8(rest);
      out += fatal.decode(rest.subarray(0, bad));
      if (bad < rest.length) out += `\\x${rest[bad]!.toString(16).padStart(2, '0')}`;
      rest = rest.subarray(bad + 1);
    }
    return { name: out, utf8: false };
  }
}
