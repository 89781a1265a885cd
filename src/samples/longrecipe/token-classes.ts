import type { TokenizerEngine } from '../../tokenize/engine.js';
import { hasPythonDigit } from './python-isdigit.js';

/**
 * The sentence delimiters of the LongRecipe reference, as decoded text: its hard-coded Llama-3
 * ids 13, 198, 30, 0 and 627 are exactly the tokens that decode to these strings.
 */
export const DEFAULT_SENTENCE_DELIMITERS: readonly string[] = ['.', '\n', '?', '!', '.\n'];

/** Per-token-id facts the LongRecipe sentence selection needs (1 = yes; ids past the end are no). */
export interface TokenClasses {
  /** The token ends a sentence: its decoded text is one of the delimiter strings. */
  delimiter: Uint8Array;
  /** The token's decoded text contains a character for which Python's `str.isdigit()` holds. */
  digit: Uint8Array;
  /**
   * The token's decoded text holds U+FFFD: the token carries part of a character whose other
   * bytes are in a neighbouring token (or a literal U+FFFD). A sentence with such a token is
   * decoded whole to find digits split across tokens.
   */
  partial: Uint8Array;
}

/**
 * Token classes from the decoded text of every id (`texts[id]`, undefined for ids that do not
 * decode). A token is a delimiter when its decoded text equals one of `delimiters` exactly, so
 * the classes come from the tokenizer, not from hard-coded ids.
 */
export function tokenClassesFromTexts(texts: ReadonlyArray<string | undefined>, delimiters: readonly string[]): TokenClasses {
  const delims = new Set(delimiters);
  const delimiter = new Uint8Array(texts.length);
  const digit = new Uint8Array(texts.length);
  const partial = new Uint8Array(texts.length);
  for (let id = 0; id < texts.length; id++) {
    const t = texts[id];
    if (t === undefined) continue;
    if (delims.has(t)) delimiter[id] = 1;
    if (hasPythonDigit(t)) digit[id] = 1;
    if (t.includes('\uFFFD')) partial[id] = 1;
  }
  return { delimiter, digit, partial };
}

const cache = new WeakMap<TokenizerEngine, Map<string, Promise<TokenClasses>>>();

/** Decodes ids `0 … vocabSize−1` one by one (in parallel slices); ids that fail to decode are undefined. */
async function decodeVocabulary(engine: TokenizerEngine): Promise<Array<string | undefined>> {
  const n = engine.info.vocabSize;
  const texts = new Array<string | undefined>(n);
  const slice = 4096;
  for (let start = 0; start < n; start += slice) {
    const jobs: Array<Promise<void>> = [];
    for (let id = start; id < Math.min(n, start + slice); id++) {
      jobs.push(
        Promise.resolve()
          .then(() => engine.decode([id]))
          .then(
            (t) => void (texts[id] = t),
            () => void (texts[id] = undefined),
          ),
      );
    }
    await Promise.all(jobs);
  }
  return texts;
}

/**
 * The token classes of a tokenizer for the given delimiters, from the decoded text of its whole
 * vocabulary (about 0.7 s for Llama-3's 128K ids; computed once per engine and delimiter set).
 * For Llama-3 and the default delimiters the delimiter ids are exactly the reference's
 * `{13, 198, 30, 0, 627}`.
 */
export function tokenClassesOf(engine: TokenizerEngine, delimiters: readonly string[] = DEFAULT_SENTENCE_DELIMITERS): Promise<TokenClasses> {
  let perEngine = cache.get(engine);
  if (!perEngine) cache.set(engine, (perEngine = new Map()));
  const key = JSON.stringify(delimiters);
  let p = perEngine.get(key);
  if (!p) {
    p = decodeVocabulary(engine).then((texts) => tokenClassesFromTexts(texts, delimiters));
    perEngine.set(key, p);
  }
  return p;
}
