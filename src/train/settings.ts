/**
 * The settings of a training run: what the caller asked for, resolved against the model preset,
 * and checked. A resumed run takes its settings from the checkpoint; an option given again must
 * agree with it (exact resume means the same run).
 */
import { UserError } from '../util/errors.js';
import { PRESETS, checkRope, type PresetName, type RopeConfig, type RopeScaling } from './config.js';

/** Options of a training run (undefined = the preset's or the built-in default). */
export interface TrainSettingsInput {
  /** Model size preset (default `tiny`). */
  preset?: PresetName;
  dModel?: number;
  nLayers?: number;
  nHeads?: number;
  ffMult?: number;
  /** Compact vocabulary size, or `full` for the tokenizer's whole vocabulary (see vocab.ts). */
  vocabSize?: number | 'full';
  /** Training window in tokens. */
  seqLen?: number;
  /** Windows per micro-batch. */
  batchSize?: number;
  /** Micro-batches per optimizer step. */
  gradAccum?: number;
  /** Optimizer steps of the run (default: one epoch, or `epochs` epochs). */
  steps?: number;
  /** Epochs of the run, when `steps` is not given (default 1). */
  epochs?: number;
  lr?: number;
  /** Floor of the cosine decay (default lr / 10). */
  minLr?: number;
  /** Warmup steps (default 5 % of the steps, at least 1). */
  warmup?: number;
  weightDecay?: number;
  /** Global gradient-norm clip (0 = none; default 1). */
  clip?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Seed of the initial weights and of the data order (default 0). */
  seed?: number;
  /** Shuffle buffer in windows (default: as many as fit in 2^20 tokens, at least 1). */
  shuffleWindows?: number;
  ropeBase?: number;
  ropeScaling?: RopeScaling;
  ropeFactor?: number;
  /** YaRN's original context (default: the training window). */
  ropeOriginalContext?: number;
}

/** Fully resolved settings, as stored in checkpoints. */
export interface TrainSettings {
  preset: PresetName;
  dModel: number;
  nLayers: number;
  nHeads: number;
  ffMult: number;
  vocabSize: number | 'full';
  seqLen: number;
  batchSize: number;
  gradAccum: number;
  /** null: derived from `epochs` once the dataset is counted. */
  steps: number | null;
  epochs: number;
  lr: number;
  minLr: number;
  /** null: 5 % of the steps. */
  warmup: number | null;
  weightDecay: number;
  clip: number;
  beta1: number;
  beta2: number;
  eps: number;
  seed: number;
  shuffleWindows: number;
  rope: RopeConfig;
}

/** Throws a {@link UserError} unless `v` is an integer ≥ `min`. */
function int(flag: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new UserError(`${flag} must be an integer ≥ ${min}, got ${v}`);
  return v;
}

/** Throws a {@link UserError} unless `v` is a finite number in [lo, hi]. */
function num(flag: string, v: number, lo: number, hi = Infinity): number {
  if (!Number.isFinite(v) || v < lo || v > hi) throw new UserError(`${flag} must be a number in [${lo}, ${hi}], got ${v}`);
  return v;
}

/** Resolves and checks the settings of a new run. */
export function resolveSettings(o: TrainSettingsInput): TrainSettings {
  const preset = o.preset ?? 'tiny';
  const p = Object.hasOwn(PRESETS, preset) ? PRESETS[preset] : undefined;
  if (!p) throw new UserError(`unknown preset '${preset}': use ${Object.keys(PRESETS).join(' or ')}`);
  const seqLen = int('--seq-len', o.seqLen ?? p.seqLen, 2);
  const lr = num('--lr', o.lr ?? p.lr, 0, 10);
  const vocabSize = o.vocabSize === 'full' ? 'full' : int('--vocab-size', o.vocabSize ?? p.vocabSize, 2);
  const rope: RopeConfig = {
    base: o.ropeBase ?? 10000,
    scaling: o.ropeScaling ?? 'none',
    factor: o.ropeFactor ?? 1,
    originalContext: o.ropeOriginalContext ?? seqLen,
    betaFast: 32,
    betaSlow: 1,
  };
  checkRope(rope);
  const s: TrainSettings = {
    preset,
    dModel: int('--d-model', o.dModel ?? p.dModel, 2),
    nLayers: int('--layers', o.nLayers ?? p.nLayers, 1),
    nHeads: int('--heads', o.nHeads ?? p.nHeads, 1),
    ffMult: int('--ff-mult', o.ffMult ?? p.ffMult, 1),
    vocabSize,
    seqLen,
    batchSize: int('--batch-size', o.batchSize ?? p.batchSize, 1),
    gradAccum: int('--grad-accum', o.gradAccum ?? 1, 1),
    steps: o.steps === undefined ? null : int('--steps', o.steps, 1),
    epochs: num('--epochs', o.epochs ?? 1, Number.MIN_VALUE),
    lr,
    minLr: num('--min-lr', o.minLr ?? lr / 10, 0, lr),
    warmup: o.warmup === undefined ? null : int('--warmup', o.warmup, 0),
    weightDecay: num('--weight-decay', o.weightDecay ?? 0.1, 0, 1),
    clip: num('--clip', o.clip ?? 1, 0),
    beta1: num('--beta1', o.beta1 ?? 0.9, 0, 0.999999),
    beta2: num('--beta2', o.beta2 ?? 0.95, 0, 0.999999),
    eps: num('--eps', o.eps ?? 1e-8, 0),
    seed: int('--seed', o.seed ?? 0, 0),
    shuffleWindows: int('--shuffle-windows', o.shuffleWindows ?? Math.max(1, Math.floor(2 ** 20 / seqLen)), 1),
    rope,
  };
  if (s.dModel % s.nHeads !== 0 || (s.dModel / s.nHeads) % 2 !== 0) {
    throw new UserError(`--d-model ${s.dModel} / --heads ${s.nHeads} must give an even head size (RoPE rotates pairs): change one of them`);
  }
  return s;
}

/** The options of `input` that were given and differ from a resumed run's `stored` settings (flag names). */
export function conflictingOptions(input: TrainSettingsInput, stored: TrainSettings): string[] {
  const given = resolveSettings({ ...settingsAsInput(stored), ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) });
  const bad: string[] = [];
  for (const k of Object.keys(stored) as Array<keyof TrainSettings>) {
    if (JSON.stringify(given[k]) !== JSON.stringify(stored[k])) bad.push(k);
  }
  return bad;
}

/** Stored settings back as input options (for re-resolution). */
export function settingsAsInput(s: TrainSettings): TrainSettingsInput {
  return {
    preset: s.preset,
    dModel: s.dModel,
    nLayers: s.nLayers,
    nHeads: s.nHeads,
    ffMult: s.ffMult,
    vocabSize: s.vocabSize,
    seqLen: s.seqLen,
    batchSize: s.batchSize,
    gradAccum: s.gradAccum,
    steps: s.steps ?? undefined,
    epochs: s.epochs,
    lr: s.lr,
    minLr: s.minLr,
    warmup: s.warmup ?? undefined,
    weightDecay: s.weightDecay,
    clip: s.clip,
    beta1: s.beta1,
    beta2: s.beta2,
    eps: s.eps,
    seed: s.seed,
    shuffleWindows: s.shuffleWindows,
    ropeBase: s.rope.base,
    ropeScaling: s.rope.scaling,
    ropeFactor: s.rope.factor,
    ropeOriginalContext: s.rope.originalContext,
  };
}
