import { hasPythonDigit } from './python-isdigit.js';
import type { TokenClasses } from './token-classes.js';

/**
 * End offsets (exclusive) of the sentences of `tokens` (LongRecipe's `FSProcessor`): a sentence ends
 * right after each delimiter token (the delimiter stays at the end of its sentence); the tokens
 * after the last delimiter form the last sentence. Every sentence has at least one token; the
 * last end is `tokens.length`.
 */
export function sentenceEnds(tokens: Int32Array, classes: Pick<TokenClasses, 'delimiter'>): number[] {
  const ends: number[] = [];
  const { delimiter } = classes;
  for (let i = 0; i < tokens.length; i++) if (delimiter[tokens[i]!] === 1) ends.push(i + 1);
  if (tokens.length > 0 && ends[ends.length - 1] !== tokens.length) ends.push(tokens.length);
  return ends;
}

/**
 * For each sentence, whether its decoded text contains a character for which Python's
 * `str.isdigit()` holds: LongRecipe's rule (the reference decodes each sentence and keeps it when
 * `any(c.isdigit() for c in text)`). Per token first: a token whose own text has such a
 * character gives the sentence one (a complete character decodes the same inside the sentence:
 * UTF-8 is self-synchronising). A sentence without one but with a `partial` token (a character
 * split over byte-level tokens, such as "²" or "①" in two pieces) is decoded whole with
 * `decode` and tested, so split characters are found too.
 */
export function sentenceDigits(tokens: Int32Array, ends: readonly number[], classes: Pick<TokenClasses, 'digit' | 'partial'>, decode: (ids: Int32Array) => string): boolean[] {
  const out: boolean[] = [];
  let start = 0;
  for (const end of ends) {
    let has = false;
    let partial = false;
    for (let i = start; i < end && !has; i++) {
      has = classes.digit[tokens[i]!] === 1;
      partial ||= classes.partial[tokens[i]!] === 1;
    }
    if (!has && partial) has = hasPythonDigit(decode(tokens.subarray(start, end)));
    out.push(has);
    start = end;
  }
  return out;
}
