import type { Sample } from '../../src/samples/sample.js';
import type { UtkMarkerIds } from '../../src/augment/utk/assemble.js';
import { defaultKnotTokens, DEFAULT_SORT_TOKENS, type UtkOptions } from '../../src/augment/utk/config.js';

/** Knot ids for up to 4 chunks: [end1, start1, end2, start2, end3, start3]. */
export const KNOTS = Int32Array.from([1000, 1001, 1002, 1003, 1004, 1005]);
/** Sort marker ids. */
export const SORT = { open: 1010, close: 1011, summaryOpen: 1012, summarySep: 1013, summaryClose: 1014 };
/** Marker ids for documents of up to `m` chunks. */
export const markersFor = (m: number, sort = true): UtkMarkerIds => ({ knots: KNOTS.slice(0, 2 * (m - 1)), sort: sort ? SORT : null });
/** ID tokens are 2000 + char code: disjoint from markers and from content tokens (≥ 100000). */
export const ID_BASE = 2000;
/** Content tokens are ≥ CONTENT_BASE, unique per input position. */
export const CONTENT_BASE = 100_000;
export const isMarker = (t: number): boolean => t >= 1000 && t < 1100;
export const isIdToken = (t: number): boolean => t >= ID_BASE && t < ID_BASE + 200;
export const isContent = (t: number): boolean => t >= CONTENT_BASE;

/** A synchronous stand-in for the tokenizer: one token per ID character. */
export function encodeIdSync(s: string): Int32Array {
  return Int32Array.from(s, (c) => ID_BASE + c.charCodeAt(0));
}

/** The async encoder UtkAugmenter takes, over {@link encodeIdSync}. */
export async function encodeIds(texts: readonly string[]): Promise<Int32Array[]> {
  return texts.map(encodeIdSync);
}

/** A row of documents with the given lengths; token at input position p is CONTENT_BASE + p. */
export function rowOf(lengths: readonly number[], withSources = true): Sample {
  const total = lengths.reduce((a, b) => a + b, 0);
  const s: Sample = { inputIds: Int32Array.from({ length: total }, (_, p) => CONTENT_BASE + p), docLengths: Int32Array.from(lengths) };
  if (withSources) s.docSources = lengths.map((_, d) => `src${d}`);
  return s;
}

/** UtK options for tests: the paper-like defaults unless overridden. */
export function utkOpts(over: Partial<UtkOptions> = {}): UtkOptions {
  const variants = over.variants ?? [
    [1, 0, 0],
    [0, 0.5, 0.5],
  ];
  return {
    variantProbs: [0.2, 0.8],
    variants,
    useLengthSampler: true,
    preservePartialOrder: true,
    addSortTask: true,
    skyworkInterleave: false,
    knotTokens: defaultKnotTokens(variants[0]!.length),
    sortTokens: DEFAULT_SORT_TOKENS,
    maskMarkers: true,
    ...over,
  };
}

/**
 * A direct port of the UtK reference code's `__getitem__` loss masking (with `eod_mask_loss = True`) on the
 * Megatron input-aligned convention: `out` is the whole window, tokens = out[:-1],
 * labels = out[1:], and the result has one entry per input position. Used as the independent
 * reference the label-aligned implementation is checked against.
 */
export function megatronUtkLossMask(out: Int32Array, m: UtkMarkerIds, eod: number | undefined, sortTask: boolean): Float64Array {
  const tokens = out.subarray(0, out.length - 1);
  const labels = out.subarray(1);
  const loss = new Float64Array(tokens.length).fill(1);
  if (eod !== undefined) for (let p = 0; p < tokens.length; p++) if (tokens[p] === eod) loss[p] = 0;
  for (const k of m.knots) {
    for (let p = 0; p < tokens.length; p++) {
      if (tokens[p] === k) loss[p] = 0;
      if (labels[p] === k) loss[p] = 0;
    }
  }
  if (sortTask && m.sort) {
    const s = m.sort;
    const starts: number[] = [];
    const ends: number[] = [];
    tokens.forEach((t, p) => {
      if (t === s.open) starts.push(p);
      if (t === s.close) ends.push(p);
    });
    if (ends.length === starts.length - 1) ends.push(tokens.length - 1);
    for (let i = 0; i < Math.min(starts.length, ends.length); i++) for (let p = starts[i]!; p <= ends[i]!; p++) loss[p] = 0;
    for (let p = 0; p < tokens.length; p++) {
      if (labels[p] === s.open) loss[p] = 0;
      if (tokens[p] === s.summaryClose) loss[p] = 0;
      if (labels[p] === s.summaryOpen) loss[p] = 0;
    }
  }
  return loss;
}
