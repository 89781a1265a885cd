/**
 * RULER frequent words extraction (docs/training.md#evaluation-sets-skein-gen-eval): a vocabulary of length/50 random 6-letter
 * lowercase "coded words" with Zipf counts count_k = ⌊n · k^(−α) / ζ(α)⌋, α = 2; the rank-1 word
 * is replaced by "..." (the prompt says to ignore the dots); shuffled; n grows until the prompt
 * fills the length. Answer: the words of ranks 2–4, in rank order.
 */
import { UserError } from '../../util/errors.js';
import { rngFor } from '../../util/rng.js';
import { NO_DEPTH, type EvalSample } from '../eval-sample.js';
import { encode, encodePrompt, fitCount, type TaskContext } from '../task-context.js';
import { fwePrompt } from '../texts.js';

/** Zipf exponent α and ζ(α) for α = 2. */
const ALPHA = 2;
const ZETA = (Math.PI * Math.PI) / 6;

/** One frequent-words sample for a length. */
export async function fweSample(ctx: TaskContext, length: number, index: number): Promise<EvalSample> {
  const rng = rngFor(ctx.seed, 'eval/fwe', `${length}/${index}`);
  const vocab: string[] = [];
  const size = Math.max(4, Math.floor(length / 50));
  while (vocab.length < size) {
    const w = Array.from({ length: 6 }, () => String.fromCharCode(97 + rng.int(0, 25))).join('');
    if (!vocab.includes(w)) vocab.push(w);
  }
  const text = (n: number) => {
    const words: string[] = [];
    vocab.forEach((w, k) => {
      const count = Math.floor((n * Math.pow(k + 1, -ALPHA)) / ZETA);
      for (let r = 0; r < count; r++) words.push(k === 0 ? '...' : w);
    });
    return rngFor(ctx.seed, 'eval/fwe-shuffle', `${length}/${index}/${n}`).shuffle(words).join(' ');
  };
  const answer = ` ${vocab.slice(1, 4).join(' ')}`;
  const answerIds = await encode(ctx, answer);
  const tokens = async (n: number) => (await encodePrompt(ctx, fwePrompt(text(n)))).length + answerIds.length;
  const n = await fitCount(ctx, `fwe/${length}`, tokens, length, 4 * length);
  if (n < 0) throw new UserError(`length ${length} is too short for a frequent-words prompt (it needs ${await tokens(0)} tokens): raise --lengths`);
  return { task: 'fwe', promptIds: await encodePrompt(ctx, fwePrompt(text(n))), answerIds, answer, length, depth: NO_DEPTH, index };
}
