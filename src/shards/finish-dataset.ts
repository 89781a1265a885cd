import type { TokenizerInfo } from '../tokenize/engine.js';
import { UserError } from '../util/errors.js';
import { SKEIN_VERSION } from '../util/version.js';
import { columnNames, type ColumnSet } from './columns.js';
import { shardsFingerprint, writeHfLayout } from './hf-layout.js';
import { LengthHistogram, type Histogram } from './histogram.js';
import { MANIFEST_FORMAT, MANIFEST_FORMAT_VERSION, shardTotals, writeManifest, type AttentionMode, type Manifest, type ManifestBuilder, type PositionsMode } from './manifest.js';
import type { ShardInfo } from './shard-writer.js';

/**
 * What a dataset folder written through the stream API says about its rows: how to read them
 * (attention, positions) and, when known, how they were made. `skein build` writes all of this
 * itself; a pipeline composed from streams passes it to `writeShards({ dataset })`.
 */
export interface DatasetDescription {
  /** `causal` (full causal attention over the row) or `document` (each document piece sees only itself). */
  attention: AttentionMode;
  /** `continuous`, `reset` (restart at 0 per document piece) or `explicit` (the `position_ids` column). */
  positions: PositionsMode;
  /** The tokenizer (`loadTokenizer(...).info`), with whether BOS / EOS were added. */
  tokenizer?: TokenizerInfo & { addBos?: boolean; addEos?: boolean };
  /** The builder that made the rows and its options (`{ name: 'pack', seq_len: 8192 }`). */
  builder?: ManifestBuilder;
  /** The seed of its random choices, if any. */
  seed?: number;
  /** Documents read, written and dropped by reason, when counted. */
  documents?: Manifest['documents'];
}

/**
 * Finishes a dataset folder whose shards are written: `manifest.json`, `state.json` and
 * `dataset_info.json`, so that `openDataset(dir)`, `skein inspect` and
 * `datasets.load_from_disk(dir)` open it. Fields a stream pipeline does not know are written as
 * such: `config` null, empty `inputs` and `sources`, and a document histogram without counts.
 * `sampleTokens` is the histogram of row lengths (`writeShards` counts it as rows pass).
 */
export async function finishDataset(dir: string, shards: readonly ShardInfo[], columns: ColumnSet, d: DatasetDescription, sampleTokens: Histogram = new LengthHistogram().toJSON()): Promise<Manifest> {
  if (d.positions === 'explicit' && !columns.positionIds) throw new UserError('positions "explicit" needs the position_ids column: set columns.positionIds');
  const totals = shardTotals(shards);
  const seqLen = d.builder?.seq_len ?? sampleTokens.max;
  const t = d.tokenizer;
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    format_version: MANIFEST_FORMAT_VERSION,
    skein_version: SKEIN_VERSION,
    config: null,
    seed: d.seed ?? 0,
    tokenizer: t
      ? { name: t.name, kind: t.kind, source: t.source, engine: t.engine, vocab_size: t.vocabSize, special_ids: t.specialIds, sha256: t.sha256, add_bos: t.addBos ?? false, add_eos: t.addEos ?? false, special_text: 'plain' }
      : { name: 'unknown', kind: 'tokenizer.json', source: 'unknown', vocab_size: 0, special_ids: {}, sha256: '', add_bos: false, add_eos: false, special_text: 'plain' },
    builder: d.builder ?? { name: 'stream', seq_len: seqLen },
    attention: d.attention,
    positions: d.positions,
    columns: columnNames(columns),
    shards: [...shards],
    totals,
    documents: d.documents ?? { read: 0, written: 0, dropped: {} },
    inputs: [],
    sources: {},
    histograms: { document_tokens: new LengthHistogram().toJSON(), sample_tokens: sampleTokens },
    packing: { rows: totals.rows, tokens: totals.tokens, capacity_tokens: totals.rows * seqLen, fill: totals.rows && seqLen ? totals.tokens / (totals.rows * seqLen) : 0, split_documents: 0 },
    rejects: { file: null, count: 0 },
    resume: { complete: true },
  };
  await writeHfLayout(dir, shards, columns, shardsFingerprint(shards));
  await writeManifest(dir, manifest);
  return manifest;
}
