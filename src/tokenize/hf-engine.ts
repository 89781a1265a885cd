import { createRequire } from 'node:module';
import { Tokenizer } from 'tokenizers';
import { UserError } from '../util/errors.js';
import type { TokenizerEngine } from './engine.js';
import { readTokenizerJson, tokenizerJsonEngine, type TokenizerJsonOptions } from './tokenizer-json.js';

const require = createRequire(import.meta.url);
const TOKENIZERS_VERSION: string = (require('tokenizers/package.json') as { version: string }).version;

/** Options for loading a tokenizer.json model. */
export type HfEngineOptions = TokenizerJsonOptions;

/** Batches up to this many characters are encoded text by text (see `encodeBatch`). */
const SMALL_BATCH_CHARS = 4096;

/**
 * Loads a Hugging Face tokenizer.json model into the native `tokenizers` engine (the Rust
 * library Hugging Face itself uses, so it is the reference).
 *
 * Two instances are built: the encoder from the file with its *special* added tokens removed,
 * so that special-token text in a corpus is encoded as ordinary text (skein's documented
 * behaviour), and the full tokenizer for decoding and id look-ups. Ordinary added tokens stay.
 */
export async function loadHfEngine(opts: HfEngineOptions): Promise<TokenizerEngine> {
  const loaded = readTokenizerJson(opts.file);
  const { text, json, added } = loaded;
  let full: Tokenizer;
  let encoder: Tokenizer;
  try {
    full = Tokenizer.fromString(text);
    encoder = Tokenizer.fromString(JSON.stringify({ ...json, added_tokens: added.filter((t) => !t.special) }));
  } catch (e) {
    throw new UserError(`tokenizers could not load ${opts.file}: ${(e as Error).message}`);
  }
  const decoder = full.getDecoder();
  // Hugging Face numbers added tokens by their order when it loads a file, not by their `id`
  // fields: without the special ones, later ordinary added tokens (Qwen3's <think> = 151667) come
  // back from the encoder with lower ids (151653). Map them back to their true ids.
  const remap = new Map<number, number>();
  for (const t of added) {
    const got = t.special ? undefined : encoder.tokenToId(t.content);
    if (got !== undefined && got !== null && got !== t.id) remap.set(got, t.id);
  }
  const trueIds = (ids: number[]): Int32Array => {
    const out = Int32Array.from(ids);
    if (remap.size) for (let i = 0; i < out.length; i++) out[i] = remap.get(out[i]!) ?? out[i]!;
    return out;
  };
  return tokenizerJsonEngine(opts, loaded, {
    kind: 'native',
    engine: `tokenizers@${TOKENIZERS_VERSION}`,
    vocabSize: full.getVocabSize(true),
    idToToken: (id) => full.idToToken(id) ?? undefined,
    tokenToId: (token) => full.tokenToId(token) ?? undefined,
    decode: (ids) => full.decode(ids, false),
    // The binding's decode is asynchronous; its Decoder decodes token strings synchronously, and
    // mapping ids to their strings first is what the library's decode does (tested identical).
    decodeSync: (ids) => {
      const tokens: string[] = [];
      for (const id of ids) {
        const t = full.idToToken(id);
        if (t !== null && t !== undefined) tokens.push(t);
      }
      return decoder ? decoder.decode(tokens) : tokens.join(' ');
    },
    async encodeBatch(texts) {
      if (texts.length === 0) return [];
      // A small batch (UtK's chunk IDs, chat template pieces) is encoded text by text: the native
      // encodeBatch runs on a shared parallel pool and would wait behind a large document batch in
      // flight (measured: 0.7 ms alone, ~1 s behind a 1 MB batch); single encodes do not. Same ids.
      let chars = 0;
      for (const t of texts) chars += t.length;
      const encs = chars <= SMALL_BATCH_CHARS ? await Promise.all(texts.map((t) => encoder.encode(t, null, { addSpecialTokens: false }))) : await encoder.encodeBatch(texts as string[], { addSpecialTokens: false });
      return encs.map((e) => trueIds(e.getIds()));
    },
  });
}
