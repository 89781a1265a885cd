import { firstInvalidUtf8 } from './strict-utf8.js';

const fatal = new TextDecoder('utf-8', { fatal: true });

/** Control characters (a newline in a file name would break one-line messages). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;
const hexEscape = (c: string): string => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/**
 * A file name (raw bytes from the file system) as skein shows it in ids, locations, rejects and
 * the manifest: the name itself when it is UTF-8 without control characters; otherwise each byte
 * that is not UTF-8, and each control character, is written `\xHH` (as `ls -b` does), so a user
 * can find the file and a message stays on one line. `utf8` says whether the shown name is the
 * name itself (when it is not, the file must be opened by its raw bytes).
 */
export function displayName(raw: Uint8Array): { name: string; utf8: boolean } {
  try {
    const name = fatal.decode(raw);
    CONTROL.lastIndex = 0;
    return CONTROL.test(name) ? { name: name.replace(CONTROL, hexEscape), utf8: false } : { name, utf8: true };
  } catch {
    let out = '';
    let rest = raw;
    while (rest.length > 0) {
      const bad = firstInvalidUtf8(rest);
      out += fatal.decode(rest.subarray(0, bad)).replace(CONTROL, hexEscape);
      if (bad < rest.length) out += `\\x${rest[bad]!.toString(16).padStart(2, '0')}`;
      rest = rest.subarray(bad + 1);
    }
    return { name: out, utf8: false };
  }
}
