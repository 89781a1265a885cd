import type { Sample } from '../../samples/sample.js';
import { rngFor, type Rng } from '../../util/rng.js';
import { lossMaskOf, type Augmenter } from '../augmenter.js';
import { assembleRow, truncateRow, type UtkMarkerIds } from './assemble.js';
import { checkUtkOptions, type UtkOptions } from './config.js';
import { maskUtkMarkers } from './loss-mask.js';
import type { UtkMarkers } from './markers.js';
import { isChunked, planRow, usedIds, type UtkPlan } from './plan.js';

/** Encodes chunk-ID strings into token ids, in order (a tokenizer engine's `encodeBatch`). */
export type IdEncoder = (texts: readonly string[]) => Promise<Int32Array[]>;

/** Counters of the UtK augmenter, recorded in the manifest. */
export interface UtkStats {
  [counter: string]: number;
  /** Rows seen. */
  rows: number;
  /** Rows in which at least one document was cut into several chunks. */
  augmented_rows: number;
  /** Documents (row pieces) seen / cut into several chunks. */
  documents: number;
  chunked_documents: number;
  /** Chunks emitted (before truncation). */
  chunks: number;
  /**
   * Marker and ID tokens inserted (knots, headers, summaries); the truncation back to the row
   * length cuts as many tokens off the end of the rebuilt row.
   */
  inserted_tokens: number;
}

/**
 * Applies UtK to one row given its plan and the tokens of its chunk IDs (by slot): assembles the
 * rebuilt row, applies the §1.5 loss masking when `maskMarkers` is on, and truncates back to the
 * input length. Pure and synchronous: {@link UtkAugmenter} draws the plan and encodes the IDs.
 */
export function applyPlan(row: Sample, plan: UtkPlan, markers: UtkMarkerIds, ids: ReadonlyArray<Int32Array | null>, o: UtkOptions): { row: Sample; inserted: number } {
  const withMask = o.maskMarkers || row.lossMask !== undefined;
  const source = withMask && !row.lossMask ? { ...row, lossMask: lossMaskOf(row) } : row;
  const a = assembleRow(source, plan, markers, ids, o);
  if (o.maskMarkers) maskUtkMarkers(a.inputIds, a.lossMask!, markers);
  return { row: truncateRow(a, row.inputIds.length), inserted: a.inserted };
}

/**
 * Untie the Knots (docs/recipes.md#utk; the reference's `denoise_text_multi_hop`) on built rows: the row's
 * document pieces are cut into chunks, chunks of all documents are shuffled together (the last
 * chunk of the last document stays last), knot markers mark chunk boundaries, and with
 * backtracing each chunk gets a random 6-character ID header and each document's last-appearing
 * chunk is followed by the IDs of its chunks in original order. The result is cut back to the
 * row's length. Every random choice of row `ordinal` comes from `rngFor(seed, 'utk', ordinal)`.
 *
 * The output row's pieces (`doc_lengths`) are the emitted chunks, each with its markers, and
 * `doc_sources` names each chunk's document source. Read such rows with causal attention over
 * continuous positions: chunks of one document are separated by other documents.
 */
export class UtkAugmenter implements Augmenter {
  readonly name = 'utk';
  readonly stats: UtkStats = { rows: 0, augmented_rows: 0, documents: 0, chunked_documents: 0, chunks: 0, inserted_tokens: 0 };

  /**
   * @param opts resolved options (checked with {@link checkUtkOptions}).
   * @param markers token ids of the knot and backtracing markers (see `resolveUtkMarkers`).
   * @param encodeIds encodes chunk-ID strings (the build's tokenizer: IDs are ordinary text).
   * @param seed the pipeline seed.
   * @param markerInfo how the markers were resolved on the tokenizer (recorded in the manifest), when they were.
   */
  constructor(
    readonly opts: UtkOptions,
    private readonly markers: UtkMarkerIds,
    private readonly encodeIds: IdEncoder,
    private readonly seed: number,
    readonly markerInfo?: UtkMarkers,
  ) {
    checkUtkOptions(opts);
    if (!opts.skyworkInterleave && markers.knots.length !== opts.knotTokens.length) throw new Error(`UtkAugmenter: ${markers.knots.length} knot ids for ${opts.knotTokens.length} knot tokens`);
    if (opts.addSortTask && !opts.skyworkInterleave && !markers.sort) throw new Error('UtkAugmenter: backtracing needs the sort marker ids');
  }

  /** The Rng of row `ordinal`. */
  rngOf(ordinal: number): Rng {
    return rngFor(this.seed, 'utk', ordinal);
  }

  async apply(row: Sample, ordinal: number): Promise<Sample> {
    const plan = planRow(row.docLengths, this.rngOf(ordinal), this.opts);
    const wanted = usedIds(plan);
    const texts: string[] = [];
    for (const s of wanted) if (s !== null) texts.push(s);
    const encoded = texts.length ? await this.encodeIds(texts) : [];
    let k = 0;
    const ids = wanted.map((s) => (s === null ? null : encoded[k++]!));
    const { row: out, inserted } = applyPlan(row, plan, this.markers, ids, this.opts);
    const st = this.stats;
    st.rows++;
    st.documents += row.docLengths.length;
    let chunked = 0;
    for (let d = 0; d < row.docLengths.length; d++) if (isChunked(plan, d)) chunked++;
    st.chunked_documents += chunked;
    if (chunked > 0) st.augmented_rows++;
    st.chunks += plan.placement.order.length;
    st.inserted_tokens += inserted;
    return out;
  }
}
