import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { UserError } from '../util/errors.js';
import { detectFormat, SUPPORTED_EXTENSIONS, type InputCompression, type InputFormat } from './input-format.js';

/** One input file, resolved from the patterns a user gave. */
export interface InputFile {
  /** Absolute path. */
  path: string;
  /** Size on disk in bytes (the progress total). */
  size: number;
  /** How to read it. */
  format: InputFormat;
  /** Stream compression (JSONL only; `none` for Parquet and ZIP). */
  compression: InputCompression;
  /**
   * Parquet only: read just these row groups (0-based, ascending), e.g. one rank's part of the
   * file in a scaled-out build. Absent: every row group.
   */
  rowGroups?: readonly number[];
}

/** Options of {@link expandInputs}. */
export interface ExpandOptions {
  /** Directory that relative patterns are resolved from. Default `process.cwd()`. */
  cwd?: string;
}

const supportedList = SUPPORTED_EXTENSIONS.join(', ');

/**
 * Resolves input patterns to the files to read. Each pattern is a file, a directory (searched
 * recursively for files with supported names; hidden files and folders are left out) or a glob
 * (tinyglobby syntax; files with unsupported names are left out). The result is sorted by path
 * and free of duplicates, so the same inputs always give the same order.
 *
 * Throws {@link UserError} (one line naming the pattern and the fix) when a path does not exist,
 * a glob or directory yields no supported file, or a file named explicitly has an unsupported
 * name.
 */
export async function expandInputs(patterns: string[], opts: ExpandOptions = {}): Promise<InputFile[]> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  if (patterns.length === 0) throw new UserError('no input files given; name at least one file, directory or glob');
  const found = new Map<string, InputFile>();
  for (const pattern of patterns) {
    for (const file of await expandOne(pattern, cwd)) found.set(file.path, file);
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function expandOne(pattern: string, cwd: string): Promise<InputFile[]> {
  const abs = resolve(cwd, pattern);
  const st = await stat(abs).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
    throw new UserError(`cannot read input ${pattern} (${err.code ?? err.message}); check its permissions`);
  });
  if (st?.isFile()) {
    const detected = detectFormat(abs);
    if (!detected) {
      throw new UserError(`unsupported input file ${pattern}: skein reads ${supportedList}; rename or convert it`);
    }
    return [{ path: abs, size: st.size, ...pick(detected) }];
  }
  if (st?.isDirectory()) {
    const paths = await glob('**/*', { cwd: abs, absolute: true, onlyFiles: true });
    const files = await describe(paths.filter((p) => detectFormat(p) !== undefined));
    if (files.length === 0) {
      throw new UserError(`directory ${pattern} holds no input files (${supportedList}); point at the data folder or use a glob`);
    }
    return files;
  }
  if (st === undefined && isDynamicPattern(pattern)) {
    const paths = await glob(pattern, { cwd, absolute: true, onlyFiles: true });
    const supported = paths.filter((p) => detectFormat(p) !== undefined);
    if (supported.length === 0) {
      if (paths.length > 0) {
        throw new UserError(
          `${pattern} matches only unsupported files (such as ${relative(cwd, paths[0]) || paths[0]}); skein reads ${supportedList}`,
        );
      }
      throw new UserError(`no files match ${pattern} (relative to ${cwd}); check the pattern and quote it so the shell does not expand it`);
    }
    return describe(supported);
  }
  if (st !== undefined) throw new UserError(`input ${pattern} is not a regular file or directory; name data files instead`);
  throw new UserError(`input not found: ${pattern} (relative to ${cwd}); check the path or use a glob like data/*.jsonl`);
}

function pick(d: { format: InputFormat; compression: InputCompression }): { format: InputFormat; compression: InputCompression } {
  return { format: d.format, compression: d.compression };
}

async function describe(paths: string[]): Promise<InputFile[]> {
  const out: InputFile[] = [];
  for (const p of paths) {
    const st = await stat(p);
    if (!st.isFile()) continue;
    out.push({ path: resolve(p), size: st.size, ...pick(detectFormat(p)!) });
  }
  return out;
}
