const parsed = new Map<string, string[]>();

/**
 * The keys of a field path. Segments are separated by `.`; inside a segment `\.` is a literal
 * dot and `\\` a literal backslash, so `meta\.source` is the one key `meta.source` and
 * `a.b\.c` is `a` then `b.c`. A backslash before any other character is kept as it is.
 */
export function pathKeys(path: string): string[] {
  let keys = parsed.get(path);
  if (keys) return keys;
  keys = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\' && (path[i + 1] === '.' || path[i + 1] === '\\')) {
      cur += path[++i];
    } else if (c === '.') {
      keys.push(cur);
      cur = '';
    } else cur += c;
  }
  keys.push(cur);
  if (parsed.size < 1024) parsed.set(path, keys);
  return keys;
}

/** Writes one key as a path segment (escapes `.` and `\`), the inverse of {@link pathKeys} for one key. */
export function escapeKey(key: string): string {
  return key.replace(/[\\.]/g, (c) => `\\${c}`);
}

/**
 * Reads a value at a field path (`meta.redpajama_set_name`; `meta\.source` for a key that
 * contains a dot, see {@link pathKeys}) from a parsed record. Returns undefined when any step is
 * missing or is not an object; only own properties are fields.
 */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of pathKeys(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** The first key of a field path: the top-level column a Parquet or Arrow reader must read for it. */
export function topLevelKey(path: string): string {
  return pathKeys(path)[0]!;
}

/**
 * A hint for a path that finds nothing when a top-level key equals the whole path read
 * literally (a column named `meta.source`): how to write the path for it. Undefined otherwise.
 */
export function dottedKeyHint(path: string, keys: Iterable<string>): string | undefined {
  if (!path.includes('.')) return undefined;
  for (const k of keys) {
    if (k === path) return `a column or key is named "${k}" with a dot in it: write the path as ${escapeKey(k)} to address it`;
  }
  return undefined;
}
