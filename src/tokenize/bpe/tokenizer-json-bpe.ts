import type { TokenizerJson } from '../tokenizer-json.js';
import type { ByteLevelBpeSpec } from './byte-level-bpe.js';
import { escapeLiteral, GPT2_PATTERN, translateOnigPattern, UnsupportedPatternError } from './split-pattern.js';

/** A tokenizer.json that skein's byte-level BPE engine cannot run identically; the reason says why. */
export class NotByteLevelBpeError extends Error {
  override name = 'NotByteLevelBpeError';
}

/** GPT-2's byte → character table (`bytes_to_unicode`): printable Latin-1 bytes stand for themselves, the rest for U+0100 onwards. */
function byteLevelAlphabet(): Map<string, number> {
  const charToByte = new Map<string, number>();
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    charToByte.set(String.fromCharCode(printable ? b : 256 + extra++), b);
  }
  return charToByte;
}

interface PreTokenizer {
  type?: string;
  pretokenizers?: PreTokenizer[];
  pattern?: { Regex?: string; String?: string };
  behavior?: string;
  invert?: boolean;
  add_prefix_space?: boolean;
  use_regex?: boolean;
}

/** The split regular expressions of a byte-level pre-tokenizer, or a {@link NotByteLevelBpeError}. */
function splitters(pre: PreTokenizer | null | undefined): RegExp[] {
  if (!pre) throw new NotByteLevelBpeError('no pre_tokenizer');
  const steps = pre.type === 'Sequence' ? (pre.pretokenizers ?? []) : [pre];
  const last = steps[steps.length - 1];
  if (!last || last.type !== 'ByteLevel') throw new NotByteLevelBpeError('the pre_tokenizer does not end with ByteLevel');
  if (last.add_prefix_space) throw new NotByteLevelBpeError('ByteLevel add_prefix_space is not supported');
  const sources: string[] = [];
  for (const step of steps.slice(0, -1)) {
    if (step.type !== 'Split') throw new NotByteLevelBpeError(`pre_tokenizer ${step.type} is not supported`);
    if (step.behavior !== 'Isolated' || step.invert) throw new NotByteLevelBpeError(`Split behavior ${step.behavior}${step.invert ? ' (inverted)' : ''} is not supported`);
    const p = step.pattern ?? {};
    if (typeof p.Regex === 'string') sources.push(translateOnigPattern(p.Regex));
    else if (typeof p.String === 'string') sources.push(escapeLiteral(p.String));
    else throw new NotByteLevelBpeError('Split without a pattern');
  }
  if (last.use_regex !== false) sources.push(translateOnigPattern(GPT2_PATTERN));
  return sources.map((s) => new RegExp(s, 'gu'));
}

/**
 * The {@link ByteLevelBpeSpec} of a tokenizer.json model, or a {@link NotByteLevelBpeError} when
 * it is not a byte-level BPE that skein reproduces exactly. Supported: a BPE model without
 * dropout, byte fallback or subword affixes; no normalizer or NFC; a pre-tokenizer of `Split`
 * steps (Isolated, patterns {@link translateOnigPattern} accepts) ending with `ByteLevel`
 * (without prefix space), or `ByteLevel` alone with GPT-2's pattern; ordinary added tokens without
 * strip/word options. Llama-3, Qwen2/2.5/3 and GPT-2-style tokenizers qualify.
 *
 * `textAdded` are the added tokens matched in text (skein passes the non-special ones: special
 * tokens in a document are plain text).
 */
export function tokenizerJsonBpeSpec(json: TokenizerJson, textAdded: ReadonlyArray<{ content: string; id: number; lstrip?: boolean; rstrip?: boolean; normalized?: boolean; single_word?: boolean }>): ByteLevelBpeSpec {
  const m = json.model;
  if (m.type !== undefined && m.type !== 'BPE') throw new NotByteLevelBpeError(`model type ${m.type} is not BPE`);
  if (m.dropout) throw new NotByteLevelBpeError('BPE dropout is not supported');
  if (m.byte_fallback) throw new NotByteLevelBpeError('byte_fallback is not byte-level BPE');
  if (m.continuing_subword_prefix || m.end_of_word_suffix) throw new NotByteLevelBpeError('subword prefixes/suffixes are not supported');
  const norm = json.normalizer as { type?: string; normalizers?: unknown[] } | null | undefined;
  let normalize: 'NFC' | undefined;
  if (norm && norm.type === 'NFC') normalize = 'NFC';
  else if (norm && !(norm.type === 'Sequence' && (norm.normalizers ?? []).length === 0)) throw new NotByteLevelBpeError(`normalizer ${norm.type} is not supported`);
  let split: RegExp[];
  try {
    split = splitters(json.pre_tokenizer as PreTokenizer | null);
  } catch (e) {
    if (e instanceof UnsupportedPatternError) throw new NotByteLevelBpeError(`split pattern: ${e.message}`);
    throw e;
  }
  for (const t of textAdded) {
    if (t.lstrip || t.rstrip || t.single_word) throw new NotByteLevelBpeError(`added token ${JSON.stringify(t.content)} has strip/word options`);
    if (normalize && t.normalized) throw new NotByteLevelBpeError(`added token ${JSON.stringify(t.content)} is matched after normalization`);
  }

  const vocab = m.vocab ?? {};
  const alphabet = byteLevelAlphabet();
  const tokenBytes: Array<Uint8Array | undefined> = [];
  for (const [token, id] of Object.entries(vocab)) {
    const bytes = new Uint8Array(token.length);
    let ok = true;
    for (let i = 0; i < token.length; i++) {
      const b = alphabet.get(token[i]!);
      if (b === undefined) {
        ok = false;
        break;
      }
      bytes[i] = b;
    }
    if (ok) tokenBytes[id] = bytes;
  }
  const list = m.merges ?? [];
  function* merges(): Generator<readonly [number, number, number, number]> {
    for (let rank = 0; rank < list.length; rank++) {
      const rule = list[rank]!;
      let a: string;
      let b: string;
      if (typeof rule === 'string') {
        const cut = rule.indexOf(' ', 1);
        a = rule.slice(0, cut);
        b = rule.slice(cut + 1);
      } else {
        [a, b] = rule;
      }
      const ia = vocab[a];
      const ib = vocab[b];
      const im = vocab[a + b];
      if (ia === undefined || ib === undefined || im === undefined) throw new NotByteLevelBpeError(`merge ${JSON.stringify(rule)} names a token that is not in the vocabulary`);
      yield [ia, ib, rank, im];
    }
  }
  return {
    tokenBytes,
    merges: merges(),
    mergeCount: list.length,
    splitters: split,
    normalize,
    wholePieceFirst: m.ignore_merges === true,
    textAddedTokens: new Map(textAdded.map((t) => [t.content, t.id])),
  };
}
