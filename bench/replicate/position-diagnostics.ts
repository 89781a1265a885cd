/**
 * Two diagnostics that separate what a longer passkey prompt changes for the model: the relative
 * distance between the key and the question (positions) and the number of filler tokens
 * attention spreads over (content).
 *
 * - *stretched positions*: the 128-token samples, content unchanged, with the question's tokens
 *   given the positions they would have in a `length`-token context (a jump of `length − 128`
 *   right before the question). Long distances, short content.
 * - *fillers hidden*: the real `length`-token samples, positions unchanged, with every filler
 *   token in its own attention segment, so that the task line, the key line and the question see
 *   only each other. Long distances, short content again, but the model's own positions.
 *
 * A model that retrieves in both but not on the real prompts fails on the extra content, not on
 * positions; one that fails in both does not extend its positions.
 */
import { loadEvalModel, logProbsAt, type EvalModel } from '../../src/eval/eval-model.js';
import { readEvalRows, type EvalRow } from '../../src/eval/eval-shards.js';
import { PASSKEY_QUESTION, PASSKEY_TASK, passkeyLine } from '../../src/eval/texts.js';
import { disposeModel } from '../../src/train/model.js';
import { loadTokenizer } from '../../src/tokenize/load-tokenizer.js';

/** Exact match per length of one diagnostic. */
export type DiagnosticScores = Record<number, number>;

/** Whether the model's greedy answer to `row` is exact, with the given positions and segments. */
async function exact(em: EvalModel, row: EvalRow, positions: Int32Array, segments: Int32Array): Promise<boolean> {
  const ids = Int32Array.from(row.inputIds, (id) => em.vocab.toModel(id));
  const rows: number[] = [];
  for (let t = row.promptLength - 1; t < row.inputIds.length - 1; t++) rows.push(t);
  const lp = logProbsAt(em.model, { inputIds: ids, positions, segments }, rows);
  const best = lp.argMax(-1);
  const argmax = await best.data();
  lp.dispose();
  best.dispose();
  return rows.every((t, k) => em.vocab.toTokenizer(argmax[k]!) === row.inputIds[t + 1]);
}

/** Index of the first occurrence of `needle` in `hay` at or after `from`, or −1. */
function indexOf(hay: Int32Array, needle: number[], from = 0): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/** Runs both diagnostics on the passkey eval set `evalDir` for the checkpoint, at each of `lengths`. */
export async function positionDiagnostics(checkpoint: string, evalDir: string, lengths: number[]): Promise<{ stretched: DiagnosticScores; fillersHidden: DiagnosticScores }> {
  const em = await loadEvalModel(checkpoint);
  const engine = await loadTokenizer({ name: em.tokenizer.name });
  const enc = async (t: string) => Array.from((await engine.encodeBatch([t]))[0]!);
  // A line's final "." and the newline after it are one token in context (".\n"), so the lines are
  // matched without their last token, and the question (which follows a newline) without one.
  const question = await enc(PASSKEY_QUESTION);
  const task = await enc(PASSKEY_TASK);
  const stretched: DiagnosticScores = {};
  const fillersHidden: DiagnosticScores = {};
  const hits = new Map<string, { ok: number; n: number }>();
  const count = (k: string, ok: boolean) => {
    const h = hits.get(k) ?? { ok: 0, n: 0 };
    h.n++;
    if (ok) h.ok++;
    hits.set(k, h);
  };
  try {
    for await (const row of readEvalRows(evalDir)) {
      const N = row.inputIds.length;
      const cut = row.promptLength - question.length;
      if (indexOf(row.inputIds, question, cut) !== cut) throw new Error('an eval row does not end its prompt with the passkey question');
      if (row.length === 128) {
        for (const length of lengths) {
          const positions = Int32Array.from({ length: N }, (_, i) => (i < cut ? i : i + length - 128));
          count(`s${length}`, await exact(em, row, positions, new Int32Array(N)));
        }
      }
      if (lengths.includes(row.length)) {
        // Segment 0: BOS, the task line, the key line, the question and answer; 1: every filler token.
        const key = await enc(passkeyLine(Number(row.answer.trim())));
        const taskAt = indexOf(row.inputIds, task.slice(0, -1));
        const keyAt = indexOf(row.inputIds, key.slice(0, -1));
        if (taskAt < 0 || keyAt < 0) throw new Error('an eval row lacks the task line or the key line as whole tokens');
        const visible = (i: number) => i < taskAt + task.length || (i >= keyAt && i < keyAt + key.length) || i >= cut;
        const segments = Int32Array.from({ length: N }, (_, i) => (visible(i) ? 0 : 1));
        count(`h${row.length}`, await exact(em, row, Int32Array.from({ length: N }, (_, i) => i), segments));
      }
    }
  } finally {
    disposeModel(em.model);
  }
  for (const length of lengths) {
    const s = hits.get(`s${length}`);
    const h = hits.get(`h${length}`);
    stretched[length] = s ? s.ok / s.n : NaN;
    fillersHidden[length] = h ? h.ok / h.n : NaN;
  }
  return { stretched, fillersHidden };
}
