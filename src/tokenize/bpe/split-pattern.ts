/**
 * Pre-tokenizer regular expressions of byte-level BPE tokenizers, as JavaScript `RegExp`s that
 * match exactly what the reference engines match.
 *
 * The references are Rust: Hugging Face tokenizers runs its `Split` patterns with Oniguruma,
 * tiktoken with the `regex`/`fancy-regex` crates. Three constructs of their patterns mean
 * something else in JavaScript, and are rewritten:
 *
 * - `\s` / `\S`: Rust and Oniguruma take Unicode White_Space (U+0085 included, U+FEFF not);
 *   JavaScript's `\s` is the other way round. Both become the explicit White_Space class.
 * - `(?i:…)`: inline case-insensitive groups do not exist in Node 20's RegExp. Each ASCII letter
 *   inside becomes a class of its simple case-fold orbit (`s` → `[sSſ]`, `k` → `[kKK]`), which is
 *   what the Unicode-aware references match.
 * - Oniguruma's `^`/`$` are line anchors and its `\d`/`\w`/`\b` are Unicode-aware: patterns that
 *   use them (or anything else not listed in {@link translateOnigPattern}) are refused, so the
 *   caller falls back to the reference engine rather than risk different tokens.
 */

/** Unicode White_Space, the `\s` of Oniguruma and of Rust's regex crate, as the inside of a character class. */
export const WHITE_SPACE = '\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** Extra members of an ASCII letter's simple case-fold orbit beyond its two cases. */
const FOLD_EXTRA: Readonly<Record<string, string>> = { s: '\\u017f', k: '\\u212a' };

function foldClass(letter: string): string {
  const lower = letter.toLowerCase();
  return `[${lower}${lower.toUpperCase()}${FOLD_EXTRA[lower] ?? ''}]`;
}

/**
 * `s` as a regular expression (for the `u` flag, outside a class) that matches it literally: the
 * syntax characters are escaped, nothing else (`\-` is an error in a `u` pattern).
 */
