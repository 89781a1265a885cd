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
 * checkpoint as the latest one, never a partial one. model.json records the size and sha256 of
 * `weights.bin` and `optimizer.bin` (`userDefinedMetadata.skein.files`); loading verifies them
 * (checkpoint-files.ts), so a damaged file is refused instead of resuming with other numbers.
 * Pure tfjs has no `file://` save handler, so the files are written here.
 */
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { jsonText, syncDir, writeFileAtomic } from '../shards/atomic-file.js';
import type { ManifestTokenizer } from '../shards/manifest.js';
import { UserError } from '../util/errors.js';
import { checkModelConfig, type ModelConfig } from './config.js';
import type { AdamW } from './adamw.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION, readCheckpointFiles, sha256Hex, type CheckpointFiles, type SkeinMetadata, type TrainState } from './checkpoint-files.js';
import { initModel, type Model } from './model.js';
import type { VocabSpec } from './vocab.js';

export { CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION, resolveCheckpointDir, type DataPosition, type TrainState } from './checkpoint-files.js';

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
  /** Whether its files carried sha256s that matched (format 2). */
  checksummed: boolean;
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
  const weightBytes = new Uint8Array(joined(enc.data));
  await writeSynced(path.join(tmp, 'weights.bin'), weightBytes);
  const files: SkeinMetadata['files'] = { 'weights.bin': { bytes: weightBytes.byteLength, sha256: sha256Hex(weightBytes) } };

  let optimizer: SkeinMetadata['optimizer'] = null;
  if (input.optimizer) {
    const state: tf.NamedTensorMap = {};
    for (const [k, t] of input.optimizer.m) state[`m/${k}`] = t;
    for (const [k, t] of input.optimizer.v) state[`v/${k}`] = t;
    const o = await tf.io.encodeWeights(state);
    const bytes = new Uint8Array(joined(o.data));
    await writeSynced(path.join(tmp, 'optimizer.bin'), bytes);
    files['optimizer.bin'] = { bytes: bytes.byteLength, sha256: sha256Hex(bytes) };
    optimizer = { step: input.optimizer.step, file: 'optimizer.bin', weights: o.specs };
  }
  const meta: SkeinMetadata = {
    format_version: CHECKPOINT_FORMAT_VERSION,
    skein_version: input.skeinVersion,
    vocab: input.vocab,
    tokenizer: input.tokenizer,
    train: input.state,
    optimizer,
    files,
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


/** Decodes verified checkpoint files into tensors (on the current backend). */
export function decodeCheckpoint(f: CheckpointFiles): Checkpoint {
  const config = f.json.modelTopology.config;
  checkModelConfig(config);
  const specs = f.json.weightsManifest.flatMap((g) => g.weights);
  const weights = tf.io.decodeWeights(f.weights, specs);
  const { meta } = f;
  const ck: Checkpoint = { dir: f.dir, config, vocab: meta.vocab, tokenizer: meta.tokenizer, state: meta.train, weights, skeinVersion: meta.skein_version, checksummed: f.checksummed };
  if (meta.optimizer && f.optimizer) {
    const t = tf.io.decodeWeights(f.optimizer, meta.optimizer.weights);
    const m: tf.NamedTensorMap = {};
    const v: tf.NamedTensorMap = {};
    for (const [k, tensor] of Object.entries(t)) (k.startsWith('m/') ? m : v)[k.slice(2)] = tensor;
    ck.optimizer = { step: meta.optimizer.step, m, v };
  }
  return ck;
}

/** Loads a checkpoint (see resolveCheckpointDir for what `p` may be), verified by readCheckpointFiles. */
export async function loadCheckpoint(p: string): Promise<Checkpoint> {
  return decodeCheckpoint(await readCheckpointFiles(p));
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
