import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { AddedTokenTable } from './added-tokens.js';
import type { TokenizerEngine } from './engine.js';
import { sha256File } from './file-hash.js';
import type { OpenAIEncoding } from './resolve-tokenizer.js';

const require = createRequire(import.meta.url);
const GPT_TOKENIZER_VERSION: string = (require('gpt-tokenizer/package.json') as { version: string }).version;

/** The parts of a gpt-tokenizer encoding module skein uses. */
interface GptEncodingModule {
  encode(text: string, opts?: { disallowedSpecial?: Set<string>; allowedSpecial?: Set<string> | 'all' }): number[];
  decode(ids: Iterable<number>): string;
  vocabularySize: number;
  EndOfText: string;
}

/**
 * Loads an OpenAI encoding (o200k_base, cl100k_base) into `gpt-tokenizer`, the fastest engine
 * measured for them (packages.md §1.3) and token-identical to tiktoken's `encode_ordinary`:
 * special-token text in a document is encoded as plain text. EOS is `<|endoftext|>`; these
 * encodings have no BOS.
 */
export async function loadOpenAIEngine(name: string, encoding: OpenAIEncoding): Promise<TokenizerEngine> {
  const mod = (await import(`gpt-tokenizer/encoding/${encoding}`)) as GptEncodingModule;
  const ranksFile = fileURLToPath(import.meta.resolve(`gpt-tokenizer/esm/bpeRanks/${encoding}`));
  const noSpecial = { disallowedSpecial: new Set<string>() };
  const eos = mod.encode(mod.EndOfText, { allowedSpecial: 'all' });
  const baseTokenToId = (token: string): number | undefined => {
    const ids = mod.encode(token, { allowedSpecial: 'all' });
    return ids.length === 1 ? ids[0] : undefined;
  };
  const baseIdToToken = (id: number): string | undefined => {
    try {
      return mod.decode([id]);
    } catch {
      return undefined;
    }
  };
  // gpt-tokenizer's special tokens may sit at or past `vocabularySize`; the table skips ids in use.
  const addedTable = new AddedTokenTable(mod.vocabularySize, baseIdToToken, baseTokenToId);
  return {
    info: {
      name,
      kind: 'openai',
      source: `gpt-tokenizer:${encoding}`,
      vocabSize: mod.vocabularySize,
      specialIds: eos.length === 1 ? { eos: eos[0]! } : {},
      sha256: await sha256File(ranksFile),
      engine: `gpt-tokenizer@${GPT_TOKENIZER_VERSION}`,
    },
    async encodeBatch(texts) {
      return texts.map((t) => Int32Array.from(mod.encode(t, noSpecial)));
    },
    ...addedTable.engineMethods((run) => mod.decode(run)),
  };
}