export function escapeLiteral(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Thrown when a pattern uses a construct skein does not translate. */
export class UnsupportedPatternError extends Error {
  override name = 'UnsupportedPatternError';
}

/**
 * Rewrites a Hugging Face (Oniguruma) or tiktoken (Rust) split pattern into JavaScript source
 * with the same matches, or throws {@link UnsupportedPatternError}. Accepted: literals, the
 * escapes `\r \n \t \f \v \\ \' \- \/ \. \( \) \[ \] \{ \} \| \? \* \+ \^ \$`, `\s \S`,
 * `\p{…} \P{…}`, character classes (with `\s` and `\p{…}` inside), groups `(?: (?= (?! (?i:`,
 * greedy quantifiers `? * + {m} {m,} {m,n}` and alternation. `possessive` additionally accepts
 * tiktoken's possessive quantifiers (`?+ *+ ++ {m,n}+`) — only for patterns where giving no
 * characters back is equivalent to backtracking, which the caller vouches for.
 */
export function translateOnigPattern(pattern: string, possessive = false): string {
  let out = '';
  let inClass = false;
  let foldDepth = 0;
  const groupStack: boolean[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const e = pattern[i + 1];
      if (e === undefined) throw new UnsupportedPatternError('trailing backslash');
      if (e === 's' || e === 'S') {
        out += inClass ? (e === 's' ? WHITE_SPACE : fail('\\S inside a class')) : e === 's' ? `[${WHITE_SPACE}]` : `[^${WHITE_SPACE}]`;
        i++;
      } else if (e === 'p' || e === 'P') {
        const close = pattern.indexOf('}', i);
        if (pattern[i + 2] !== '{' || close < 0) throw new UnsupportedPatternError(`\\${e} without {…}`);
        out += pattern.slice(i, close + 1);
        i = close;
      } else if ('rntfv\\\'-/.()[]{}|?*+^$'.includes(e)) {
        out += e === "'" ? "'" : e === '/' ? '\\/' : `\\${e}`;
        i++;
      } else {
        throw new UnsupportedPatternError(`escape \\${e}`);
      }
      continue;
    }
    if (inClass) {
      if (ch === '[') throw new UnsupportedPatternError('nested character class');
      if (ch === ']') inClass = false;
      if (foldDepth > 0 && /[a-zA-Z]/.test(ch)) {
        if (pattern[i - 1] === '-' || pattern[i + 1] === '-') throw new UnsupportedPatternError('a letter range inside (?i:…)');
        out += foldClass(ch).slice(1, -1);
      } else {
        out += ch;
      }
      continue;
    }
    switch (ch) {
      case '[':
        inClass = true;
        out += ch;
        if (pattern[i + 1] === '^') {
          out += '^';
          i++;
        }
        break;
      case '(': {
        const head = pattern.slice(i, i + 4);
        if (head.startsWith('(?i:')) {
          groupStack.push(true);
          foldDepth++;
          out += '(?:';
          i += 3;
        } else if (head.startsWith('(?:') || head.startsWith('(?=') || head.startsWith('(?!')) {
          groupStack.push(false);
          out += head.slice(0, 3);
          i += 2;
        } else if (pattern[i + 1] === '?') {
          throw new UnsupportedPatternError(`group ${head}`);
        } else {
          groupStack.push(false);
          out += '(?:'; // capture groups are irrelevant to splitting
        }
        break;
      }
      case ')':
        if (groupStack.pop()) foldDepth--;
        out += ch;
        break;
      case '?':
      case '*':
      case '+':
      case '}':
        out += ch;
        if (pattern[i + 1] === '+') {
          if (!possessive) throw new UnsupportedPatternError('possessive quantifier');
          i++;
        } else if (pattern[i + 1] === '?') {
          throw new UnsupportedPatternError('lazy quantifier');
        }
        break;
      case '{':
        if (!/^\{\d+(,\d*)?\}/.test(pattern.slice(i))) throw new UnsupportedPatternError('brace that is not a quantifier');
        out += ch;
        break;
      case '^':
      case '$':
      case '.':
        throw new UnsupportedPatternError(`'${ch}' (its meaning differs between Oniguruma and JavaScript)`);
      default:
        out += foldDepth > 0 && /[a-zA-Z]/.test(ch) ? foldClass(ch) : ch;
    }
  }
  if (inClass || groupStack.length) throw new UnsupportedPatternError('unbalanced pattern');
  return out;
}

function fail(what: string): never {
  throw new UnsupportedPatternError(what);
}

/**
 * The split pattern of GPT-2's byte-level pre-tokenizer (`ByteLevel` with `use_regex: true` in
 * tokenizer.json), as the reference writes it.
 */
export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/**
 * tiktoken's split patterns of the OpenAI encodings (tiktoken_ext/openai_public.py). cl100k's
 * possessive quantifiers give back nothing a greedy match would need here (each possessive run is
 * followed by something it cannot match), and `$` is end of text in both tiktoken and JavaScript
 * without the `m` flag, so it is accepted for these two fixed patterns only (written as U+E000,
 * which the translator passes through, and put back after).
 */
export const OPENAI_PATTERNS = {
  cl100k_base: "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}+| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+|\\s++\uE000|\\s*[\\r\\n]|\\s+(?!\\S)|\\s",
  o200k_base: [
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    '\\p{N}{1,3}',
    ' ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*',
    '\\s*[\\r\\n]+',
    '\\s+(?!\\S)',
    '\\s+',
  ].join('|'),
} as const;

/** Compiles one of {@link OPENAI_PATTERNS} (U+E000 marks cl100k's end-of-text anchor). */
export function openaiSplitRegExp(encoding: keyof typeof OPENAI_PATTERNS): RegExp {
  return new RegExp(translateOnigPattern(OPENAI_PATTERNS[encoding], true).replace('\uE000', '$'), 'gu');
}
