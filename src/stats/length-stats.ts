import { LengthHistogram, type Histogram } from '../shards/histogram.js';
import type { FieldMap } from '../sources/doc.js';
import type { Doc } from '../sources/doc.js';
import type { InputFile } from '../sources/expand-inputs.js';
import { readDocs } from '../sources/read-docs.js';
import type { BosEosPolicy } from '../tokenize/bos-eos-policy.js';
import { encodeDocs } from '../tokenize/encode-docs.js';
import type { TokenizerEngine } from '../tokenize/engine.js';
import { tokenizeOutcome } from '../tokenize/tokenize-stage.js';
import { RejectSink, type OnError } from '../util/reject-sink.js';

/** Options of {@link lengthStats}. */
export interface LengthStatsOptions {
  files: InputFile[];
  fields: FieldMap;
  /** Source name for records without a source field (default: each file's name). */
  name?: string;
  engine: TokenizerEngine;
  /** BOS/EOS added to each document, as a build would (so the lengths match the build's manifest). */
  policy: BosEosPolicy;
  onError: OnError;
  /** Stop after this many documents (a quick look at a large corpus). */
  maxDocs?: number;
  /** Documents per tokenizer call (default 256). */
  batchDocs?: number;
  displayRoot?: string;
  /** Progress: documents measured so far. */
  onDocuments?: (n: number) => void;
}

/** What {@link lengthStats} measured. */
export interface LengthStats {
  /** Histogram of document lengths in tokens, per source, sources sorted by name. */
  sources: Record<string, Histogram>;
  /** All sources together. */
  all: Histogram;
  /** Documents dropped before measuring, by reason (bad records under `skip`, empty texts). */
  dropped: Record<string, number>;
  /** Whether `maxDocs` stopped the reading before the end. */
  truncated: boolean;
}

/**
 * Measures document lengths in tokens, per source (the source field, or the input's name):
 * reads the inputs, tokenizes them in batches exactly as a build does (same BOS/EOS policy), and
 * counts each length into a power-of-two {@link LengthHistogram}. Memory: one batch.
 */
export async function lengthStats(o: LengthStatsOptions): Promise<LengthStats> {
  const rejects = new RejectSink(o.onError, 0);
  const by = new Map<string, LengthHistogram>();
  const all = new LengthHistogram();
  const dropped: Record<string, number> = {};
  const batchDocs = o.batchDocs ?? 256;
  let seen = 0;
  let truncated = false;
  let batch: Doc[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const docs = batch;
    batch = [];
    const encoded = await encodeDocs(o.engine, docs, undefined, o.policy.bos);
    docs.forEach((doc, i) => {
      const r = tokenizeOutcome(doc, encoded[i]!, { policy: o.policy });
      if ('drop' in r) {
        dropped[r.drop] = (dropped[r.drop] ?? 0) + 1;
        return;
      }
      const n = r.doc.tokens.length;
      let h = by.get(doc.source);
      if (!h) by.set(doc.source, (h = new LengthHistogram()));
      h.add(n);
      all.add(n);
    });
    o.onDocuments?.(seen);
  };
  for await (const doc of readDocs(o.files, { fields: o.fields, name: o.name, rejects, displayRoot: o.displayRoot })) {
    if (o.maxDocs !== undefined && seen >= o.maxDocs) {
      truncated = true;
      break;
    }
    seen++;
    batch.push(doc);
    if (batch.length >= batchDocs) await flush();
  }
  await flush();
  for (const [k, v] of Object.entries(rejects.counts)) dropped[k] = (dropped[k] ?? 0) + v;
  const sources: Record<string, Histogram> = {};
  for (const name of [...by.keys()].sort()) sources[name] = by.get(name)!.toJSON();
  return { sources, all: all.toJSON(), dropped, truncated };
}
