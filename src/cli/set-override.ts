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
    if (FORBIDDEN_KEYS.has(m[1]!)) throw new UserError(`--set ${expr}: '${m[1]}' is not a config key; use the keys of the pipeline schema (npx skein schema)`);
    keys.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) {
      const i = Number(idx[1]);
      if (!Number.isSafeInteger(i) || i > MAX_INDEX) throw new UserError(`--set ${expr}: index [${idx[1]}] is too large; a config list index is at most ${MAX_INDEX}`);
      keys.push(i);
    }
  }
  let node: Record<string | number, unknown> = raw;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    if (typeof k === 'number' && Array.isArray(node) && k > node.length) throw new UserError(`--set ${expr}: ${keys.slice(0, i).join('.')} has ${node.length} entries; set [${node.length}] at most (lists grow one entry at a time)`);
    let next = Object.hasOwn(node, k) ? node[k] : undefined;
    if (next === undefined) next = node[k] = typeof keys[i + 1] === 'number' ? [] : {};
    if (typeof next !== 'object' || next === null) throw new UserError(`--set ${expr}: ${keys.slice(0, i + 1).join('.')} is not an object`);
    node = next as Record<string | number, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (typeof last === 'number' && Array.isArray(node) && last > node.length) throw new UserError(`--set ${expr}: the list has ${node.length} entries; set [${node.length}] at most (lists grow one entry at a time)`);
  node[last] = value;
}

/** Keys that would reach JavaScript's object machinery instead of the config. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** The largest list index `--set` accepts (config lists are short). */
const MAX_INDEX = 9999;
