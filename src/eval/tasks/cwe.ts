/**
 * RULER common words extraction (docs/training.md#evaluation-sets-skein-gen-eval): 10 common words repeated 30× and n other
 * words 3× each (6× and 1× below 4,096 tokens), shuffled, rendered "1. w 2. w …"; n is the largest
 * that fits. The word pool is the bundled corpus's distinct lowercase words (the spec's wonderwords
 * lists are not bundled). Answer: the 10 common words in the order they first appear in the list.
 * skein adds no in-context example (RULER prepends one).
 */
import { UserError } from '../../util/errors.js';
import { rngFor } from '../../util/rng.js';
import { wordPool } from '../haystack.js';
import { NO_DEPTH, type EvalSample } from '../eval-sample.js';
import { encode, encodePrompt, fitCount, type TaskContext } from '../task-context.js';
import { cwePrompt } from '../texts.js';

/** Number of common words. */
const COMMON = 10;

/** One common-words sample for a length. */
export async function cweSample(ctx: TaskContext, length: number, index: number): Promise<EvalSample> {
  let pool = ctx.cache.get('cwe/pool') as string[] | undefined;
  if (!pool) ctx.cache.set('cwe/pool', (pool = wordPool(ctx.haystack)));
  if (pool.length < COMMON + 1) throw new UserError(`the haystack has only ${pool.length} distinct words; cwe needs more: give a larger --haystack`);
  const order = rngFor(ctx.seed, 'eval/cwe', `${length}/${index}`).shuffle(pool.map((_, i) => i));
  const common = order.slice(0, COMMON).map((i) => pool[i]!);
  const others = order.slice(COMMON).map((i) => pool[i]!);
  const [commonReps, otherReps] = length < 4096 ? [6, 1] : [30, 3];
  const list = (n: number) => {
    const words: string[] = [];
    for (const w of common) for (let r = 0; r < commonReps; r++) words.push(w);
    for (const w of others.slice(0, n)) for (let r = 0; r < otherReps; r++) words.push(w);
    return rngFor(ctx.seed, 'eval/cwe-shuffle', `${length}/${index}/${n}`).shuffle(words);
  };
  const prompt = (n: number) => cwePrompt(list(n).map((w, i) => `${i + 1}. ${w}`).join(' '));
  const answerOf = (n: number) => {
    const firstSeen: string[] = [];
    for (const w of list(n)) if (common.includes(w) && !firstSeen.includes(w)) firstSeen.push(w);
    return ` ${firstSeen.join(' ')}`;
  };
  const size = async (n: number) => (await encodePrompt(ctx, prompt(n))).length + (await encode(ctx, answerOf(n))).length;
  const n = await fitCount(ctx, `cwe/${length}`, size, length, others.length);
  if (n < 0) throw new UserError(`length ${length} is too short for a common-words prompt (it needs ${await size(0)} tokens): raise --lengths`);
  const answer = answerOf(n);
  return { task: 'cwe', promptIds: await encodePrompt(ctx, prompt(n)), answerIds: await encode(ctx, answer), answer, length, depth: NO_DEPTH, index };
}
