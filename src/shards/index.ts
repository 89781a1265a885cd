/** Shards: the Arrow shard format (design.md §4) — writing, the HF layout, the manifest, reading. */
export { columnLayout, columnNames, columnSetFromNames, hfFeatures, shardSchema } from './columns.js';
export type { ColumnName, ColumnSet, ElementDtype, HfSequenceFeature } from './columns.js';
export { checkSample, MAX_BATCH_VALUES, SampleInvariantError, samplesToRecordBatch } from './record-batch.js';
export { DEFAULT_BATCH_ROWS, DEFAULT_BATCH_TOKENS, shardFileName, ShardWriter, writeShards } from './shard-writer.js';
export type { ShardInfo, ShardsWritable, ShardWriterOptions } from './shard-writer.js';
export { hfDatasetInfo, hfState, shardsFingerprint, writeHfLayout } from './hf-layout.js';
export type { HfDatasetInfo, HfState } from './hf-layout.js';
export { MANIFEST_FILE, MANIFEST_FORMAT, MANIFEST_FORMAT_VERSION, readManifest, shardTotals, writeManifest } from './manifest.js';
export type { AttentionMode, Manifest, ManifestBuilder, ManifestInput, ManifestTokenizer, PositionsMode } from './manifest.js';
export { humanSize, LengthHistogram, renderHistogram } from './histogram.js';
export type { Histogram, HistogramBucket } from './histogram.js';
export { positionIds, segmentIds } from './positions.js';
export type { Attention, ReconstructedPositions } from './positions.js';
export { openDataset, verifyShards } from './reader.js';
export type { Dataset, Row, ShardMismatch } from './reader.js';
export { jsonText, syncDir, tempPathFor, writeFileAtomic } from './atomic-file.js';
