import fs from 'node:fs';
import path from 'node:path';
import { WORK_DIR } from './output-lock.js';

/** The ledger file inside the work folder: one JSON string per line, a path relative to the output folder. */
export const LEDGER_FILE = 'files.jsonl';

/**
 * Whether `rel` (a `/`-separated path relative to an output folder) is a name skein may ever
 * create there: a plain entry of the folder itself, of its work folder `.skein/`, or of
 * `.skein/runs/`. Anything else (a `..`, an absolute path, a deeper path) is never skein's,
 * whatever a damaged or edited record says.
 */
export function isOwnableName(rel: string): boolean {
  const parts = rel.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\0'))) return false;
  if (parts.length === 1) return true;
  if (parts[0] !== WORK_DIR) return false;
  if (parts.length === 2) return true;
  return parts.length === 3 && parts[1] === 'runs';
}

/** The temporary name skein writes `rel` under before renaming it: `.NAME.tmp` in the same folder. */
export function tempNameOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return `${rel.slice(0, slash + 1)}.${rel.slice(slash + 1)}.tmp`;
}

/**
 * The record of every file a build creates in its output folder, kept so that skein only ever
 * deletes what it can prove it wrote (a user's `notes.tmp` or `shard-99999.arrow` folder is
 * never touched).
 *
 * A name is appended and fsync'd to `.skein/files.jsonl` *before* the file is created, so a
 * build killed at any moment has recorded every file it may have left (a recorded name that
 * was never created is harmless). A file's temporary form (`.NAME.tmp`) is covered by its
 * name. Lines that are not valid records (a torn last line, an edited file) are ignored:
 * an unrecorded file is never deleted, only reported.
 */
export class FileLedger {
  private fd: number | undefined;

  private constructor(
    /** The output folder. */
    readonly dir: string,
    private readonly recorded: Set<string>,
  ) {}

  /** The ledger file of an output folder. */
  static fileOf(dir: string): string {
    return path.join(dir, WORK_DIR, LEDGER_FILE);
  }

  /** Reads the names recorded in `dir` (none when there is no ledger). Never writes. */
  static read(dir: string): FileLedger {
    const names = new Set<string>();
    let text = '';
    try {
      text = fs.readFileSync(FileLedger.fileOf(dir), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') throw e;
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const name: unknown = JSON.parse(line);
        if (typeof name === 'string' && isOwnableName(name)) names.add(name);
      } catch {
        // A torn line: the file it would have named was never created.
      }
    }
    return new FileLedger(dir, names);
  }

  /** Whether `rel` is a recorded name or the temporary form of one. */
  owns(rel: string): boolean {
    if (this.recorded.has(rel)) return true;
    const m = /^(.*\/)?\.(.+)\.tmp$/.exec(rel);
    return m !== null && this.recorded.has(`${m[1] ?? ''}${m[2]}`);
  }

  /** The recorded names. */
  names(): string[] {
    return [...this.recorded];
  }

  /**
   * Records `rel` (durably: fsync'd) before the caller creates it. The work folder must exist
   * (the output lock made it).
   */
  record(rel: string): void {
    this.recordAll([rel]);
  }

  /** Records several names with one fsync. */
  recordAll(rels: readonly string[]): void {
    const fresh = [...new Set(rels)].filter((r) => !this.recorded.has(r));
    if (fresh.length === 0) return;
    for (const rel of fresh) if (!isOwnableName(rel)) throw new Error(`skein never creates ${JSON.stringify(rel)} in an output folder`);
    this.fd ??= fs.openSync(FileLedger.fileOf(this.dir), fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o644);
    const text = Buffer.from(fresh.map((r) => `${JSON.stringify(r)}\n`).join(''));
    let off = 0;
    while (off < text.length) off += fs.writeSync(this.fd, text, off);
    fs.fsyncSync(this.fd);
    for (const rel of fresh) this.recorded.add(rel);
  }

  /** Forgets every name (after the files were removed): the ledger file is emptied. */
  reset(): void {
    this.close();
    this.recorded.clear();
    fs.rmSync(FileLedger.fileOf(this.dir), { force: true });
  }

  /** Closes the file (the records stay). */
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
