/**
 * RULER variable tracking (docs/training.md#evaluation-sets-skein-gen-eval, one chain, four hops): five distinct variable
 * names of 5 random uppercase letters; "VAR A = 12345" (a 5-digit value), then "VAR B = VAR A", …;
 * the chain lines go, in order, at sorted random line positions of a `noise` haystack (the filler,
 * one per line) sized to fit the length. Answer: the five names in chain order, space-separated.
 * skein adds no in-context example (RULER prepends one).
 */
import { UserError } from '../../util/errors.js';
import { rngFor } from '../../util/rng.js';
import { NO_DEPTH, type EvalSample } from '../eval-sample.js';
import { encode, encodePrompt, fitCount, type TaskContext } from '../task-context.js';
import { FILLER, vtPrompt } from '../texts.js';

/** Hops after the first assignment (RULER default 4: five variables). */
const HOPS = 4;

/** One variable-tracking sample for a length. */
export async function vtSample(ctx: TaskContext, length: number, index: number): Promise<EvalSample> {
  const rng = rngFor(ctx.seed, 'eval/vt', `${length}/${index}`);
  const names: string[] = [];
  while (names.length < HOPS + 1) {
    const name = Array.from({ length: 5 }, () => String.fromCharCode(65 + rng.int(0, 25))).join('');
    if (!names.includes(name)) names.push(name);
  }
  const value = String(rng.int(10000, 99999));
  const chain = names.map((n, i) => (i === 0 ? `VAR ${n} = ${value}` : `VAR ${n} = VAR ${names[i - 1]}`));
  const prompt = (n: number) => {
    const lines: string[] = Array.from({ length: n }, () => FILLER);
    const pos = rngFor(ctx.seed, 'eval/vt-positions', `${length}/${index}/${n}`);
    const at = chain.map(() => pos.int(0, n)).sort((a, b) => a - b);
    for (let i = chain.length - 1; i >= 0; i--) lines.splice(at[i]!, 0, chain[i]!);
    return vtPrompt(lines.join('\n'), value, chain.length);
  };
  const answer = ` ${names.join(' ')}`;
  const answerIds = await encode(ctx, answer);
  const size = async (n: number) => (await encodePrompt(ctx, prompt(n))).length + answerIds.length;
  const n = await fitCount(ctx, `vt/${length}`, size, length, Math.ceil(length / 4));
  if (n < 0) throw new UserError(`length ${length} is too short for a variable-tracking prompt (it needs ${await size(0)} tokens): raise --lengths`);
  return { task: 'vt', promptIds: await encodePrompt(ctx, prompt(n)), answerIds, answer, length, depth: NO_DEPTH, index };
}
