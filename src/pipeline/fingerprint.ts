import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { PipelineConfig } from './config-schema.js';
import type { ReadPlan } from './read-plan.js';

/**
 * What makes two builds the same build: a resumed build must continue exactly the build that
 * was interrupted. The config (without `output.dir`, so a moved folder still resumes), the
 * tokenizer file, every input file's path, size and modification time, the skein version and
 * the rank decide it.
 */
export interface BuildFingerprint {
  skein_version: string;
  config_sha256: string;
  tokenizer_sha256: string;
  inputs_sha256: string;
  rank: number;
  world_size: number;
  /** sha256 of all of the above: equal fingerprints, same build. */
  sha256: string;
}

/** JSON with object keys sorted, so equal values always give equal text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The config as compared between runs: without `output.dir` and the cosmetic `$schema`. */
export function comparableConfig(config: PipelineConfig): Record<string, unknown> {
  const { $schema: _s, output, tokenizer, ...rest } = config as PipelineConfig & { $schema?: string };
  const { dir: _d, ...out } = output;
  // The worker count and the engine do not change the output, so a build may resume with others.
  const { workers: _w, engine: _e, ...tok } = tokenizer;
  return { ...rest, tokenizer: tok, output: out };
}

/** Computes the fingerprint of a build. */
export async function buildFingerprint(p: { config: PipelineConfig; plan: ReadPlan; tokenizerSha256: string; skeinVersion: string; rank: number; worldSize: number }): Promise<BuildFingerprint> {
  const files: Array<[string, number, number]> = [];
  for (const input of p.plan.inputs) {
    for (const f of input.files) files.push([f.path, f.size, Math.round((await stat(f.path)).mtimeMs)]);
  }
  const parts = {
    skein_version: p.skeinVersion,
    config_sha256: sha(canonicalJson(comparableConfig(p.config))),
    tokenizer_sha256: p.tokenizerSha256,
    inputs_sha256: sha(canonicalJson(files)),
    rank: p.rank,
    world_size: p.worldSize,
  };
  return { ...parts, sha256: sha(canonicalJson(parts)) };
}

/** The key path where two JSON values differ that a user changed (`builder.type`, `builder.seq_len`), or undefined when equal. */
export function firstDifference(a: unknown, b: unknown, at = ''): string | undefined {
  if (canonicalJson(a) === canonicalJson(b)) return undefined;
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
  }
  if (isObj(a) && isObj(b)) {
    // A changed `type` (builder, augmenter, mix mode) is what the user changed; the keys that
    // differ because of it (another builder's defaults) follow from it. Then keys both sides
    // have, then keys only one side has (defaults of a changed type).
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    const rank = (k: string) => (k === 'type' || k === 'mode' ? 0 : k in a && k in b ? 1 : 2);
    keys.sort((x, y) => rank(x) - rank(y));
    for (const k of keys) {
      const d = firstDifference(a[k], b[k], at ? `${at}.${k}` : k);
      if (d) return d;
    }
  }
  return at || '(root)';
}

/** One phrase naming what differs between a stored fingerprint (and config) and the current ones. */
export function describeDifference(old: Partial<BuildFingerprint> | undefined, now: BuildFingerprint, oldConfig: unknown, newConfig: PipelineConfig): string {
  if (!old || !old.sha256) return 'it was written by an older skein without a build fingerprint';
  if (old.skein_version !== now.skein_version) return `it was built by skein ${old.skein_version}, this is ${now.skein_version}`;
  if (old.rank !== now.rank || old.world_size !== now.world_size) return `it is rank ${old.rank} of ${old.world_size}, this build is rank ${now.rank} of ${now.world_size}`;
  if (old.config_sha256 !== now.config_sha256) {
    const key = oldConfig === undefined ? undefined : firstDifference(comparableConfig(oldConfig as PipelineConfig), comparableConfig(newConfig));
    return key ? `its config differs at ${key}` : 'its config differs';
  }
  if (old.tokenizer_sha256 !== now.tokenizer_sha256) return 'its tokenizer file differs';
  if (old.inputs_sha256 !== now.inputs_sha256) return 'the input files changed since (paths, sizes or modification times)';
  return 'its build fingerprint differs';
}
