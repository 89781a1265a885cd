/**
 * Checkpoints: `model.json` + `weights.bin` + `optimizer.bin` in a step folder, in TensorFlow.js's
 * model.json convention (a `weightsManifest` of float32 little-endian weights, readable with
 * `tf.io.decodeWeights`), with skein's training state under `userDefinedMetadata.skein`.
 *
 * Layout of a run folder:
 * ```
 * run/checkpoints/step-000100/{model.json, weights.bin, optimizer.bin}
 * run/checkpoints/latest.json     {"step": 100, "dir": "step-000100"}
 * ```
 * A checkpoint is written into a hidden temporary folder (each file fsync'd), renamed to its
 * final name, and only then is `latest.json` replaced atomically: a crash leaves the previous
 * checkpoint as the latest one, never a partial one. Pure tfjs has no `file://` save handler
 * (trainer-notes §5), so the files are written here.
 */
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { jsonText, syncDir, writeFileAtomic } from '../shards/atomic-file.js';
import type { ManifestTokenizer } from '../shards/manifest.js';
import { UserError } from '../util/errors.js';
import { checkModelConfig, type ModelConfig } from './config.js';
import type { AdamW } from './adamw.js';
import { initModel, type Model } from './model.js';
import type { VocabSpec } from './vocab.js';
import { pathExists } from '../util/path-exists.js';

/** Value of model.json's `format`. */
export const CHECKPOINT_FORMAT = 'skein-lm';
/** The checkpoint format version written and read. */
export const CHECKPOINT_FORMAT_VERSION = 1;

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

/** Everything stored in a checkpoint, weights as tensors (owned by the caller). */
export interface Checkpoint {
  dir: string;
  config: ModelConfig;
  vocab: VocabSpec;
  /** The tokenizer of the training shards (from their manifest). */
  tokenizer: ManifestTokenizer;
  state: TrainState;
  weights: tf.NamedTensorMap;
  /** Present when the checkpoint holds optimizer state. */
  optimizer?: { step: number; m: tf.NamedTensorMap; v: tf.NamedTensorMap };
  skeinVersion: string;
}

/** The `userDefinedMetadata.skein` object of model.json. */
interface SkeinMetadata {
  format_version: number;
  skein_version: string;
  vocab: VocabSpec;
  tokenizer: ManifestTokenizer;
  train: TrainState;
  optimizer: { step: number; file: string; weights: tf.io.WeightsManifestEntry[] } | null;
}

/** Folder name of the checkpoint of `step`. */
export function stepDirName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

/** One WeightData (possibly split) as one ArrayBuffer. */
function joined(w: tf.io.WeightData): ArrayBuffer {
  return Array.isArray(w) ? tf.io.CompositeArrayBuffer.join(w) : w;
}

