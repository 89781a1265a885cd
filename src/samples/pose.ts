import type { Transform } from 'node:stream';
import type { TokDoc } from '../tokenize/tok-doc.js';
import { rngFor } from '../util/rng.js';
import { builderStage, checkSeqLen } from './builder.js';
import { PerDocumentBuilder, type DocLayout } from './per-document.js';
import {
  chunksToLayout,
  drawLongRecipePose,
  drawPaperPose,
  drawReferencePose,
  longRecipePoseLayout,
  paperPoseLayout,
  referencePoseLayout,
  type PoseChunk,
} from './pose-layout.js';

/** Which PoSE form a {@link PoseBuilder} builds. */
export type PoseVariant = 'reference' | 'paper' | 'longrecipe';

/** Options of {@link PoseBuilder}. */
export interface PoseOptions {
  /** The original (training) window `Lc`: tokens per row. */
  seqLen: number;
  /** The target window `Lt`: every position is below it. At least `seqLen`. */
  targetLen: number;
  /**
   * `reference`: the PoSE code's two chunks (first ≤ half the window, content skip, one bias).
   * `paper`: the PoSE paper's `chunks` chunks with random lengths, non-decreasing biases and skips.
   * `longrecipe`: LongRecipe's variant (first `seqLen` tokens, split point and skip, no content skip).
   */
  variant: PoseVariant;
  /** Chunks of the `paper` variant (the paper uses 2). */
  chunks: number;
  /**
   * Document tokens the content skip may reach (`reference`, `paper`); the reference truncates
   * documents to `5 × Lc` tokens, the default.
   */
  docWindow: number;
  /** The pipeline seed: each document draws from `rngFor(seed, 'pose', doc.id)`. */
  seed: number;
  /** Record `doc_sources` per row. */
  withSources: boolean;
}

/**
 * The PoSE chunks of one document of `len` tokens (design: one document → one row).
 * Randomness comes from `rngFor(opts.seed, 'pose', id)` only.
 */
export function poseChunks(id: string, len: number, opts: Omit<PoseOptions, 'withSources'>): PoseChunk[] {
  const rng = rngFor(opts.seed, 'pose', id);
  const { seqLen: lc, targetLen: lt } = opts;
  if (opts.variant === 'longrecipe') {
    const l = Math.min(len, lc);
    return longRecipePoseLayout(l, lt, drawLongRecipePose(rng, l, lt));
  }
  const n = Math.min(len, opts.docWindow);
  if (opts.variant === 'paper') return paperPoseLayout(n, lc, lt, drawPaperPose(rng, n, lc, lt, opts.chunks));
  return referencePoseLayout(n, lc, lt, drawReferencePose(rng, n, lc, lt));
}

/**
 * `pose` (Positional Skip-wisE, docs/recipes.md#pose): each document becomes one row of at most
 * `seqLen` tokens whose `position_ids` are spread over the target window `[0, targetLen)`:
 * chunks of contiguous positions separated by random skips. Positions strictly increase, the
 * first is 0 (except LongRecipe's variant when its split point is 0) and all are below
 * `targetLen`. Documents are never packed together.
 */
export class PoseBuilder extends PerDocumentBuilder {
  constructor(opts: PoseOptions) {
    checkSeqLen(opts.seqLen);
    if (!Number.isInteger(opts.targetLen) || opts.targetLen < opts.seqLen) throw new Error(`targetLen (${opts.targetLen}) must be an integer ≥ seqLen (${opts.seqLen})`);
    if (!Number.isInteger(opts.docWindow) || opts.docWindow < opts.seqLen) throw new Error(`docWindow (${opts.docWindow}) must be an integer ≥ seqLen (${opts.seqLen})`);
    super('pose', (doc: TokDoc): DocLayout => chunksToLayout(poseChunks(doc.id, doc.tokens.length, opts)), opts.withSources);
  }
}

/** The pose stage as a Node Transform (TokDoc → Sample). */
export function pose(opts: PoseOptions): Transform {
  return builderStage(new PoseBuilder(opts));
}
