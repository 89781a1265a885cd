/** A JSON Schema node as zod writes it for the pipeline config (no `$ref`s). */
interface SchemaNode {
  type?: string;
  const?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
}

/** An unknown key of a config, with the known key it most likely meant. */
export interface UnknownKey {
  /** Key path of the unknown key: `builder.seq_lenn`, `inputs[0].feilds`. */
  path: string;
  /** The closest known key at that place, when one is close enough. */
  suggestion?: string;
}

/** Levenshtein distance (small strings: the O(n·m) table is fine). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known key closest to `key` (at most a third of its length apart, or a different case / separator). */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_ ]/g, '');
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = norm(k) === norm(key) ? 0 : distance(key, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

/** The branch of a `oneOf`/`anyOf` that describes `value`: the object whose `type` (or `mode`) const matches, else the first object branch. */
function branchFor(node: SchemaNode, value: unknown): SchemaNode {
  const options = node.oneOf ?? node.anyOf;
  if (!options) return node;
  const objects = options.filter((o) => o.type === 'object' || o.properties);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    for (const disc of ['type', 'mode']) {
      const hit = objects.find((o) => o.properties?.[disc]?.const !== undefined && o.properties[disc]!.const === v[disc]);
      if (hit) return hit;
    }
  }
  const arrays = options.find((o) => o.type === 'array');
  if (Array.isArray(value) && arrays) return arrays;
  return objects[0] ?? node;
}

/**
 * Every key of `raw` that the JSON Schema does not know, in document order, each with a "did you
 * mean" suggestion from the keys known at its place. Branches of a union are chosen by their
 * `type` / `mode` (a `pack` builder's keys are checked against `pack`'s).
 */
export function unknownKeys(raw: unknown, schema: SchemaNode): UnknownKey[] {
  const found: UnknownKey[] = [];
  const walk = (value: unknown, node: SchemaNode, at: string) => {
    const n = branchFor(node, value);
    if (Array.isArray(value)) {
      if (n.items) value.forEach((v, i) => walk(v, n.items!, `${at}[${i}]`));
      return;
    }
    if (!value || typeof value !== 'object' || !n.properties) return;
    const known = Object.keys(n.properties);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const path = at ? `${at}.${k}` : k;
      if (Object.hasOwn(n.properties, k)) walk(v, n.properties[k]!, path);
      else if (n.additionalProperties === false) {
        const suggestion = closestKey(k, known);
        found.push({ path, ...(suggestion ? { suggestion: at ? `${at}.${suggestion}` : suggestion } : {}) });
      }
    }
  };
  walk(raw, schema, '');
  return found;
}
