import type { Transform } from 'node:stream';
import type { TokDoc } from '../tokenize/tok-doc.js';
import { rngFor, type Rng } from '../util/rng.js';
import { builderStage, checkSeqLen } from './builder.js';
import { PerDocumentBuilder, type DocLayout } from './per-document.js';

/** Options of {@link RandPosBuilder}. */
export interface RandPosOptions {
  /** Tokens per row: each document contributes its first `min(len, seqLen)` tokens. */
  seqLen: number;
  /** Positions are drawn from `[0, targetLen)`; at least `seqLen`. */
  targetLen: number;
  /** The pipeline seed: each document draws from `rngFor(seed, 'randpos', doc.id)`. */
  seed: number;
  /** Record `doc_sources` per row. */
  withSources: boolean;
}

/**
 * `l` distinct positions of `[0, target)` drawn uniformly without replacement, sorted ascending
 * (docs/recipes.md#randpos): Floyd's algorithm (`Rng.sample`, O(l) time and memory) then a numeric
 * sort, O(l log l) whatever the target. Position 0 is not guaranteed to be present.
 */
export function randomPositions(rng: Rng, l: number, target: number): Int32Array {
  if (!Number.isInteger(l) || l < 0 || !Number.isInteger(target) || target < l) throw new RangeError(`randomPositions: cannot draw ${l} of ${target}`);
  return Int32Array.from(rng.sample(target, l)).sort();
}

/**
 * `randpos` (randomized positional encodings, Ruoss et al. 2023, as the PoSE and LongRecipe
 * baselines use it, docs/recipes.md#randpos): each document becomes one row holding its first
 * `L = min(len, seqLen)` tokens, with `L` sorted distinct positions drawn from `[0, targetLen)`.
 */
export class RandPosBuilder extends PerDocumentBuilder {
  constructor(opts: RandPosOptions) {
    checkSeqLen(opts.seqLen);
    if (!Number.isInteger(opts.targetLen) || opts.targetLen < opts.seqLen) throw new Error(`targetLen (${opts.targetLen}) must be an integer ≥ seqLen (${opts.seqLen})`);
    super(
      'randpos',
      (doc: TokDoc): DocLayout => {
        const l = Math.min(doc.tokens.length, opts.seqLen);
        return { spans: [0, l], positions: randomPositions(rngFor(opts.seed, 'randpos', doc.id), l, opts.targetLen) };
      },
      opts.withSources,
    );
  }
}

/** The randpos stage as a Node Transform (TokDoc → Sample). */
export function randpos(opts: RandPosOptions): Transform {
  return builderStage(new RandPosBuilder(opts));
}
