import type { TokenClasses } from './token-classes.js';

/**
 * End offsets (exclusive) of the sentences of `tokens` (LR-CODE `FSProcessor`): a sentence ends
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
 * For each sentence, whether its text contains a decimal digit: whether one of its tokens
 * decodes to text with a digit (exact for digits inside one token, which covers ASCII digits in
 * every byte-level or SentencePiece vocabulary).
 */
export function sentenceDigits(tokens: Int32Array, ends: readonly number[], classes: Pick<TokenClasses, 'digit'>): boolean[] {
  const out: boolean[] = [];
  let start = 0;
  for (const end of ends) {
    let has = false;
    for (let i = start; i < end && !has; i++) has = classes.digit[tokens[i]!] === 1;
    out.push(has);
    start = end;
  }
  return out;
}
