import type { TokenizerEngine } from './engine.js';
import { loadHfEngine } from './hf-engine.js';
import { loadOpenAIEngine } from './openai-engine.js';
import { resolveTokenizer } from './resolve-tokenizer.js';

/** What to load: a tokenizer name (see {@link resolveTokenizer}) and optional BOS/EOS token overrides. */
export interface LoadTokenizerOptions {
  name: string;
  bosToken?: string;
  eosToken?: string;
  /** Folder that relative tokenizer paths resolve against (the config file's folder). */
  baseDir?: string;
}

/** Resolves and loads a tokenizer with the fastest correct engine for its family. */
export async function loadTokenizer(opts: LoadTokenizerOptions): Promise<TokenizerEngine> {
  const loc = resolveTokenizer(opts.name, opts.baseDir);
  if (loc.kind === 'openai') return loadOpenAIEngine(loc.name, loc.encoding);
  return loadHfEngine({ name: loc.name, file: loc.file, configFile: loc.configFile, source: loc.source, bosToken: opts.bosToken, eosToken: opts.eosToken });
}
