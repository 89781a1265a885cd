/**
 * `skein/eval`: long-context evaluation sets (passkey, NIAH, RULER-style vt/cwe/fwe) written as
 * skein shards, and their scoring against a trained checkpoint. Importing it loads TensorFlow.js.
 */
export { generateEvalSet, DEFAULT_DEPTHS, type GenEvalOptions } from './gen-eval.js';
export { EVAL_TASKS, type EvalTask, type EvalSample } from './eval-sample.js';
export { readEvalRows, readEvalManifest, writeEvalSet, evalSchema, type EvalRow, type EvalManifest, type EvalSetInfo } from './eval-shards.js';
export { runEval, type RunEvalOptions, type EvalReport } from './run-eval.js';
export { scoreEvalSet, scoreSample, type TaskReport, type CellScore, type SampleScore } from './score-tasks.js';
export { perplexityByPosition, type PerplexityReport, type PositionBucket } from './perplexity.js';
export { loadEvalModel, type EvalModel } from './eval-model.js';
