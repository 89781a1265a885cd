import fs from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { UserError } from '../util/errors.js';
import type { TokenizerEngine } from './engine.js';
import { readTokenizerJson, tokenizerJsonEngine, type TokenizerJsonOptions } from './tokenizer-json.js';

// The package's `exports` hide its package.json; it sits one folder above the entry file.
const HF_JS_VERSION: string = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.resolve('@huggingface/tokenizers')), 'utf8')) as { version: string }).version;

/**
 * Loads a tokenizer.json model into `@huggingface/tokenizers`, Hugging Face's pure-JavaScript
 * port: the fallback for models skein's byte-level BPE does not cover (SentencePiece-style BPE,
 * WordPiece, Unigram) on machines where the native `tokenizers` binding cannot load. One thread,
 * slower than both; special added tokens are removed so their text stays plain text.
 */
export async function loadHfJsEngine(opts: TokenizerJsonOptions): Promise<TokenizerEngine> {
  const loaded = readTokenizerJson(opts.file);
  const { json, added } = loaded;
  let full: Tokenizer;
  let encoder: Tokenizer;
  try {
    full = new Tokenizer(json as never, {});
    encoder = new Tokenizer({ ...json, added_tokens: added.filter((t) => !t.special) } as never, {});
  } catch (e) {
    throw new UserError(`@huggingface/tokenizers could not load ${opts.file}: ${(e as Error).message}`);
  }
  return tokenizerJsonEngine(opts, loaded, {
    kind: 'hf-js',
    engine: `@huggingface/tokenizers@${HF_JS_VERSION}`,
    vocabSize: full.get_vocab(true).size,
    idToToken: (id) => full.id_to_token(id),
    tokenToId: (token) => full.token_to_id(token),
    decode: (ids) => full.decode(ids, { skip_special_tokens: false }),
    decodeSync: (ids) => full.decode(ids, { skip_special_tokens: false }),
    async encodeBatch(texts) {
      return texts.map((t) => Int32Array.from(encoder.encode(t, { add_special_tokens: false }).ids));
    },
  });
}
