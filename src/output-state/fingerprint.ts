import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { PipelineConfig } from '../config/config-schema.js';
import { remoteVersion } from '../sources/remote/remote-file.js';
import type { ReadPlan } from '../input-plan/read-plan.js';

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
  /**
   * Each input's identity as `inputs_sha256` hashes it, compactly: the first 12 hex digits of the
   * sha256 of its path (or URL) mapped to the first 12 of the sha256 of its size and modification
   * time (local) or version tag (remote). Not part of `sha256` (the hash above covers it): kept
   * in the checkpoint so that a refused resume names the input that changed. Left out above
   * {@link MAX_NAMED_INPUTS} inputs (the message is then general).
   */
  inputs?: Record<string, string>;
}

/** Most inputs whose identities a fingerprint keeps for messages (about 30 bytes each in the checkpoint). */
export const MAX_NAMED_INPUTS = 100_000;

/** One input's identity in the fingerprint: path or URL, size, modification time (local) or version tag (remote). */
export type InputVersion = [string, number, number | string];

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
  const files: InputVersion[] = [];
  for (const input of p.plan.inputs) {
    for (const f of input.files) files.push([f.path, f.size, f.remote ? remoteVersion(f.remote) : Math.round(f.mtimeMs ?? (await stat(f.rawPath ?? f.path)).mtimeMs)]);
  }
  const parts = {
    skein_version: p.skeinVersion,
    config_sha256: sha(canonicalJson(comparableConfig(p.config))),
    tokenizer_sha256: p.tokenizerSha256,
    inputs_sha256: sha(canonicalJson(files)),
    rank: p.rank,
    world_size: p.worldSize,
  };
  const fp: BuildFingerprint = { ...parts, sha256: sha(canonicalJson(parts)), ...(files.length <= MAX_NAMED_INPUTS ? { inputs: inputIdentities(files) } : {}) };
  listed.set(fp, files);
  return fp;
}

/** The inputs a fingerprint computed in this process was made from (to name one in messages). */
const listed = new WeakMap<BuildFingerprint, InputVersion[]>();

const short = (s: string): string => sha(s).slice(0, 12);

/** The compact identities a fingerprint keeps (see `BuildFingerprint.inputs`). */
export function inputIdentities(files: readonly InputVersion[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, size, version] of files) out[short(path)] = short(JSON.stringify([size, version]));
  return out;
}

/**
 * Names the first input that differs between the identities a checkpoint kept and the inputs
 * listed now (changed, new, or gone), as a phrase for a refused resume; undefined when nothing
 * differs or the old identities are unknown.
 */
export function describeInputChange(old: Readonly<Record<string, string>> | undefined, now: readonly InputVersion[]): string | undefined {
  if (old === null || typeof old !== 'object' || Array.isArray(old)) return undefined;
  const left = new Set(Object.keys(old));
  for (const [path, size, version] of now) {
    const key = short(path);
    const was = Object.hasOwn(old, key) ? old[key] : undefined;
    if (was === undefined) return `input ${path} is new since the build started`;
    if (was !== short(JSON.stringify([size, version]))) {
      return `input ${path} changed underneath the build (its size or ${typeof version === 'string' ? 'version' : 'modification time'} is not what the build started with)`;
    }
    left.delete(key);
  }
  return left.size > 0 ? `${left.size} input${left.size === 1 ? ' the build started with is' : 's the build started with are'} gone` : undefined;
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
  const nowInputs = listed.get(now);
  if (!old || !old.sha256) return 'it was written by an older skein without a build fingerprint';
  if (old.skein_version !== now.skein_version) return `it was built by skein ${old.skein_version}, this is ${now.skein_version}`;
  if (old.rank !== now.rank || old.world_size !== now.world_size) return `it is rank ${old.rank} of ${old.world_size}, this build is rank ${now.rank} of ${now.world_size}`;
  if (old.config_sha256 !== now.config_sha256) {
    const key = oldConfig === undefined ? undefined : firstDifference(comparableConfig(oldConfig as PipelineConfig), comparableConfig(newConfig));
    return key ? `its config differs at ${key}` : 'its config differs';
  }
  if (old.tokenizer_sha256 !== now.tokenizer_sha256) return 'its tokenizer file differs';
  if (old.inputs_sha256 !== now.inputs_sha256) return (nowInputs && describeInputChange(old.inputs, nowInputs)) ?? 'the input files changed since (paths, sizes or modification times)';
  return 'its build fingerprint differs';
}
