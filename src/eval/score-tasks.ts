/**
 * Scoring an eval set: for each sample, one forward pass over prompt + answer (teacher forcing)
 * and, at every answer position, the model's greedy (argmax) next token. Greedy decoding would
 * produce the answer exactly iff every one of those argmaxes is the answer token, so **exact match**
 * here equals exact match of greedy generation on the answer's length, at the cost of one pass.
 * Also reported: the fraction of answer tokens predicted (token accuracy) and the answer's mean
 * NLL. An answer token outside the model's compact vocabulary can never be matched.
 */
import { UserError } from '../util/errors.js';
import { readEvalManifest, readEvalRows, type EvalRow } from './eval-shards.js';
import { logProbsAt, type EvalModel } from './eval-model.js';
import { DEPTH_TASKS, type EvalTask } from './eval-sample.js';

/** The score of one sample. */
export interface SampleScore {
  length: number;
  depth: number;
  exact: boolean;
  tokenAccuracy: number;
  answerNll: number;
}

/** Aggregated scores of one (length, depth) cell. */
export interface CellScore {
  length: number;
  depth: number;
  samples: number;
  exact_match: number;
  token_accuracy: number;
  answer_nll: number;
}

/** The report of one eval set. */
export interface TaskReport {
  dir: string;
  task: EvalTask;
  samples: number;
  exact_match: number;
  token_accuracy: number;
  answer_nll: number;
  /** Per (length, depth); depth −1 for tasks without one. */
  cells: CellScore[];
  /** Per length, over depths. */
  by_length: Array<Omit<CellScore, 'depth'>>;
  scoring: string;
}

/** Scores one sample. */
export async function scoreSample(em: EvalModel, row: EvalRow): Promise<SampleScore> {
  const n = row.inputIds.length;
  const ids = Int32Array.from(row.inputIds, (id) => em.vocab.toModel(id));
  const rows: number[] = [];
  for (let t = row.promptLength - 1; t < n - 1; t++) rows.push(t);
  if (rows.length === 0) throw new UserError(`eval sample with no answer tokens (task ${row.task}, length ${row.length}): regenerate the set`);
  const positions = Int32Array.from({ length: n }, (_, i) => i);
  const lp = logProbsAt(em.model, { inputIds: ids, positions, segments: new Int32Array(n) }, rows);
  const best = lp.argMax(-1);
  try {
    const [values, argmax] = await Promise.all([lp.data(), best.data()]);
    const V = lp.shape[1];
    let hits = 0;
    let nll = 0;
    rows.forEach((t, k) => {
      const target = row.inputIds[t + 1]!;
      const predicted = em.vocab.toTokenizer(argmax[k]!);
      if (predicted === target) hits++;
      nll -= values[k * V + ids[t + 1]!]!;
    });
    return { length: row.length, depth: row.depth, exact: hits === rows.length, tokenAccuracy: hits / rows.length, answerNll: nll / rows.length };
  } finally {
    lp.dispose();
    best.dispose();
  }
}

/** Mean of a field. */
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Aggregates sample scores (grouped by `key`). */
function aggregate(scores: SampleScore[]) {
  return {
    samples: scores.length,
    exact_match: mean(scores.map((s) => (s.exact ? 1 : 0))),
    token_accuracy: mean(scores.map((s) => s.tokenAccuracy)),
    answer_nll: mean(scores.map((s) => s.answerNll)),
  };
}

/** Scores every sample of an eval set (`maxSamples` caps it) and aggregates per cell and per length. */
export async function scoreEvalSet(em: EvalModel, dir: string, opts: { maxSamples?: number; onSample?: (done: number, total: number) => void } = {}): Promise<TaskReport> {
  const m = await readEvalManifest(dir);
  const scores: SampleScore[] = [];
  for await (const row of readEvalRows(dir)) {
    if (opts.maxSamples !== undefined && scores.length >= opts.maxSamples) break;
    scores.push(await scoreSample(em, row));
    opts.onSample?.(scores.length, opts.maxSamples === undefined ? m.totals.rows : Math.min(opts.maxSamples, m.totals.rows));
  }
  const cells = new Map<string, SampleScore[]>();
  const lengths = new Map<number, SampleScore[]>();
  for (const s of scores) {
    const k = `${s.length}/${s.depth}`;
    cells.set(k, [...(cells.get(k) ?? []), s]);
    lengths.set(s.length, [...(lengths.get(s.length) ?? []), s]);
  }
  return {
    dir,
    task: m.eval.task,
    ...aggregate(scores),
    cells: [...cells.values()].map((c) => ({ length: c[0]!.length, depth: c[0]!.depth, ...aggregate(c) })).sort((a, b) => a.length - b.length || a.depth - b.depth),
    by_length: [...lengths.entries()].sort((a, b) => a[0] - b[0]).map(([length, c]) => ({ length, ...aggregate(c) })),
    scoring: DEPTH_TASKS.includes(m.eval.task)
      ? 'exact match of greedy decoding over the answer tokens (teacher-forced argmax), per length × depth'
      : 'exact match of greedy decoding over the canonical answer (teacher-forced argmax); RULER scores references order-free, this is stricter',
  };
}
