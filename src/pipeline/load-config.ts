import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { UserError } from '../util/errors.js';
import { PipelineConfigSchema, type PipelineConfig, type PipelineConfigInput } from './config-schema.js';

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

/** Validates a config object (defaults applied); throws {@link UserError} naming the key path of the first problem. */
export function validateConfig(raw: unknown, where = 'config'): PipelineConfig {
  const r = PipelineConfigSchema.safeParse(raw);
  if (!r.success) throw new UserError(describeIssue(r.error.issues[0]!, where));
  return r.data;
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
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UserError(`${file} must hold a JSON object (a pipeline config)`);
  return raw as Record<string, unknown>;
}

/** Reads and validates a pipeline JSON file. */
export function loadConfigFile(file: string): LoadedConfig {
  return { config: validateConfig(readConfigJson(file), file), baseDir: path.dirname(path.resolve(file)), file };
}

/** Validates an in-code config (paths relative to `baseDir`, default the working directory). */
export function loadConfigObject(raw: PipelineConfigInput, baseDir = process.cwd()): LoadedConfig {
  return { config: validateConfig(raw), baseDir };
}
