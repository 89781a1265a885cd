import fs from 'node:fs';
import path from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError, type ParseErrorCode } from 'jsonc-parser';
import type { z } from 'zod';
import { UserError } from '../util/errors.js';
import { pipelineJsonSchema, PipelineConfigSchema, type PipelineConfig, type PipelineConfigInput } from './config-schema.js';
import { unknownKeys } from './config-keys.js';

/** A validated config and the folder its relative paths resolve against. */
export interface LoadedConfig {
  config: PipelineConfig;
  /** Folder of the config file (relative input paths resolve here). */
  baseDir: string;
  /** The file it came from, if any. */
  file?: string;
  /** Folder that input paths in ids and error messages are shown relative to (default `baseDir`). */
  displayRoot?: string;
}

/** Formats a zod issue path as a key path: `builder.seq_len`, `inputs[0].fields.text`. */
function keyPath(p: readonly PropertyKey[]): string {
  let s = '';
  for (const k of p) s += typeof k === 'number' ? `[${k}]` : s ? `.${String(k)}` : String(k);
  return s || '(root)';
}

/** One line describing the first problem of a failed validation, naming the key path. */
function describeIssue(issue: z.core.$ZodIssue, where: string): string {
  if (issue.code === 'unrecognized_keys') {
    const base = keyPath(issue.path);
    const keys = issue.keys.map((k) => (base === '(root)' ? k : `${base}.${k}`));
    return `${where}: unknown key ${keys.join(', ')}; remove it or check its spelling against pipelines/pipeline.schema.json`;
  }
  return `${where}: ${keyPath(issue.path)}: ${issue.message}`;
}

/**
 * Validates a config object (defaults applied); throws {@link UserError} naming the key path of
 * the first problem. Unknown keys are reported first, with the known key they most likely
 * meant (`unknown key builder.seq_lenn; did you mean builder.seq_len?`): a misspelt key is the
 * cause of the "missing" one.
 */
export function validateConfig(raw: unknown, where = 'config'): PipelineConfig {
  const r = PipelineConfigSchema.safeParse(raw);
  if (r.success) return r.data;
  const unknown = unknownKeys(raw, pipelineJsonSchema() as Parameters<typeof unknownKeys>[1]);
  if (unknown.length > 0) {
    const u = unknown[0]!;
    const more = unknown.length > 1 ? ` (and ${unknown.slice(1).map((x) => x.path).join(', ')})` : '';
    throw new UserError(`${where}: unknown key ${u.path}${u.suggestion ? `; did you mean ${u.suggestion}?` : '; remove it or check its spelling against pipelines/pipeline.schema.json'}${more}`);
  }
  throw new UserError(describeIssue(r.error.issues[0]!, where));
}

/** Reads a pipeline JSON file as a plain object (not yet validated); UserError when missing or not a JSON object. */
export function readConfigJson(file: string): Record<string, unknown> {
  if (/\.(jsonl|ndjson|parquet|zip|gz|zst)$/i.test(file)) {
    throw new UserError(`${file} looks like input data, not a pipeline config; pass data with --input (skein build --input ${file})`);
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`config file ${file} not found; give the path of a pipeline JSON (see pipelines/)`);
  }
  // JSONC, as editors write it: comments and trailing commas are allowed (configuration.md shows them).
  const errors: ParseError[] = [];
  const raw: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const e = errors[0]!;
    const { line, column } = lineColumn(text, e.offset);
    throw new UserError(`${file}:${line}:${column}: ${describeParseError(e.error)}; fix the JSON there (comments and trailing commas are allowed)`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UserError(`${file} must hold a JSON object (a pipeline config)`);
  // A "__proto__" key in the text sets the parsed object's prototype instead of a key.
  const plain = (v: unknown): boolean => {
    if (v === null || typeof v !== 'object') return true;
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== Array.prototype) return false;
    return Object.values(v).every(plain);
  };
  if (!plain(raw)) throw new UserError(`${file}: '__proto__' is not a config key; remove it`);
  return raw as Record<string, unknown>;
}

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** A JSONC parse error in words. */
function describeParseError(code: ParseErrorCode): string {
  const name = printParseErrorCode(code);
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'invalid number',
    PropertyNameExpected: 'a key (in double quotes) was expected',
    ValueExpected: 'a value was expected',
    ColonExpected: "':' was expected",
    CommaExpected: "',' was expected",
    CloseBraceExpected: "'}' was expected",
    CloseBracketExpected: "']' was expected",
    EndOfFileExpected: 'the file should end here',
    InvalidCommentToken: 'unfinished comment',
    UnexpectedEndOfComment: 'unexpected end of comment',
    UnexpectedEndOfString: 'unfinished string',
    UnexpectedEndOfNumber: 'unfinished number',
    InvalidUnicode: 'invalid \\u escape',
    InvalidEscapeCharacter: 'invalid escape in a string',
    InvalidCharacter: 'invalid character in a string',
  };
  return Object.hasOwn(words, name) ? words[name]! : name;
}

/** Reads and validates a pipeline JSON file. */
export function loadConfigFile(file: string): LoadedConfig {
  return { config: validateConfig(readConfigJson(file), file), baseDir: path.dirname(path.resolve(file)), file };
}

/** Validates an in-code config (paths relative to `baseDir`, default the working directory). */
export function loadConfigObject(raw: PipelineConfigInput, baseDir = process.cwd()): LoadedConfig {
  return { config: validateConfig(raw), baseDir };
}
