/**
 * Reading a checkpoint's files and proving them intact before any of it is trusted: which step
 * folder `latest.json` names, `model.json`, and `weights.bin` / `optimizer.bin` checked against
 * the byte counts their manifests imply, the sha256 each had when it was written, and for
 * non-finite values. Every fault is a one-line {@link UserError} naming the file and the fix
 * (an older intact checkpoint of the run when there is one). No tensors are made here, so a run
 * can be checked before a backend is loaded.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { ManifestTokenizer } from '../shards/manifest.js';
import { UserError } from '../util/errors.js';
import { pathExists } from '../util/path-exists.js';
import type { ModelConfig } from './config.js';
import type { VocabSpec } from './vocab.js';

/** Value of model.json's `format`. */
export const CHECKPOINT_FORMAT = 'skein-lm';
/** The checkpoint format version written (2: sha256 and size of every binary file in `files`). */
export const CHECKPOINT_FORMAT_VERSION = 2;
/** Versions read: 1 (no checksums; its files are checked for size and finite values only) and 2. */
const READABLE_VERSIONS = [1, 2];

/** Where the data loader stands: resuming replays the same order from here. */
export interface DataPosition {
  epoch: number;
  /** Windows already consumed in `epoch`. */
  window: number;
}

/** The training state a checkpoint records besides weights and optimizer moments. */
export interface TrainState {
  /** Optimizer steps done. */
  step: number;
  data: DataPosition;
  /** The run's settings (the resumed run must match them; see trainer.ts). */
  settings: Record<string, unknown>;
  /** Training shards: folder and fingerprint (sha256s of the manifest's shards). */
  dataset: { dir: string; fingerprint: string; attention: string; positions: string };
  /** Training window length. */
  seqLen: number;
}

/** Size and sha256 of one binary file of a checkpoint. */
export interface FileDigest {
  bytes: number;
  sha256: string;
}

/** The `userDefinedMetadata.skein` object of model.json. */
export interface SkeinMetadata {
  format_version: number;
  skein_version: string;
  vocab: VocabSpec;
  tokenizer: ManifestTokenizer;
  train: TrainState;
  optimizer: { step: number; file: string; weights: tf.io.WeightsManifestEntry[] } | null;
  /** Binary files by name (format 2). */
  files?: Record<string, FileDigest>;
}

/** model.json as written. */
export interface ModelJson {
  format?: string;
  modelTopology?: { config?: ModelConfig };
  weightsManifest?: tf.io.WeightsManifestConfig;
  userDefinedMetadata?: { skein?: SkeinMetadata };
}

/** A checkpoint's files, read and verified. */
export interface CheckpointFiles {
  dir: string;
  json: ModelJson & { modelTopology: { config: ModelConfig }; weightsManifest: tf.io.WeightsManifestConfig };
  meta: SkeinMetadata;
  /** weights.bin (all paths of the weights manifest, joined). */
  weights: ArrayBuffer;
  optimizer?: ArrayBuffer;
  /** True when sha256s were recorded and matched (format 2). */
  checksummed: boolean;
}

/** Name pattern of step folders. */
const STEP_DIR = /^step-\d+$/;

/** sha256 of bytes, hex. */
export function sha256Hex(data: Uint8Array | ArrayBuffer): string {
  return createHash('sha256')
    .update(data instanceof Uint8Array ? data : new Uint8Array(data))
    .digest('hex');
}

/** Bytes of one element of a weight dtype. */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, int8: 1 };

/** Bytes the weights of a manifest occupy. */
function specBytes(specs: readonly tf.io.WeightsManifestEntry[]): number {
  return specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1) * (DTYPE_BYTES[s.dtype] ?? 4), 0);
}

/** The first float32 weight holding a NaN or ±Infinity, with the count of such values. */
function nonFinite(buffer: ArrayBuffer, specs: readonly tf.io.WeightsManifestEntry[]): { name: string; count: number } | null {
  let offset = 0;
  let first: string | null = null;
  let count = 0;
  for (const s of specs) {
    const n = s.shape.reduce((x, y) => x * y, 1);
    if (s.dtype === 'float32') {
      const v = new Float32Array(buffer, offset, n);
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(v[i]!)) {
          count++;
          first ??= s.name;
        }
      }
    }
    offset += n * (DTYPE_BYTES[s.dtype] ?? 4);
  }
  return first === null ? null : { name: first, count };
}

/** Parses JSON, or undefined when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The step folder a checkpoint path names: a step folder itself (holding model.json), or a run
 * folder / its `checkpoints` folder (the step `latest.json` points at). A {@link UserError} when
 * there is none, or when `latest.json` is not a pointer to one of its own step folders.
 */
export async function resolveCheckpointDir(given: string): Promise<string> {
  const p = path.resolve(given);
  if (await pathExists(path.join(p, 'model.json'))) return p;
  for (const root of [path.join(p, 'checkpoints'), p]) {
    const latest = path.join(root, 'latest.json');
    if (!(await pathExists(latest))) continue;
    let text: string;
    try {
      text = await readFile(latest, 'utf8');
    } catch (e) {
      throw new UserError(`cannot read ${latest} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): ${await olderHint(root, null)}`);
    }
    const v = parseJson(text) as { step?: unknown; dir?: unknown } | null | undefined;
    const dir = v && typeof v === 'object' ? v.dir : undefined;
    if (typeof dir !== 'string' || !STEP_DIR.test(dir)) {
      const got = v === undefined ? 'not JSON' : `got ${JSON.stringify(v)?.slice(0, 60)}`;
      throw new UserError(`${latest} does not name a checkpoint (${got}; it should read {"step": N, "dir": "step-NNNNNN"}): ${await olderHint(root, null)}`);
    }
    const stepDir = path.join(root, dir);
    if (!(await pathExists(path.join(stepDir, 'model.json')))) {
      throw new UserError(`${latest} names ${dir}, which has no model.json: ${await olderHint(root, dir)}`);
    }
    return stepDir;
  }
  throw new UserError(`no checkpoint at ${given}: give a run folder written by \`skein train\` (with checkpoints/latest.json) or a checkpoint step folder (with model.json)`);
}

