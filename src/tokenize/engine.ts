/** Which family a tokenizer belongs to; decides the engine that runs it. */
export type TokenizerKind = 'tokenizer.json' | 'openai';

/**
 * The engines skein runs: `skein-bpe` (skein's own byte-level BPE, pure JavaScript, for OpenAI
 * encodings and byte-level tokenizer.json models), `native` (Hugging Face's Rust `tokenizers`
 * binding, multi-threaded itself), `hf-js` (its pure-JavaScript port), `gpt-tokenizer`.
 */
export const ENGINE_KINDS = ['skein-bpe', 'native', 'hf-js', 'gpt-tokenizer'] as const;
/** One of {@link ENGINE_KINDS}. */
export type EngineKind = (typeof ENGINE_KINDS)[number];

/** Identity of a loaded tokenizer, as recorded in the manifest (docs/shard-format.md#manifestjson). */
export interface TokenizerInfo {
  /** The name the user gave (`llama3`, `o200k_base`, a path...). */
  name: string;
  kind: TokenizerKind;
  /** Where it was loaded from: a file path, or `package:<npm name>` / `gpt-tokenizer:<encoding>`. */
  source: string;
  /** Number of ids, added/special tokens included. */
  vocabSize: number;
  /** Ids of the special tokens skein uses (`bos`, `eos`), when the tokenizer has them. */
  specialIds: Record<string, number>;
  /** sha256 of the vocabulary file the engine loaded. */
  sha256: string;
  /** The engine library and version that encodes (`tokenizers@0.23.2`). */
  engine: string;
}

/**
 * A tokenizer engine: turns texts into token ids and back.
 *
 * Special-token text inside a document (a literal `<|endoftext|>` in a web page) is encoded as
 * plain text, never as a control token, by every engine: control tokens only enter a sequence
 * through the BOS/EOS policy of the tokenize stage.
 *
 * `encodeBatch` is the one hot call of the pipeline; it is asynchronous so that a worker pool
 * or a native thread pool can stand behind it. Results are in input order.
 */
export interface TokenizerEngine {
  readonly info: TokenizerInfo;
  /** Which engine encodes (a worker thread loading the same tokenizer with it gives the same ids). */
  readonly engineKind: EngineKind;
  /** Encodes texts without adding any special token. */
  encodeBatch(texts: readonly string[]): Promise<Int32Array[]>;
  /** Decodes ids to text, special tokens shown as their strings. */
  decode(ids: ArrayLike<number>): Promise<string>;
  /**
   * {@link decode}, synchronously (the same text): for code that must decode inside a
   * synchronous step, such as a builder's `push` (LongRecipe's digit test on a sentence whose
   * characters are split across tokens).
   */
  decodeSync(ids: ArrayLike<number>): string;
  /** The string of one id (for displays), or undefined if the id is unknown. */
  idToToken(id: number): string | undefined;
  /**
   * The id of one token string, special tokens included (`<|eot_id|>`), or undefined when the
   * string is not a single token. Chat templates and markers use it to insert control tokens
   * by id, since document text never produces them.
   */
  tokenToId(token: string): number | undefined;
  /**
   * Registers token strings that are not in the vocabulary as added tokens (markers such as
   * UtK's knots, when the tokenizer has no reserved special tokens for them) and returns their ids, in order: fresh ids from the end of the vocabulary, so
   * registering the same strings in the same order on the same tokenizer gives the same ids.
   * Document text is never encoded into them (`encodeBatch` does not know them); markers enter a
   * row by id. `decode`, `idToToken` and `tokenToId` know them. Throws when a string is already a
   * token of the vocabulary.
   */
  addTokens(tokens: readonly string[]): number[];
  /** The tokens registered with {@link addTokens}, string → id (empty when none). */
  addedTokens(): Record<string, number>;
  /**
   * The vocabulary's special (control) tokens, string → id: tokenizer.json added tokens marked
   * `special`, an OpenAI encoding's `<|endoftext|>` and the like. Document text never encodes to
   * them (see above), so they can serve as markers inserted by id (UtK's knots may be Llama-3's
   * `<|reserved_special_token_N|>`).
   */
  specialTokens(): Record<string, number>;
}