/** Writes and fsyncs one file (inside a temporary folder: no rename needed). */
async function writeSynced(file: string, data: string | Uint8Array): Promise<void> {
  const fh = await open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** What {@link saveCheckpoint} stores. */
export interface SaveInput {
  model: Model;
  optimizer: AdamW | null;
  vocab: VocabSpec;
  tokenizer: ManifestTokenizer;
  state: TrainState;
  skeinVersion: string;
}

/**
 * Writes the checkpoint of `input.state.step` under `runDir/checkpoints/` atomically (see the
 * module comment), points `latest.json` at it, and deletes older step folders beyond the newest
 * `keep`. Returns the step folder.
 */
export async function saveCheckpoint(runDir: string, input: SaveInput, keep = 2): Promise<string> {
  const root = path.join(runDir, 'checkpoints');
  await mkdir(root, { recursive: true });
  const name = stepDirName(input.state.step);
  const tmp = path.join(root, `.${name}.tmp`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);

  const named: tf.NamedTensorMap = {};
  for (const [k, v] of input.model.params) named[k] = v;
  const enc = await tf.io.encodeWeights(named);
  await writeSynced(path.join(tmp, 'weights.bin'), new Uint8Array(joined(enc.data)));

  let optimizer: SkeinMetadata['optimizer'] = null;
  if (input.optimizer) {
    const state: tf.NamedTensorMap = {};
    for (const [k, t] of input.optimizer.m) state[`m/${k}`] = t;
    for (const [k, t] of input.optimizer.v) state[`v/${k}`] = t;
    const o = await tf.io.encodeWeights(state);
    await writeSynced(path.join(tmp, 'optimizer.bin'), new Uint8Array(joined(o.data)));
    optimizer = { step: input.optimizer.step, file: 'optimizer.bin', weights: o.specs };
  }
  const meta: SkeinMetadata = {
    format_version: CHECKPOINT_FORMAT_VERSION,
    skein_version: input.skeinVersion,
    vocab: input.vocab,
    tokenizer: input.tokenizer,
    train: input.state,
    optimizer,
  };
  const modelJson = {
    format: CHECKPOINT_FORMAT,
    generatedBy: `skein ${input.skeinVersion} (TensorFlow.js ${tf.version.tfjs})`,
    convertedBy: null,
    modelTopology: { config: input.model.config },
    weightsManifest: [{ paths: ['weights.bin'], weights: enc.specs }],
    userDefinedMetadata: { skein: meta },
  };
  await writeSynced(path.join(tmp, 'model.json'), jsonText(modelJson));
  await syncDir(tmp);

  const final = path.join(root, name);
  await rm(final, { recursive: true, force: true });
  await rename(tmp, final);
  await syncDir(root);
  await writeFileAtomic(path.join(root, 'latest.json'), jsonText({ step: input.state.step, dir: name }));

  const old = (await readdir(root)).filter((f) => /^step-\d+$/.test(f)).sort();
  for (const f of old.slice(0, Math.max(0, old.length - keep))) if (f !== name) await rm(path.join(root, f), { recursive: true, force: true });
  return final;
}


/**
 * The step folder a checkpoint path names: a step folder itself (holding model.json), or a run
 * folder / its `checkpoints` folder (the step `latest.json` points at). A {@link UserError} when
 * there is none.
 */
export async function resolveCheckpointDir(given: string): Promise<string> {
  const p = path.resolve(given);
  if (await pathExists(path.join(p, 'model.json'))) return p;
  for (const root of [path.join(p, 'checkpoints'), p]) {
    const latest = path.join(root, 'latest.json');
    if (await pathExists(latest)) {
      const { dir } = JSON.parse(await readFile(latest, 'utf8')) as { dir: string };
      return path.join(root, dir);
    }
  }
  throw new UserError(`no checkpoint at ${given}: give a run folder written by \`skein train\` (with checkpoints/latest.json) or a checkpoint step folder (with model.json)`);
}

/** Reads a file as an ArrayBuffer. */
async function readBuffer(file: string): Promise<ArrayBuffer> {
  const b = await readFile(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** Loads a checkpoint (see {@link resolveCheckpointDir} for what `p` may be). */
export async function loadCheckpoint(p: string): Promise<Checkpoint> {
  const dir = await resolveCheckpointDir(p);
  const file = path.join(dir, 'model.json');
  let json: { format?: string; modelTopology?: { config?: ModelConfig }; weightsManifest?: tf.io.WeightsManifestConfig; userDefinedMetadata?: { skein?: SkeinMetadata } };
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new UserError(`cannot read checkpoint ${file} (${(e as Error).message.split('\n')[0]}): restore it or train again`);
  }
  const meta = json.userDefinedMetadata?.skein;
  if (json.format !== CHECKPOINT_FORMAT || !meta || !json.modelTopology?.config || !json.weightsManifest) {
    throw new UserError(`${file} is not a skein checkpoint (format "${json.format}"): give a folder written by \`skein train\``);
  }
  if (meta.format_version !== CHECKPOINT_FORMAT_VERSION) {
    throw new UserError(`${file} has checkpoint format_version ${meta.format_version}, this skein reads ${CHECKPOINT_FORMAT_VERSION}: use skein ${meta.skein_version}`);
  }
  const config = json.modelTopology.config;
  checkModelConfig(config);
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = await Promise.all(json.weightsManifest.flatMap((g) => g.paths.map((f) => readBuffer(path.join(dir, f)))));
  const weights = tf.io.decodeWeights(tf.io.CompositeArrayBuffer.join(buffers), specs);
  const ck: Checkpoint = { dir, config, vocab: meta.vocab, tokenizer: meta.tokenizer, state: meta.train, weights, skeinVersion: meta.skein_version };
  if (meta.optimizer) {
    const t = tf.io.decodeWeights(await readBuffer(path.join(dir, meta.optimizer.file)), meta.optimizer.weights);
    const m: tf.NamedTensorMap = {};
    const v: tf.NamedTensorMap = {};
    for (const [k, tensor] of Object.entries(t)) (k.startsWith('m/') ? m : v)[k.slice(2)] = tensor;
    ck.optimizer = { step: meta.optimizer.step, m, v };
  }
  return ck;
}

/** Frees a loaded checkpoint's tensors (after they were copied into a model and optimizer). */
export function disposeCheckpoint(ck: Checkpoint): void {
  for (const t of Object.values(ck.weights)) t.dispose();
  if (ck.optimizer) for (const t of [...Object.values(ck.optimizer.m), ...Object.values(ck.optimizer.v)]) t.dispose();
}

/** A model with the checkpoint's config (optionally overridden, e.g. RoPE scaling for evaluation) and weights. */
export function modelFromCheckpoint(ck: Checkpoint, config: ModelConfig = ck.config): Model {
  const model = initModel(config, 0);
  for (const [name, v] of model.params) {
    const t = ck.weights[name];
    if (!t) throw new UserError(`checkpoint ${ck.dir} lacks weight ${name}: it does not match its own config; train again`);
    if (t.shape.join('x') !== v.shape.join('x')) throw new UserError(`checkpoint ${ck.dir}: weight ${name} has shape ${t.shape.join('x')}, the config needs ${v.shape.join('x')}`);
    v.assign(t);
  }
  return model;
}

/** Copies the checkpoint's optimizer state (moments and step count) into `opt`. */
export function restoreOptimizer(ck: Checkpoint, opt: AdamW): void {
  if (!ck.optimizer) throw new UserError(`checkpoint ${ck.dir} has no optimizer state, so training cannot resume exactly from it`);
  for (const [name, m] of opt.m) {
    const sm = ck.optimizer.m[name];
    const sv = ck.optimizer.v[name];
    if (!sm || !sv) throw new UserError(`checkpoint ${ck.dir} lacks optimizer state for ${name}`);
    m.assign(sm);
    opt.v.get(name)!.assign(sv);
  }
  opt.step = ck.optimizer.step;
}
