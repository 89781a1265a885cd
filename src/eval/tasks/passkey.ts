/**
 * Passkey retrieval (docs/training.md#evaluation-sets-skein-gen-eval): task line, `prefix` fillers, the pass-key line,
 * `suffix` fillers, the question; lines joined by "\n", fillers concatenated without a separator;
 * K uniform in 1…50000 (the code's range). The filler count is the largest that fits the length
 * (measured in real tokens, not the spec's 25-tokens-per-filler estimate), and the depth fixes the
 * split: prefix = round(n · depth / 100). Answer: " K".
 */
import { UserError } from '../../util/errors.js';
import { rngFor } from '../../util/rng.js';
import type { EvalSample } from '../eval-sample.js';
import { encode, encodePrompt, fitCount, type TaskContext } from '../task-context.js';
import { FILLER, PASSKEY_QUESTION, PASSKEY_TASK, passkeyLine } from '../texts.js';

/** The passkey prompt text with `n` fillers split at `depth` percent. */
export function passkeyPrompt(key: number, n: number, depth: number): string {
  const prefix = Math.round((n * depth) / 100);
  return [PASSKEY_TASK, FILLER.repeat(prefix), passkeyLine(key), FILLER.repeat(n - prefix), PASSKEY_QUESTION].join('\n');
}

/** One passkey sample for a (length, depth) cell. */
export async function passkeySample(ctx: TaskContext, length: number, depth: number, index: number): Promise<EvalSample> {
  const key = rngFor(ctx.seed, 'eval/passkey', `${length}/${depth}/${index}`).int(1, 50000);
  const answer = ` ${key}`;
  const answerIds = await encode(ctx, answer);
  const size = async (n: number) => (await encodePrompt(ctx, passkeyPrompt(key, n, depth))).length + answerIds.length;
  const n = await fitCount(ctx, `passkey/${length}`, size, length, Math.ceil(length / 4));
  if (n < 0) throw new UserError(`length ${length} is too short for a passkey prompt (it needs ${await size(0)} tokens): raise --lengths`);
  return { task: 'passkey', promptIds: await encodePrompt(ctx, passkeyPrompt(key, n, depth)), answerIds, answer, length, depth, index };
}
