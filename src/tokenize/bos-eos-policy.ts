import { UserError } from '../util/errors.js';
import type { TokenizerInfo } from './engine.js';

/** Whether each document gets a BOS before and an EOS after its tokens. */
export interface BosEosPolicy {
  bos?: number;
  eos?: number;
}

/**
 * Resolves the BOS/EOS policy. `auto` adds BOS when the tokenizer has one (Llama style: the
 * Fu et al. / LCEG layout is `[BOS] + tokens`), and adds EOS only when there is no BOS (OpenAI
 * encodings), so that documents are always delimited. `true` demands the token exist.
 */
export function resolveBosEos(info: TokenizerInfo, addBos: boolean | 'auto', addEos: boolean | 'auto'): BosEosPolicy {
  const { bos, eos } = info.specialIds;
  const wantBos = addBos === 'auto' ? bos !== undefined : addBos;
  const wantEos = addEos === 'auto' ? bos === undefined && eos !== undefined : addEos;
  if (wantBos && bos === undefined) throw new UserError(`tokenizer ${info.name} has no BOS token; set tokenizer.add_bos to false or name one with tokenizer.bos_token`);
  if (wantEos && eos === undefined) throw new UserError(`tokenizer ${info.name} has no EOS token; set tokenizer.add_eos to false or name one with tokenizer.eos_token`);
  return { bos: wantBos ? bos : undefined, eos: wantEos ? eos : undefined };
}

/** Wraps a document's tokens with the policy's BOS/EOS (a new array only when something is added). */
export function applyBosEos(tokens: Int32Array, policy: BosEosPolicy): Int32Array {
  const pre = policy.bos === undefined ? 0 : 1;
  const post = policy.eos === undefined ? 0 : 1;
  if (pre + post === 0) return tokens;
  const out = new Int32Array(tokens.length + pre + post);
  if (pre) out[0] = policy.bos!;
  out.set(tokens, pre);
  if (post) out[out.length - 1] = policy.eos!;
  return out;
}
