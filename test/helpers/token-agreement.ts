import fs from 'node:fs';
import { get_encoding, type TiktokenEncoding } from 'tiktoken';
import { Tokenizer as NativeTokenizer } from 'tokenizers';
import type { TokenizerEngine } from '../../src/tokenize/engine.js';
import { resolveTokenizer } from '../../src/tokenize/resolve-tokenizer.js';

/**
 * Token-id agreement between an engine under test and a reference implementation: encode the
 * same documents with both, list the documents whose ids differ, and describe the first
 * difference of each (token index, text offset, code points, tokens on both sides).
 */

/** A document to encode: a stable id and its text. */
export interface AgreementDoc {
  id: string;
  text: string;
}

/** A reference encoder: texts in, token ids out (no special tokens added), in input order. */
export interface Reference {
  /** What it is, for messages (`tiktoken o200k_base encode_ordinary`). */
  label: string;
  encode(texts: readonly string[]): Promise<ArrayLike<number>[]>;
  /** Decodes ids to text (for describing differences). */
  decode(ids: readonly number[]): string | Promise<string>;
  /** Frees native memory, if any. */
  free(): void;
}

/** One document whose ids differ. */
export interface Mismatch {
  id: string;
  text: string;
  ours: ArrayLike<number>;
  ref: ArrayLike<number>;
  /** Index of the first differing token (the shorter length when one is a prefix of the other). */
  index: number;
}

/** tiktoken (the Rust library compiled to WASM) `encode_ordinary`: special-token text is plain text. */
export function tiktokenReference(encoding: TiktokenEncoding): Reference {
  const enc = get_encoding(encoding);
  const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
  return {
    label: `tiktoken ${encoding} encode_ordinary`,
    async encode(texts) {
      return texts.map((t) => enc.encode_ordinary(t));
    },
    decode: (ids) => utf8.decode(enc.decode(Uint32Array.from(ids))),
    free: () => enc.free(),
  };
}

/** One entry of tokenizer.json's `added_tokens` (the fields the references read). */
export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
}

/** The tokenizer.json and tokenizer_config.json of a tokenizer.json model, as parsed JSON. */
export function tokenizerJson(name: string): { json: { added_tokens: AddedToken[] } & Record<string, unknown>; config: Record<string, unknown> } {
  const loc = resolveTokenizer(name);
  if (loc.kind !== 'tokenizer.json') throw new Error(`${name} is not a tokenizer.json model`);
  return {
    json: JSON.parse(fs.readFileSync(loc.file, 'utf8')),
    config: loc.configFile ? JSON.parse(fs.readFileSync(loc.configFile, 'utf8')) : {},
  };
}

/**
 * The native Rust `tokenizers` binding on a tokenizer.json model, built like skein's hf-engine
 * builds its encoder: special added tokens removed (their text is plain text in skein), ordinary
 * added tokens kept, no special tokens added.
 *
 * The binding numbers added tokens by their position in `added_tokens` when it loads a file, not
 * by their `id` fields, so once the special ones are removed the ordinary ones that follow them
 * come back with lower ids (Qwen3's `<think>` is 151667 in the file, 151653 from the filtered
 * encoder). The reference maps them back to the file's ids, found by content.
 */
export function nativeReference(name: string): Reference {
  const { json } = tokenizerJson(name);
  const encoder = NativeTokenizer.fromString(JSON.stringify({ ...json, added_tokens: json.added_tokens.filter((t) => !t.special) }));
  const full = NativeTokenizer.fromString(JSON.stringify(json));
  const remap = new Map<number, number>();
  for (const t of json.added_tokens) {
    if (t.special) continue;
    const got = encoder.tokenToId(t.content);
    if (got !== null && got !== undefined && got !== t.id) remap.set(got, t.id);
  }
  return {
    label: `tokenizers (native) ${name}`,
    async encode(texts) {
      const encs = await Promise.all(texts.map((t) => encoder.encode(t, null, { addSpecialTokens: false })));
      return encs.map((e) => e.getIds().map((id) => remap.get(id) ?? id));
    },
    decode: (ids) => full.decode([...ids], false),
    free: () => {},
  };
}

