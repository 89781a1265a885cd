/**
 * skein — long-context pre-training data at build time.
 *
 * The public API: sources (read corpora as documents), tokenize (engines and the tokenize
 * stage), build (sample builders), shards (writer, reader, manifest, HF layout) and pipeline
 * (config, run loop). Every stage is a Node stream, so they compose with `stream.pipeline`.
 */
export * from './sources/index.js';
export * from './shards/index.js';

export type { TokDoc } from './tokenize/tok-doc.js';
export type { TokenizerEngine, TokenizerInfo, TokenizerKind } from './tokenize/engine.js';
export { loadTokenizer, type LoadTokenizerOptions } from './tokenize/load-tokenizer.js';
export { resolveTokenizer, OPENAI_ENCODINGS, TOKENIZER_ALIASES, type TokenizerLocation, type OpenAIEncoding } from './tokenize/resolve-tokenizer.js';
export { applyBosEos, resolveBosEos, type BosEosPolicy } from './tokenize/bos-eos-policy.js';
export { tokenize, TokenizeStage, type TokenizeStageOptions, type TokenizeStats } from './tokenize/tokenize-stage.js';

export type { Sample } from './build/sample.js';
export { builderStage, emptyBuilderStats, type BuilderStats, type SampleBuilder } from './build/builder.js';
export { concatChunk, ConcatChunkBuilder, type ConcatChunkOptions } from './build/concat-chunk.js';
export { pack, PackBuilder, type PackOptions } from './build/pack.js';

export { pipelineJsonSchema, PipelineConfigSchema, type PipelineConfig, type PipelineConfigInput, type BuilderConfig } from './pipeline/config-schema.js';
export { loadConfigFile, loadConfigObject, validateConfig, type LoadedConfig } from './pipeline/load-config.js';
export { runBuild, outputDirOf, SKEIN_VERSION, type BuildOptions, type BuildResult } from './pipeline/run-build.js';
export { progressLine, progressRates, type BuildProgress, type ProgressRates } from './pipeline/progress.js';
export { BUILDERS, builderFactory, type BuilderFactory, type RowSemantics } from './pipeline/builder-registry.js';
export { tap } from './pipeline/taps.js';

export { UserError, RecordError, formatLocation, type RecordLocation, type DropReason } from './util/errors.js';
export { RejectSink, type OnError, type Reject } from './util/reject-sink.js';
