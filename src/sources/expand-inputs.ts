import { lstat, readdir, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { UserError } from '../util/errors.js';
import { folderKind } from './dataset-folders.js';
import { environmentError, isEnvironmentError } from './env-error.js';
import { detectFormat, SUPPORTED_EXTENSIONS, type InputCompression, type InputFormat } from './input-format.js';
import { RemoteAccess } from './remote/remote-access.js';
import type { RemoteFile } from './remote/remote-file.js';
import { remoteFileName } from './remote/read-remote.js';
import { isRemotePath } from './remote/remote-url.js';
import { identityOf, walkFolder, type FoundFile } from './walk-folder.js';

/** One input file, resolved from the patterns a user gave. */
export interface InputFile {
  /** Absolute path (as shown: a name that is not UTF-8 has its bad bytes written `\xHH`). */
  path: string;
  /** The path's raw bytes, when a name on it is not UTF-8: open the file by these. */
  rawPath?: Buffer;
  /** Size on disk in bytes when the inputs were listed (the progress total; never read past). */
  size: number;
  /** Modification time when the inputs were listed (part of the build's fingerprint). */
  mtimeMs?: number;
  /** How to read it. */
  format: InputFormat;
  /** Stream compression (JSONL only; `none` for Parquet, Arrow and ZIP). */
  compression: InputCompression;
  /**
   * A remote input (`https://`, `hf://datasets/`, `s3://`): where its bytes are and the version
   * its listing found (size, ETag, Last-Modified). `path` is then its URL.
   */
  remote?: RemoteFile;
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
  /** Folders never read from (the build's output folder), whatever the patterns say. */
  exclude?: string[];
  /** Receives one line per folder, link or duplicate left out, naming it and why. */
  onNote?: (message: string) => void;
  /** Lists remote patterns (URLs); default: one made from `process.env`. */
  remote?: RemoteAccess;
}

const supportedList = SUPPORTED_EXTENSIONS.join(', ');

/**
 * Resolves input patterns to the files to read. Each pattern is a URL (`https://`,
 * `hf://datasets/`, `s3://`: listed through the store, see `RemoteAccess.list`), a file, a folder (searched
 * recursively for files with supported names; hidden files and folders are left out) or a glob
 * (picomatch syntax, relative to `cwd`; files with unsupported names are left out). The result
 * is sorted by path and free of duplicates, so the same inputs always give the same order.
 *
 * Files are told apart by identity (device and inode), not by path: a symbolic or hard link to
 * a file already listed is read once (under its real path when one of its names is real), and
 * folder links that lead back into a folder already walked (`sub/up -> ..`) are skipped (see
 * `walkFolder`). Skein output folders and the `exclude` folders are left out of folders and
 * globs; a Hugging Face `save_to_disk` folder is read as its Arrow data files.
 *
 * Throws {@link UserError} (one line naming the pattern and the fix) when a path does not exist,
 * a glob or folder yields no supported file, a file named explicitly has an unsupported name,
 * a folder named explicitly is a skein output folder or a `DatasetDict`, or the file system
 * refuses access.
 */
export async function expandInputs(patterns: string[], opts: ExpandOptions = {}): Promise<InputFile[]> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  if (patterns.length === 0) throw new UserError('no input files given; name at least one file, directory or glob');
  const exclude = new Set<string>();
  for (const d of opts.exclude ?? []) {
    const st = await stat(d, { bigint: true }).catch(() => undefined);
    const id = st ? identityOf(st) : undefined;
    if (id) exclude.add(id);
  }
  const found: FoundFile[] = [];
  const remote: InputFile[] = [];
  for (const pattern of patterns) {
    if (isRemotePath(pattern)) {
      opts.remote ??= new RemoteAccess();
      remote.push(...(await opts.remote.list(pattern)).map(remoteInput));
      continue;
    }
    try {
      found.push(...(await expandOne(pattern, cwd, exclude, opts.onNote)));
    } catch (err) {
      if (isEnvironmentError(err)) throw environmentError(err, `cannot list input ${pattern}`);
      throw err;
    }
  }
  // One entry per file identity: a real path over a link, then the first path in order.
  const byIdentity = new Map<string, FoundFile>();
  for (const f of found) {
    const seen = byIdentity.get(f.identity);
    if (!seen) byIdentity.set(f.identity, f);
    else {
      const better = seen.viaLink !== f.viaLink ? (f.viaLink ? seen : f) : f.path < seen.path ? f : seen;
      const other = better === f ? seen : f;
      if (other.path !== better.path) opts.onNote?.(`read ${shown(better.path, cwd)} once: ${shown(other.path, cwd)} is the same file (a link)`);
      byIdentity.set(f.identity, better);
    }
  }
  const local: InputFile[] = [...byIdentity.values()].map((f) => ({ path: f.path, ...(f.rawPath ? { rawPath: f.rawPath } : {}), size: f.size, mtimeMs: f.mtimeMs, ...pick(detectFormat(f.path)!) }));
  // A URL named by two patterns is read once.
  const urls = new Map(remote.map((f) => [f.path, f]));
  return [...local, ...urls.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The input file of a listed remote file: its URL as path, its format from its name. */
function remoteInput(f: RemoteFile): InputFile {
  return { path: f.url, size: f.size, ...pick(detectFormat(remoteFileName(f))!), remote: f };
}

function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel.split(sep).join('/') : path;
}

async function expandOne(pattern: string, cwd: string, exclude: ReadonlySet<string>, onNote?: (message: string) => void): Promise<FoundFile[]> {
  const abs = resolve(cwd, pattern);
  const st = await stat(abs, { bigint: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
    throw err;
  });
  if (st?.isFile()) {
    const detected = detectFormat(abs);
    if (!detected) {
      throw new UserError(`unsupported input file ${pattern}: skein reads ${supportedList}; rename or convert it`);
    }
    const viaLink = (await lstat(abs)).isSymbolicLink();
    return [{ path: abs, size: Number(st.size), mtimeMs: Number(st.mtimeMs), identity: identityOf(st) ?? `path:${abs}`, viaLink }];
  }
  if (st?.isDirectory()) {
    await refuseFolder(abs, pattern);
    const files = await walkFolder(abs, { accept: (rel) => detectFormat(rel) !== undefined, exclude, onNote });
    if (files.length === 0) {
      throw new UserError(`directory ${pattern} holds no input files (${supportedList}); point at the data folder or use a glob`);
    }
    return files;
  }
  const scan = picomatch.scan(pattern);
  if (st === undefined && scan.isGlob) {
    const base = resolve(cwd, scan.base || '.');
    const glob = scan.glob;
    const isMatch = picomatch(glob, { dot: false });
    const maxSegments = glob.includes('**') ? undefined : glob.split('/').length;
    const baseStat = await stat(base).catch(() => undefined);
    const all: string[] = [];
    const files = baseStat?.isDirectory()
      ? await walkFolder(base, {
          accept: (rel) => {
            if (!isMatch(rel)) return false;
            all.push(rel);
            return detectFormat(rel) !== undefined;
          },
          maxSegments,
          exclude,
          onNote,
        })
      : [];
    if (files.length === 0) {
      if (all.length > 0) {
        const example = shown(resolve(base, all[0]!), cwd);
        throw new UserError(`${pattern} matches only unsupported files (such as ${example}); skein reads ${supportedList}`);
      }
      throw new UserError(`no files match ${pattern} (relative to ${cwd}); check the pattern and quote it so the shell does not expand it`);
    }
    return files;
  }
  if (st !== undefined) throw new UserError(`input ${pattern} is not a regular file or directory; name data files instead`);
  throw new UserError(`input not found: ${pattern} (relative to ${cwd}); check the path or use a glob like data/*.jsonl`);
}

/** Refuses a folder named as an input that holds no text: a skein output folder, a `DatasetDict`. */
async function refuseFolder(abs: string, pattern: string): Promise<void> {
  const names = new Set(await readdir(abs));
  const kind = await folderKind(abs, names);
  if (kind.kind === 'skein-output') {
    throw new UserError(
      `input ${pattern} is a skein output folder: it holds tokenized shards, not text; give the inputs it was built from (its manifest.json lists them), or join output folders with skein merge`,
    );
  }
  if (kind.kind === 'hf-dataset-dict') {
    throw new UserError(`input ${pattern} is a Hugging Face DatasetDict with splits ${kind.splits.join(', ')}; name one split folder, e.g. ${pattern.replace(/\/$/, '')}/${kind.splits[0] ?? 'train'}`);
  }
}

function pick(d: { format: InputFormat; compression: InputCompression }): { format: InputFormat; compression: InputCompression } {
  return { format: d.format, compression: d.compression };
}