/**
 * The fix to offer when a checkpoint of `root` (`bad`, or latest.json itself when null) is
 * unusable: the newest other step folder that verifies, or starting over.
 */
async function olderHint(root: string, bad: string | null): Promise<string> {
  const steps = (await readdir(root).catch(() => [] as string[])).filter((f) => STEP_DIR.test(f) && f !== bad).sort().reverse();
  for (const s of steps) {
    try {
      await readCheckpointFiles(path.join(root, s), false);
      const step = Number(s.slice('step-'.length));
      return `the checkpoint ${path.join(root, s)} is intact: resume from it by writing {"step": ${step}, "dir": "${s}"} into ${path.join(root, 'latest.json')}, or start a new run with another --output`;
    } catch {
      // not intact either: try an older one
    }
  }
  return 'no intact checkpoint is left in the run: restore the files from a backup, or start a new run with another --output';
}

/** Reads one binary file of a checkpoint and checks it: present, `expected` bytes long, its recorded sha256. */
async function readVerified(dir: string, name: string, expected: number, digest: FileDigest | undefined, hint: () => Promise<string>): Promise<ArrayBuffer> {
  const file = path.join(dir, name);
  const s = await stat(file).catch(() => null);
  if (!s) throw new UserError(`checkpoint ${dir}: ${name} is missing: ${await hint()}`);
  if (!s.isFile()) throw new UserError(`checkpoint ${dir}: ${name} is not a file: ${await hint()}`);
  if (s.size !== expected) {
    const what = s.size === 0 ? 'is empty' : s.size < expected ? `is truncated (${s.size} of ${expected} bytes)` : `has ${s.size} bytes where its manifest needs ${expected}`;
    throw new UserError(`checkpoint ${dir}: ${name} ${what}: ${await hint()}`);
  }
  const b = await readFile(file);
  const buf = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  if (digest && (digest.bytes !== s.size || sha256Hex(buf) !== digest.sha256)) {
    throw new UserError(`checkpoint ${dir}: ${name} does not match the sha256 recorded in model.json (the file is damaged): ${await hint()}`);
  }
  return buf;
}

/**
 * Reads and verifies the checkpoint `p` names (see {@link resolveCheckpointDir}): model.json,
 * then each binary file's size, sha256 (format 2) and finite values. `withHint`: on a fault,
 * look for an older intact checkpoint of the run to suggest (off when looking for one).
 */
export async function readCheckpointFiles(p: string, withHint = true): Promise<CheckpointFiles> {
  const dir = await resolveCheckpointDir(p);
  const root = path.dirname(dir);
  const hint = () => (withHint && STEP_DIR.test(path.basename(dir)) ? olderHint(root, path.basename(dir)) : Promise.resolve('restore it from a backup, or train again'));
  const file = path.join(dir, 'model.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read checkpoint ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): ${await hint()}`);
  }
  const json = parseJson(text) as ModelJson | null | undefined;
  if (json === undefined) throw new UserError(`checkpoint ${file} is not valid JSON (damaged): ${await hint()}`);
  const meta = json?.userDefinedMetadata?.skein;
  if (json?.format !== CHECKPOINT_FORMAT || !meta || !json.modelTopology?.config || !Array.isArray(json.weightsManifest)) {
    throw new UserError(`${file} is not a skein checkpoint (format "${json?.format}"): give a folder written by \`skein train\``);
  }
  if (!READABLE_VERSIONS.includes(meta.format_version)) {
    throw new UserError(`${file} has checkpoint format_version ${meta.format_version}, this skein reads ${READABLE_VERSIONS.join(' and ')}: use skein ${meta.skein_version}`);
  }
  const files = meta.format_version >= 2 ? (meta.files ?? {}) : undefined;
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  if (paths.length !== 1) throw new UserError(`${file} lists ${paths.length} weight files, skein train writes one (weights.bin): give a checkpoint written by skein train`);
  if (files && !files[paths[0]!]) throw new UserError(`${file} lists no checksum for ${paths[0]}: it was altered; ${await hint()}`);
  const weights = await readVerified(dir, paths[0]!, specBytes(specs), files?.[paths[0]!], hint);
  const bad = nonFinite(weights, specs);
  if (bad) throw new UserError(`checkpoint ${dir}: ${paths[0]} holds ${bad.count} NaN/Infinity values (first in ${bad.name}): the run had diverged or the file was altered; ${await hint()}`);
  let optimizer: ArrayBuffer | undefined;
  if (meta.optimizer) {
    if (files && !files[meta.optimizer.file]) throw new UserError(`${file} lists no checksum for ${meta.optimizer.file}: it was altered; ${await hint()}`);
    optimizer = await readVerified(dir, meta.optimizer.file, specBytes(meta.optimizer.weights), files?.[meta.optimizer.file], hint);
    const badOpt = nonFinite(optimizer, meta.optimizer.weights);
    if (badOpt) throw new UserError(`checkpoint ${dir}: ${meta.optimizer.file} holds ${badOpt.count} NaN/Infinity values (first in ${badOpt.name}): the run had diverged or the file was altered; ${await hint()}`);
  }
  return { dir, json: json as CheckpointFiles['json'], meta, weights, optimizer, checksummed: !!files };
}
