import { UserError } from '../util/errors.js';
import { NotByteLevelBpeError } from './bpe/tokenizer-json-bpe.js';
import { ENGINE_KINDS, type EngineKind, type TokenizerEngine } from './engine.js';
import { loadOpenAIEngine } from './openai-engine.js';
import fs from 'node:fs';
import path from 'node:path';
import { isHubModelId, resolveHubTokenizer } from './hub-tokenizer.js';
import { resolveTokenizer } from './resolve-tokenizer.js';
import { loadSkeinBpeEngine } from './skein-bpe-engine.js';
import type { TokenizerJsonOptions } from './tokenizer-json.js';

/** An engine to use, or `auto`: the fastest engine that is token-identical to the reference. */
export type EngineChoice = 'auto' | EngineKind;

/** Every value `engine` accepts. */
export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', ...ENGINE_KINDS];

/** What to load: a tokenizer name (see {@link resolveTokenizer}), an engine and optional BOS/EOS token overrides. */
export interface LoadTokenizerOptions {
  name: string;
  bosToken?: string;
  eosToken?: string;
  /** Folder that relative tokenizer paths resolve against (the config file's folder). */
  baseDir?: string;
  /** The engine (default `auto`, see {@link loadTokenizer}). */
  engine?: EngineChoice;
  /** Environment for Hub model ids: HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Loads the native binding lazily: a machine where its binary cannot load still runs every other
 * engine. `SKEIN_TEST_NO_NATIVE=1` makes the import fail as it does there (tests of the fallback).
 */
async function loadNative(opts: TokenizerJsonOptions): Promise<TokenizerEngine> {
  if (process.env.SKEIN_TEST_NO_NATIVE === '1') throw new Error('SKEIN_TEST_NO_NATIVE: the native tokenizers binding is treated as not loadable');
  const { loadHfEngine } = await import('./hf-engine.js');
  return loadHfEngine(opts);
}

async function loadHfJs(opts: TokenizerJsonOptions): Promise<TokenizerEngine> {
  const { loadHfJsEngine } = await import('./hf-js-engine.js');
  return loadHfJsEngine(opts);
}

/**
 * Resolves and loads a tokenizer with the engine asked for. `auto` picks, in order:
 *
 * - OpenAI encodings: `skein-bpe` (token-identical to tiktoken, faster than gpt-tokenizer);
 * - byte-level BPE tokenizer.json models (Llama-3, Qwen): `skein-bpe`;
 * - other tokenizer.json models: `native`, or `hf-js` when the native binding cannot load.
 *
 * An engine that cannot run the tokenizer (`native` for an OpenAI encoding, `skein-bpe` for a
 * SentencePiece model) is a {@link UserError} naming the ones that can.
 */
export async function loadTokenizer(opts: LoadTokenizerOptions): Promise<TokenizerEngine> {
  const choice = opts.engine ?? 'auto';
  if (!ENGINE_CHOICES.includes(choice)) throw new UserError(`unknown tokenizer engine '${choice}'; use one of ${ENGINE_CHOICES.join(', ')}`);
  // A Hub model id (`owner/name`) that is not a local path: into the Hugging Face cache first (downloaded when missing).
  if (isHubModelId(opts.name) && !fs.existsSync(path.resolve(opts.baseDir ?? process.cwd(), opts.name))) await resolveHubTokenizer(opts.name, opts.env);
  const loc = resolveTokenizer(opts.name, opts.baseDir, opts.env);
  if (loc.kind === 'openai') {
    if (choice !== 'auto' && choice !== 'skein-bpe' && choice !== 'gpt-tokenizer') throw new UserError(`engine '${choice}' cannot run the OpenAI encoding ${loc.encoding}; use auto, skein-bpe or gpt-tokenizer`);
    return loadOpenAIEngine(loc.name, loc.encoding, choice === 'gpt-tokenizer' ? 'gpt-tokenizer' : 'skein-bpe');
  }
  const jsonOpts: TokenizerJsonOptions = { name: loc.name, file: loc.file, configFile: loc.configFile, source: loc.source, bosToken: opts.bosToken, eosToken: opts.eosToken };
  switch (choice) {
    case 'gpt-tokenizer':
      throw new UserError(`engine 'gpt-tokenizer' runs OpenAI encodings only, not ${opts.name}; use auto, skein-bpe, native or hf-js`);
    case 'native':
      try {
        return await loadNative(jsonOpts);
      } catch (e) {
        if (e instanceof UserError) throw e;
        throw new UserError(`the native tokenizers binding cannot load on this machine (${(e as Error).message.split('\n')[0]}); use --engine auto or hf-js`);
      }
    case 'hf-js':
      return loadHfJs(jsonOpts);
    case 'skein-bpe':
      try {
        return await loadSkeinBpeEngine(jsonOpts);
      } catch (e) {
        if (e instanceof NotByteLevelBpeError) throw new UserError(`engine 'skein-bpe' cannot run ${opts.name} (${e.message}); use auto, native or hf-js`);
        throw e;
      }
    case 'auto':
      try {
        return await loadSkeinBpeEngine(jsonOpts);
      } catch (e) {
        if (!(e instanceof NotByteLevelBpeError)) throw e;
      }
      try {
        return await loadNative(jsonOpts);
      } catch (e) {
        if (e instanceof UserError) throw e;
        // The binding's binary did not load on this machine: the pure-JS port runs the same file.
        return loadHfJs(jsonOpts);
      }
  }
}
