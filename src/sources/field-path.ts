/**
 * Reads a value at a dotted path (`meta.redpajama_set_name`) from a parsed record. Returns
 * undefined when any step is missing or is not an object. An exact key containing dots is not
 * looked up: the path is always split on `.`.
 */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  let start = 0;
  for (;;) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const dot = path.indexOf('.', start);
    const key = dot < 0 ? path.slice(start) : path.slice(start, dot);
    if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
    if (dot < 0) return cur;
    start = dot + 1;
  }
}

/** The first segment of a dotted path: the top-level column a Parquet reader must read for it. */
export function topLevelKey(path: string): string {
  const dot = path.indexOf('.');
  return dot < 0 ? path : path.slice(0, dot);
}
