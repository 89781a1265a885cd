/** The long-context tasks `skein gen-eval` generates (docs/training.md#evaluation-sets-skein-gen-eval). */
export const EVAL_TASKS = ['passkey', 'niah', 'vt', 'cwe', 'fwe'] as const;
/** One task name. */
export type EvalTask = (typeof EVAL_TASKS)[number];

/** Tasks whose samples place a needle at a depth (scored per length × depth). */
export const DEPTH_TASKS: readonly EvalTask[] = ['passkey', 'niah'];

/** Depth value of samples of tasks without a depth. */
export const NO_DEPTH = -1;

/**
 * One evaluation sample: a prompt and the answer a model must continue it with. Stored in an
 * eval shard as one row, `input_ids = prompt ++ answer` with `loss_mask` 1 on the answer.
 */
export interface EvalSample {
  task: EvalTask;
  promptIds: Int32Array;
  answerIds: Int32Array;
  /** The answer text (what answerIds encode). */
  answer: string;
  /** The requested context length in tokens: prompt + answer ≤ length. */
  length: number;
  /** Needle depth in percent of the context (0 = start, 100 = end), or {@link NO_DEPTH}. */
  depth: number;
  /** Ordinal of the sample within its (length, depth) cell. */
  index: number;
}
