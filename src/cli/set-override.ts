import { UserError } from '../util/errors.js';

/**
 * Applies one `--set key.path=value` override to a raw config object (before validation):
 * `mix.total_tokens=200000`, `builder.remainder=keep`, `inputs[0].name=web`. The value is read
 * as JSON when it parses (numbers, booleans, objects, quoted strings), else taken as a string.
 * Missing objects along the path are created.
 */
export function applySet(raw: Record<string, unknown>, expr: string): void {
  const eq = expr.indexOf('=');
  if (eq <= 0) throw new UserError(`--set ${expr}: write key.path=value, e.g. --set mix.total_tokens=200000`);
  const keyPath = expr.slice(0, eq).trim();
  const text = expr.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  const keys: Array<string | number> = [];
  for (const part of keyPath.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new UserError(`--set ${expr}: bad key path '${keyPath}'; use dotted keys and [index], e.g. inputs[0].name`);
    keys.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) keys.push(Number(idx[1]));
  }
  let node: Record<string | number, unknown> = raw;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    let next = node[k];
    if (next === undefined) next = node[k] = typeof keys[i + 1] === 'number' ? [] : {};
    if (typeof next !== 'object' || next === null) throw new UserError(`--set ${expr}: ${keys.slice(0, i + 1).join('.')} is not an object`);
    node = next as Record<string | number, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}