/** Encodes `docs` with an engine, `batchSize` documents per `encodeBatch` call. */
export async function encodeInBatches(engine: Pick<TokenizerEngine, 'encodeBatch'>, docs: readonly AgreementDoc[], batchSize = 64): Promise<ArrayLike<number>[]> {
  const out: ArrayLike<number>[] = [];
  for (let i = 0; i < docs.length; i += batchSize) {
    const batch = docs.slice(i, i + batchSize);
    const ids = await engine.encodeBatch(batch.map((d) => d.text));
    if (ids.length !== batch.length) throw new Error(`encodeBatch returned ${ids.length} results for ${batch.length} texts`);
    out.push(...ids);
  }
  return out;
}

/** Index of the first position where `a` and `b` differ, or -1 when equal. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** The documents whose ids differ between `ours` and `ref` (both aligned with `docs`), in document order. */
export function mismatches(docs: readonly AgreementDoc[], ours: readonly ArrayLike<number>[], ref: readonly ArrayLike<number>[]): Mismatch[] {
  if (ours.length !== docs.length || ref.length !== docs.length) throw new Error(`result counts differ: ${docs.length} docs, ${ours.length} ours, ${ref.length} reference`);
  const out: Mismatch[] = [];
  docs.forEach((d, i) => {
    const index = firstDifference(ours[i]!, ref[i]!);
    if (index >= 0) out.push({ id: d.id, text: d.text, ours: ours[i]!, ref: ref[i]!, index });
  });
  return out;
}

/** `U+0085`-style name of the code point at the start of `ch`. */
export function codePointName(ch: string): string {
  return 'U+' + ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
}

/** A string shown with every character that is not visible ASCII, a letter, digit, punctuation or symbol escaped as `\u{…}`. */
export function showString(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x20 && c < 0x7f) out += ch === '"' || ch === '\\' ? '\\' + ch : ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (/^[\p{L}\p{N}\p{P}\p{S}]$/u.test(ch) && !/^\p{Cn}$/u.test(ch)) out += ch;
    else out += `\\u{${c.toString(16).toUpperCase()}}`;
  }
  return `"${out}"`;
}

/** Length of the common prefix of two strings, in code units. */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * A few lines describing the first difference of a mismatch: token counts, the first differing
 * token index, its offset in the text (exact when the decoded prefix is a prefix of the text),
 * the text and code points around it, and the tokens of both sides, each decoded alone.
 */
export async function describeMismatch(m: Mismatch, decode: (ids: number[]) => string | Promise<string>): Promise<string> {
  const ours = Array.from(m.ours);
  const ref = Array.from(m.ref);
  const prefix = await decode(ref.slice(0, m.index));
  const exact = m.text.startsWith(prefix);
  const offset = exact ? prefix.length : commonPrefix(prefix, m.text);
  const before = m.text.slice(Math.max(0, offset - 24), offset);
  const after = m.text.slice(offset, offset + 40);
  const chars = `${[...m.text.slice(Math.max(0, offset - 6), offset)].slice(-4).map(codePointName).join(' ')} | ${[...m.text.slice(offset, offset + 16)].slice(0, 8).map(codePointName).join(' ')}`;
  const tokens = async (ids: number[]): Promise<string> => {
    const from = Math.max(0, m.index - 2);
    const parts: string[] = [];
    for (let k = from; k < Math.min(ids.length, m.index + 5); k++) parts.push(`${k === m.index ? '>' : ''}${ids[k]}:${showString(await decode([ids[k]!]))}`);
    return parts.join(' ') || '(end)';
  };
  return [
    `${m.id}: ${ours.length} tokens vs ${ref.length} in the reference; first difference at token ${m.index}, text offset ${exact ? '' : '≈'}${offset} of ${m.text.length}`,
    `  text   : ${showString(before)} ⟨here⟩ ${showString(after)}`,
    `  chars  : ${chars}`,
    `  ours   : ${await tokens(ours)}`,
    `  ref    : ${await tokens(ref)}`,
  ].join('\n');
}
