import type { TokDoc } from '../tokenize/tok-doc.js';
import { emptyBuilderStats, recordRow, type SampleBuilder } from './builder.js';
import type { Sample } from './sample.js';

/**
 * The sample one document becomes under a position builder: which of its tokens are kept, as
 * `[start, end)` ranges in document order, and the position id of each kept token.
 */
export interface DocLayout {
  /** Flat `[start0, end0, start1, end1, …]` token ranges of the document, in order, non-overlapping. */
  spans: readonly number[];
  /** One position per kept token (the ranges' lengths add up to its length). */
  positions: Int32Array;
}

/** What a layout function returns: the layout, or the reason the document is dropped. */
export type LayoutResult = DocLayout | { drop: string };

/** The tokens (and loss mask, when the document has one) of `doc` inside `spans`, concatenated. */
export function gatherSpans(doc: TokDoc, spans: readonly number[]): { tokens: Int32Array; lossMask?: Uint8Array } {
  let n = 0;
  for (let i = 0; i < spans.length; i += 2) n += spans[i + 1]! - spans[i]!;
  const tokens = new Int32Array(n);
  const lossMask = doc.lossMask ? new Uint8Array(n) : undefined;
  let at = 0;
  for (let i = 0; i < spans.length; i += 2) {
    const s = spans[i]!;
    const e = spans[i + 1]!;
    if (s < 0 || e > doc.tokens.length || e < s) throw new RangeError(`span [${s}, ${e}) outside a document of ${doc.tokens.length} tokens`);
    tokens.set(doc.tokens.subarray(s, e), at);
    lossMask?.set(doc.lossMask!.subarray(s, e), at);
    at += e - s;
  }
  return lossMask ? { tokens, lossMask } : { tokens };
}

/** Whether some position of a row differs from its index (the row trains an extended position). */
export function isExtended(positions: Int32Array): boolean {
  for (let i = 0; i < positions.length; i++) if (positions[i] !== i) return true;
  return false;
}

/**
 * A builder that turns each document into exactly one row with explicit `position_ids`
 * (PoSE, RandPos, LongRecipe: docs/architecture.md#builders-and-augmenters), or drops it with a reason. The document → layout
 * function does the method's work; this class keeps the counters and assembles rows
 * (one document piece per row, never packed, as the references do), counting the rows whose
 * positions are extended (`extendedRows`).
 */
export class PerDocumentBuilder implements SampleBuilder {
  readonly stats = { ...emptyBuilderStats(), extendedRows: 0 };

  constructor(
    readonly name: string,
    private readonly layout: (doc: TokDoc) => LayoutResult,
    private readonly withSources: boolean,
  ) {}

  push(doc: TokDoc): Sample[] {
    const st = this.stats;
    st.documents++;
    st.tokensIn += doc.tokens.length;
    const r = this.layout(doc);
    if ('drop' in r) {
      st.dropped[r.drop] = (st.dropped[r.drop] ?? 0) + 1;
      st.tokensDropped += doc.tokens.length;
      return [];
    }
    const { tokens, lossMask } = gatherSpans(doc, r.spans);
    if (r.positions.length !== tokens.length) throw new Error(`${this.name}: ${r.positions.length} positions for ${tokens.length} tokens (document ${doc.id})`);
    st.written++;
    st.tokensDropped += doc.tokens.length - tokens.length;
    if (isExtended(r.positions)) st.extendedRows = (st.extendedRows ?? 0) + 1;
    const row: Sample & { docSources: string[] } = { inputIds: tokens, docLengths: Int32Array.of(tokens.length), positionIds: r.positions, docSources: [doc.source] };
    if (lossMask) row.lossMask = lossMask;
    return [recordRow(st, row, this.withSources)];
  }

  finish(): Sample[] {
    return [];
  }
}
