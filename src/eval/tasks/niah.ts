/**
 * Needle in a haystack, Kamradt style (docs/training.md#evaluation-sets-skein-gen-eval): the haystack is the corpus (the
 * bundled State of the Union addresses stand in for the Paul Graham essays), truncated in tokens to
 * what fits; the needle (wrapped in "\n") goes in at ⌊depth · len⌋ tokens, moved back to just after
 * the previous sentence-ending period (depth 100 = appended); the text is wrapped in
 * `<book> … </book>` and the question asked. Answer: the needle sentence. Sample i > 0 of a cell
 * starts the haystack at a seeded offset, so repeated samples differ.
 */
import { UserError } from '../../util/errors.js';
import { rngFor } from '../../util/rng.js';
import type { EvalSample } from '../eval-sample.js';
import { encode, encodePrompt, type TaskContext } from '../task-context.js';
import { NIAH_ANSWER, NIAH_NEEDLE, niahPrompt } from '../texts.js';

/** The corpus as one token stream (cached per run). */
async function haystackTokens(ctx: TaskContext): Promise<Int32Array> {
  let ids = ctx.cache.get('niah/tokens') as Int32Array | undefined;
  if (!ids) {
    ids = await encode(ctx, ctx.haystack.join('\n\n'));
    if (ids.length === 0) throw new UserError('the haystack is empty: give a --haystack with text');
    ctx.cache.set('niah/tokens', ids);
  }
  return ids;
}

/** Whether a token's text ends a sentence (ends with "."), cached per id. */
async function endsSentence(ctx: TaskContext, id: number): Promise<boolean> {
  const key = `niah/period/${id}`;
  let v = ctx.cache.get(key) as boolean | undefined;
  if (v === undefined) {
    v = (await ctx.engine.decode([id])).trimEnd().endsWith('.');
    ctx.cache.set(key, v);
  }
  return v;
}

/** `count` haystack tokens starting at `start`, wrapping around the corpus. */
function take(hay: Int32Array, start: number, count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = hay[(start + i) % hay.length]!;
  return out;
}

/** One NIAH sample for a (length, depth) cell. */
export async function niahSample(ctx: TaskContext, length: number, depth: number, index: number): Promise<EvalSample> {
  const hay = await haystackTokens(ctx);
  const start = index === 0 ? 0 : rngFor(ctx.seed, 'eval/niah', `${length}/${depth}/${index}`).int(0, hay.length - 1);
  const needle = await encode(ctx, `\n${NIAH_NEEDLE}\n`);
  const answerIds = await encode(ctx, NIAH_ANSWER);
  const overhead = (await encodePrompt(ctx, niahPrompt(''))).length + needle.length + answerIds.length;
  let budget = length - overhead;
  for (let attempt = 0; attempt < 20 && budget > 0; attempt++) {
    const context = take(hay, start, budget);
    let at = depth >= 100 ? budget : Math.floor((depth / 100) * budget);
    if (depth < 100) while (at > 0 && !(await endsSentence(ctx, context[at - 1]!))) at--;
    const ids = new Int32Array(budget + needle.length);
    ids.set(context.subarray(0, at));
    ids.set(needle, at);
    ids.set(context.subarray(at), at + needle.length);
    const promptIds = await encodePrompt(ctx, niahPrompt(await ctx.engine.decode(ids)));
    const over = promptIds.length + answerIds.length - length;
    if (over <= 0) return { task: 'niah', promptIds, answerIds, answer: NIAH_ANSWER, length, depth, index };
    budget -= over; // re-tokenizing the decoded text can merge or split tokens at the joins
  }
  throw new UserError(`length ${length} is too short for a needle-in-a-haystack prompt (it needs more than ${overhead} tokens): raise --lengths`);
}
