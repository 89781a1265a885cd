import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { AddedTokenTable } from './added-tokens.js';
import { ByteLevelBpe } from './bpe/byte-level-bpe.js';
import { openaiBpeSpec } from './bpe/openai-bpe.js';
import { WHITE_SPACE } from './bpe/split-pattern.js';
import type { TokenizerEngine } from './engine.js';
import { sha256File } from './file-hash.js';
import type { OpenAIEncoding } from './resolve-tokenizer.js';
import { encodeWithBpe, SKEIN_BPE_ENGINE } from './skein-bpe-engine.js';

const require = createRequire(import.meta.url);
const GPT_TOKENIZER_VERSION: string = (require('gpt-tokenizer/package.json') as { version: string }).version;

/** The part of a gpt-tokenizer encoding module skein uses. */
interface GptEncodingModule {
  encode(text: string, opts?: { disallowedSpecial?: Set<string> }): number[];
}

/** The encoders that run an OpenAI encoding: skein's byte-level BPE (default) or gpt-tokenizer. */
export type OpenAIEncoder = 'skein-bpe' | 'gpt-tokenizer';

/**
 * Documents gpt-tokenizer must not encode: a run of 1,000+ characters of one kind (its merge
 * loop is quadratic in a pre-token's length: 100,000 identical letters took 6.4 s), or a
 * character its JavaScript split pattern classes differently from tiktoken's (U+0085 and U+FEFF
 * for `\s`, the case-fold partners ſ and K of the contractions). skein's BPE encodes those.
 */
const GPT_TOKENIZER_UNSAFE = new RegExp(`[^${WHITE_SPACE}]{1000}|[${WHITE_SPACE}]{1000}|[\\x85\\ufeff\\u017f\\u212a]`, 'u');

/** Whether gpt-tokenizer may encode `text` (else skein's BPE does; see GPT_TOKENIZER_UNSAFE). */
export function gptTokenizerHandles(text: string): boolean {
  return !GPT_TOKENIZER_UNSAFE.test(text);
}

/**
 * Loads an OpenAI encoding (o200k_base, cl100k_base). Text is encoded by skein's byte-level BPE
 * (`encoder: 'skein-bpe'`, the default: token-identical to tiktoken's `encode_ordinary`,
 * near-linear on any input and the fastest measured, docs/benchmarks.md) or by `gpt-tokenizer`,
 * which then still hands the documents it gets wrong or slowly (see GPT_TOKENIZER_UNSAFE) to
 * skein's BPE. Decoding is skein's (gpt-tokenizer's drops a leading U+FEFF); the ranks and special
 * tokens are gpt-tokenizer's tables. Special-token text in a document is
 * plain text. EOS is `<|endoftext|>`; these encodings have no BOS.
 */
export async function loadOpenAIEngine(name: string, encoding: OpenAIEncoding, encoder: OpenAIEncoder = 'skein-bpe'): Promise<TokenizerEngine> {
  const ranksFile = fileURLToPath(import.meta.resolve(`gpt-tokenizer/esm/bpeRanks/${encoding}`));
  const spec = await openaiBpeSpec(encoding);
  const bpe = new ByteLevelBpe(spec);
  // The special tokens as gpt-tokenizer defines them (its encodingParams take the ranks, unused here).
  const params = (await import(`gpt-tokenizer/esm/encodingParams/${encoding}`)) as Record<string, (ranks: unknown[]) => { specialTokensEncoder: Map<string, number> }>;
  const specials = (encoding === 'o200k_base' ? params.O200KBase! : params.Cl100KBase!)([]).specialTokensEncoder;
  const specialText = new Map([...specials].map(([t, id]) => [id, t]));
  const utf8 = new TextEncoder();
  const specialBytes = (id: number): Uint8Array | undefined => {
    const t = specialText.get(id);
    return t === undefined ? undefined : utf8.encode(t);
  };
  // gpt-tokenizer's count: the mergeable tokens plus the special ones.
  const vocabSize = spec.tokenBytes.filter((b) => b !== undefined).length + specials.size;
  const baseTokenToId = (token: string): number | undefined => specials.get(token) ?? bpe.tokenId(token);
  const baseIdToToken = (id: number): string | undefined => {
    try {
      return bpe.decode([id], specialBytes);
    } catch {
      return undefined;
    }
  };
  const gpt = encoder === 'gpt-tokenizer' ? ((await import(`gpt-tokenizer/encoding/${encoding}`)) as GptEncodingModule) : undefined;
  const noSpecial = { disallowedSpecial: new Set<string>() };
  // Special tokens may sit at or past `vocabSize`; the table skips ids in use.
  const addedTable = new AddedTokenTable(vocabSize, baseIdToToken, baseTokenToId);
  const eos = specials.get('<|endoftext|>');
  return {
    info: {
      name,
      kind: 'openai',
      source: `gpt-tokenizer:${encoding}`,
      vocabSize,
      specialIds: eos !== undefined ? { eos } : {},
      sha256: await sha256File(ranksFile),
      engine: gpt ? `gpt-tokenizer@${GPT_TOKENIZER_VERSION}` : SKEIN_BPE_ENGINE,
    },
    engineKind: encoder,
    async encodeBatch(texts) {
      if (!gpt) return encodeWithBpe(bpe, texts);
      return texts.map((t) => Int32Array.from(gptTokenizerHandles(t) ? gpt.encode(t, noSpecial) : bpe.encode(t)));
    },
    specialTokens: () => Object.fromEntries(specials),
    ...addedTable.engineMethods(
      (run) => bpe.decode(run, specialBytes),
      (run) => bpe.decode(run, specialBytes),
    ),
  };
}
