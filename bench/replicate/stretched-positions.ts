/**
 * A diagnostic that separates the two things a longer passkey prompt changes: the relative
 * distance between the key and the question (positions) and the number of filler tokens the
 * question attends over (content). It takes the 128-token samples of an eval set and gives their
 * final question tokens positions as if the context were `length` tokens long (a jump of
 * `length − 128` right before the question), with the content unchanged. A model that retrieves
 * here but not on real `length`-token prompts fails on the extra content, not on positions.
 */
import { loadEvalModel, logProbsAt } from '../../src/eval/eval-model.js';
import { readEvalRows } from '../../src/eval/eval-shards.js';
import { PASSKEY_QUESTION } from '../../src/eval/texts.js';
import { disposeModel } from '../../src/train/model.js';
import { loadTokenizer } from '../../src/tokenize/load-tokenizer.js';

/** Exact match of the answer on the 128-token samples of `evalDir`, positions stretched to each of `lengths`. */
export async function stretchedPositions(checkpoint: string, evalDir: string, lengths: number[]): Promise<Array<{ length: number; exact: number; samples: number }>> {
  const em = await loadEvalModel(checkpoint);
  const engine = await loadTokenizer({ name: em.tokenizer.name });
  const question = Array.from((await engine.encodeBatch([`\n${PASSKEY_QUESTION}`]))[0]!);
  const out: Array<{ length: number; exact: number; samples: number }> = [];
  try {
    for (const length of lengths) {
      let hits = 0;
      let n = 0;
      for await (const row of readEvalRows(evalDir)) {
        if (row.length !== 128) continue;
        const N = row.inputIds.length;
        const cut = row.promptLength - question.length;
        if (question.some((id, k) => row.inputIds[cut + k] !== id)) throw new Error(`eval row does not end its prompt with the passkey question`);
        const ids = Int32Array.from(row.inputIds, (id) => em.vocab.toModel(id));
        const positions = Int32Array.from({ length: N }, (_, i) => (i < cut ? i : i + length - 128));
        const rows: number[] = [];
        for (let t = row.promptLength - 1; t < N - 1; t++) rows.push(t);
        const lp = logProbsAt(em.model, { inputIds: ids, positions, segments: new Int32Array(N) }, rows);
        const best = lp.argMax(-1);
        const argmax = await best.data();
        lp.dispose();
        best.dispose();
        if (rows.every((t, k) => em.vocab.toTokenizer(argmax[k]!) === row.inputIds[t + 1])) hits++;
        n++;
      }
      out.push({ length, exact: n ? hits / n : NaN, samples: n });
    }
  } finally {
    disposeModel(em.model);
  }
  return out;
}
