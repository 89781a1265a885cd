/**
 * `skein/train`: the TensorFlow.js trainer over skein shards (model, data loader, optimizer,
 * checkpoints, backends, RoPE bounds). Importing it loads TensorFlow.js.
 */
export { train, readTrainLog, modelConfigOf, type TrainOptions, type TrainResult, type StepLog, type EvalLog } from './trainer.js';
export { resolveSettings, type TrainSettings, type TrainSettingsInput } from './settings.js';
export { PRESETS, ropeConfig, parameterCount, trainFlopsPerToken, type ModelConfig, type RopeConfig, type RopeScaling, type Preset, type PresetName } from './config.js';
export { initModel, logits, tokenNll, weightedLoss, modelInputs, disposeInputs, disposeModel, countParameters, type Model, type ModelInputs } from './model.js';
export { selectBackend, BACKENDS, type BackendName, type BackendChoice } from './backend.js';
export { saveCheckpoint, loadCheckpoint, decodeCheckpoint, modelFromCheckpoint, resolveCheckpointDir, type Checkpoint, type TrainState, type DataPosition } from './checkpoint.js';
export { readCheckpointFiles, type CheckpointFiles, type FileDigest } from './checkpoint-files.js';
export { trainStepBytes, checkTrainMemory, backendBudget, WASM_BUDGET_BYTES } from './memory-estimate.js';
export { probeBackend } from './backend.js';
export { nativeStatus, nativeDir, NATIVE_VARIANTS, TFJS_NODE_VERSION, DEFAULT_TF_VERSION, type NativeVariant, type NativeInstall, type NativeStatus } from './native/install-layout.js';
export { setupNative, type SetupOptions, type SetupResult } from './native/setup-native.js';
export { ropeFrequencies, ropeTables, type RopeFrequencies } from './rope.js';
export { extrapolationBound, longContextBound, type ExtrapolationBound, type LongContextBound } from './rope-base.js';
export { rowWindows, makeBatch, type Window, type HostBatch } from './windows.js';
export { epochWindows, trainingWindows, type LoaderOptions } from './data-loader.js';
export { vocabFromSpec, TokenCounter, type Vocab, type VocabSpec } from './vocab.js';
export { AdamW, type AdamWOptions } from './adamw.js';
