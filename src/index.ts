/**
 * skein — long-context pre-training data at build time.
 *
 * The public API, in the order data flows: config (schemas, loading), sources (read corpora as
 * documents), input-plan (a rank's share of the inputs, `[N]` subsets), tokenize (engines, the
 * worker pool, the tokenize stage), mix, samples (sample builders), augment, run (the resumable
 * run loop of a build), output-state (lock, ledger, checkpoints, fingerprints), shards (writer,
 * reader, manifest, HF layout), merge (joining scaled-out ranks) and stats. Every stage is a
 * Node stream, so they compose with `stream.pipeline`.
 * The trainer and the evaluation load TensorFlow.js, so they have their own entry points:
 * `skein/train` (the TensorFlow.js trainer over shards) and `skein/eval` (long-context eval sets
 * and scoring); importing `skein` never loads TensorFlow.js.
 */
export * from './sources/index.js';
export * from './shards/index.js';
export * from './charts/index.js';

export type { TokDoc } from './tokenize/tok-doc.js';
export { ENGINE_KINDS, type EngineKind, type TokenizerEngine, type TokenizerInfo, type TokenizerKind } from './tokenize/engine.js';
export { ENGINE_CHOICES, loadTokenizer, type EngineChoice, type LoadTokenizerOptions } from './tokenize/load-tokenizer.js';
export { cachedHubTokenizer, hfHubCache, isHubModelId, resolveHubTokenizer, type HubTokenizer } from './tokenize/hub-tokenizer.js';
export { resolveTokenizer, tokenizerAlias, OPENAI_ENCODINGS, TOKENIZER_ALIASES, TOKENIZER_HELP, type TokenizerAlias, type TokenizerLocation, type OpenAIEncoding } from './tokenize/resolve-tokenizer.js';
export { applyBosEos, resolveBosEos, type BosEosPolicy } from './tokenize/bos-eos-policy.js';
export { tokenize, TokenizeStage, type TokenizeStageOptions, type TokenizeStats } from './tokenize/tokenize-stage.js';

export type { Sample } from './samples/sample.js';
export { builderStage, emptyBuilderStats, type BuilderStats, type SampleBuilder } from './samples/builder.js';
export { concatChunk, ConcatChunkBuilder, type ConcatChunkOptions } from './samples/concat-chunk.js';
export { pack, PackBuilder, type PackOptions } from './samples/pack.js';
export { truncateMiddle } from './samples/truncate-middle.js';

export * from './augment/index.js';
export { AugmentSchema, UtkAugmentSchema, EodMaskLossAugmentSchema, type AugmentConfig } from './config/augment-schema.js';
export { AUGMENTERS, augmenterFactory, createAugmenters, utkOptionsOf, type AugmenterContext, type AugmenterFactory, type BuildAugmenters } from './setup/augmenter-registry.js';
export { PerDocumentBuilder, gatherSpans, type DocLayout, type LayoutResult } from './samples/per-document.js';
export { pose, PoseBuilder, poseChunks, type PoseOptions, type PoseVariant } from './samples/pose.js';
export {
  chunksToLayout,
  drawLongRecipePose,
  drawPaperPose,
  drawReferencePose,
  longRecipePoseLayout,
  paperPoseLayout,
  referencePoseLayout,
  type LongRecipePoseDraws,
  type PaperPoseDraws,
  type PoseChunk,
  type ReferencePoseDraws,
} from './samples/pose-layout.js';
export { randpos, RandPosBuilder, randomPositions, type RandPosOptions } from './samples/randpos.js';
export * from './samples/longrecipe/index.js';
export { single, SingleBuilder, type SingleOptions } from './samples/single.js';
export { CHAT_TEMPLATES, CHATML_TEMPLATE, chatTemplate, LLAMA3_TEMPLATE, type ChatPart, type ChatTemplate, type ChatTemplateName } from './tokenize/chat-template.js';
export { ChatRenderer, type ChatTokens, type RenderedChat } from './tokenize/chat-render.js';
export { encodeDocs, type EncodedDoc } from './tokenize/encode-docs.js';

export { pipelineJsonSchema, PipelineConfigSchema, type PipelineConfig, type PipelineConfigInput, type BuilderConfig } from './config/config-schema.js';
export { loadConfigFile, loadConfigObject, validateConfig, type LoadedConfig } from './config/load-config.js';
export { runBuild, outputDirOf, SKEIN_VERSION, type BuildOptions, type BuildResult } from './run/run-build.js';
export { progressLine, progressRates, type BuildProgress, type ProgressRates } from './run/progress.js';
export { BUILDERS, builderFactory, type BuilderContext, type BuilderFactory, type RowSemantics } from './setup/builder-registry.js';
export { tap } from './stats/taps.js';


export * from './mix/index.js';
export type { BuilderCarry } from './samples/builder.js';
export type { StateValue } from './util/state-codec.js';
export { resolveScaleOut, rankDir, rankDirName, type ScaleOut } from './input-plan/scale-out.js';
export { mergeBuilds, type MergeOptions } from './merge/merge-builds.js';
export { lengthStats, type LengthStats, type LengthStatsOptions } from './stats/length-stats.js';
export { assignUnits, type WorkUnit } from './input-plan/partition.js';
export { acquireLock, DEFAULT_LOCK_STALE_SECONDS, type AcquireLockOptions, type LockInfo, type OutputLock } from './output-state/output-lock.js';

export { UserError, RecordError, Interrupted, formatLocation, type RecordLocation, type DropReason } from './util/errors.js';
export { RejectSink, type OnError, type Reject } from './util/reject-sink.js';
