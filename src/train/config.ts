import { UserError } from '../util/errors.js';

/** How RoPE frequencies are rescaled for contexts longer than the training length (docs/training.md#the-model, "RoPE base and scaling"). */
export type RopeScaling = 'none' | 'linear' | 'ntk' | 'yarn';

/** The rotary position embedding settings of a model. */
export interface RopeConfig {
  /** θ, the RoPE base (10,000 in Llama-2, 500,000 in Llama-3). */
  base: number;
  /**
   * `none`: plain RoPE; `linear`: position interpolation (PI, positions divided by `factor`);
   * `ntk`: NTK-aware base change (base × factor^(d/(d−2))); `yarn`: YaRN's per-dimension ramp
   * between interpolation and extrapolation plus its attention temperature (Hugging Face's formulas).
   */
  scaling: RopeScaling;
  /** The scale factor s (target length / original length); 1 with `none`. */
  factor: number;
  /** The context the unscaled model was trained for (YaRN's `original_max_position_embeddings`). */
  originalContext: number;
  /** YaRN β_fast (32) and β_slow (1): the rotation counts bounding the ramp. */
  betaFast: number;
  betaSlow: number;
}

/** The shape of the decoder-only LM (pre-RMSNorm blocks, RoPE attention, GELU MLP, tied embeddings). */
export interface ModelConfig {
  /** Model vocabulary (after the compact-vocabulary mapping, see vocab.ts). */
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** MLP hidden size = ffMult × dModel. */
  ffMult: number;
  /** RMSNorm epsilon. */
  normEps: number;
  rope: RopeConfig;
}

/** A named model size with the training defaults that suit it. */
export interface Preset {
  dModel: number;
  nLayers: number;
  nHeads: number;
  ffMult: number;
  /** Default training window (tokens per sequence). */
  seqLen: number;
  /** Default compact vocabulary size. */
  vocabSize: number;
  /** Default sequences per micro-batch. */
  batchSize: number;
  /** Default peak learning rate. */
  lr: number;
}

/**
 * The model presets: `tiny` (2 layers, d 64: trains on a laptop core in minutes, used by the tests)
 * and `small` (4 layers, d 128). Both are meant to exercise long-context data, not to be useful LMs.
 */
export const PRESETS: Readonly<Record<'tiny' | 'small', Preset>> = {
  tiny: { dModel: 64, nLayers: 2, nHeads: 4, ffMult: 4, seqLen: 128, vocabSize: 2048, batchSize: 8, lr: 3e-3 },
  small: { dModel: 128, nLayers: 4, nHeads: 4, ffMult: 4, seqLen: 256, vocabSize: 8192, batchSize: 8, lr: 1e-3 },
};

/** Name of a model preset. */
export type PresetName = keyof typeof PRESETS;

/** The RoPE settings with defaults filled in: base 10,000, no scaling. */
export function ropeConfig(r: Partial<RopeConfig> & { originalContext: number }): RopeConfig {
  const rope: RopeConfig = {
    base: r.base ?? 10000,
    scaling: r.scaling ?? 'none',
    factor: r.factor ?? 1,
    originalContext: r.originalContext,
    betaFast: r.betaFast ?? 32,
    betaSlow: r.betaSlow ?? 1,
  };
  checkRope(rope);
  return rope;
}

/** Throws a {@link UserError} naming the bad RoPE setting. */
export function checkRope(r: RopeConfig): void {
  if (!(r.base > 1) || !Number.isFinite(r.base)) throw new UserError(`RoPE base must be a number > 1, got ${r.base}`);
  if (!['none', 'linear', 'ntk', 'yarn'].includes(r.scaling)) throw new UserError(`RoPE scaling must be none, linear, ntk or yarn, got '${r.scaling}'`);
  if (!(r.factor >= 1) || !Number.isFinite(r.factor)) throw new UserError(`RoPE scaling factor must be a number ≥ 1, got ${r.factor}`);
  if (r.scaling === 'none' && r.factor !== 1) throw new UserError(`--rope-factor ${r.factor} needs --rope-scaling linear, ntk or yarn`);
  if (!Number.isInteger(r.originalContext) || r.originalContext < 1) throw new UserError(`RoPE original context must be a positive integer, got ${r.originalContext}`);
  if (!(r.betaFast > r.betaSlow) || !(r.betaSlow > 0)) throw new UserError(`YaRN needs beta_fast > beta_slow > 0, got ${r.betaFast} and ${r.betaSlow}`);
}

/** Throws a {@link UserError} unless the model shape is consistent (head size even, heads divide dModel). */
export function checkModelConfig(c: ModelConfig): void {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new UserError(`model ${name} must be an integer ≥ ${min}, got ${v}`);
  };
  int('vocabSize', c.vocabSize, 2);
  int('dModel', c.dModel, 2);
  int('nLayers', c.nLayers, 1);
  int('nHeads', c.nHeads, 1);
  int('ffMult', c.ffMult, 1);
  if (c.dModel % c.nHeads !== 0) throw new UserError(`--d-model ${c.dModel} is not divisible by --heads ${c.nHeads}: pick a head count that divides it`);
  if ((c.dModel / c.nHeads) % 2 !== 0) throw new UserError(`head size ${c.dModel / c.nHeads} (d-model / heads) must be even for RoPE: change --d-model or --heads`);
  checkRope(c.rope);
}

/** Head size dModel / nHeads. */
export function headDim(c: ModelConfig): number {
  return c.dModel / c.nHeads;
}

/** Parameters of the model (tied embeddings counted once). */
export function parameterCount(c: ModelConfig): number {
  const d = c.dModel;
  const perLayer = 2 * d + 4 * d * d + 2 * d * c.ffMult * d;
  return c.vocabSize * d + c.nLayers * perLayer + d;
}

/**
 * Floating-point operations of one training step (forward + backward ≈ 3 × forward) per
 * `tokens` tokens of window `seqLen`: the weight matmuls (6 × params-without-norms per token,
 * output projection included) plus attention (QKᵀ and AV: 4 × T × d per token forward, causal
 * masks not exploited).
 */
export function trainFlopsPerToken(c: ModelConfig, seqLen: number): number {
  const d = c.dModel;
  const weights = c.nLayers * (4 * d * d + 2 * d * c.ffMult * d) + c.vocabSize * d;
  const hd = headDim(c);
  const ropeRotations = c.nLayers * 2 * 2 * d * hd; // q and k: x·R, a dh×dh matmul per head
  const attention = c.nLayers * 4 * seqLen * d;
  return 3 * (2 * weights + ropeRotations + attention);
}
