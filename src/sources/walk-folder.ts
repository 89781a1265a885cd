import type { BigIntStats, Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { folderKind } from './dataset-folders.js';
import { displayName } from './file-names.js';

/** A file found under a folder. */
export interface FoundFile {
  /** Absolute path as shown (non-UTF-8 bytes of a name written `\xHH`, see `displayName`). */
  path: string;
  /** The path's raw bytes, when some name on it is not UTF-8 (open the file by these). */
  rawPath?: Buffer;
  size: number;
  mtimeMs: number;
  /** `dev:ino`: the file's identity, the same for every name (link) it has. */
  identity: string;
  /** Whether it was reached through a symbolic link (a file link, or a file under a folder link). */
  viaLink: boolean;
}

/** Options of {@link walkFolder}. */
export interface WalkOptions {
  /** Whether a file belongs in the result, by its path relative to the root (`/`-separated, as shown). */
  accept(rel: string): boolean;
  /** Most path segments a relative file path may have (1: files directly in the root); unlimited by default. */
  maxSegments?: number;
  /** Folders to leave out, by identity (`dev:ino`): the build's output folder. */
  exclude?: ReadonlySet<string>;
  /** Receives one line per folder or link left out, naming it and why. */
  onNote?: (message: string) => void;
}

interface Dir {
  raw: Buffer;
  shown: string;
  rel: string;
  segments: number;
  viaLink: boolean;
}

/** `dev:ino` of a stat, or undefined when the file system has no inode numbers (ino 0). */
export function identityOf(st: BigIntStats): string | undefined {
  return st.ino === 0n ? undefined : `${st.dev}:${st.ino}`;
}

/**
 * Lists the files under a folder, recursively, by raw file names (so a name that is not UTF-8 is
 * found and can be opened), skipping hidden entries (`.name`). Each folder is entered once,
 * by its identity: a symbolic link to a folder already walked (`sub/up -> ..`, a loop, or a
 * second name for a folder) is skipped, and real folders are walked before any link, so files
 * keep their real paths. Links to files are returned with `viaLink` (the caller de-duplicates
 * files by identity). Folders that hold data of another kind are handled as a whole:
 *
 * - a skein output folder (tokenized shards) and the `exclude` folders are left out, with a note;
 * - a Hugging Face `save_to_disk` folder contributes exactly the Arrow files its `state.json`
 *   lists (its JSON files are metadata, not data);
 * - a Hugging Face `DatasetDict` folder is left out with a note naming its splits.
 *
 * The result is in walk order; callers sort it.
 */
export async function walkFolder(root: string | Buffer, opts: WalkOptions): Promise<FoundFile[]> {
  const rootRaw = typeof root === 'string' ? Buffer.from(root) : root;
  const found: FoundFile[] = [];
  const visited = new Set<string>();
  const links: Dir[] = [];
  const maxSegments = opts.maxSegments ?? Number.POSITIVE_INFINITY;
  const note = opts.onNote ?? (() => {});

  const addFile = async (raw: Buffer, shown: string, rel: string, viaLink: boolean, st?: BigIntStats): Promise<void> => {
    if (!opts.accept(rel)) return;
    st ??= await stat(raw, { bigint: true });
    if (!st.isFile()) return;
    const utf8 = displayName(raw).utf8;
    found.push({ path: shown, ...(utf8 ? {} : { rawPath: raw }), size: Number(st.size), mtimeMs: Number(st.mtimeMs), identity: identityOf(st) ?? `path:${shown}`, viaLink });
  };

  const visit = async (dir: Dir): Promise<void> => {
    const st = await stat(dir.raw, { bigint: true });
    const id = identityOf(st);
    if (id !== undefined) {
      if (visited.has(id)) {
        if (dir.viaLink) note(`left out ${dir.shown}: a link to a folder already read (a loop or a second name for it)`);
        return;
      }
      visited.add(id);
      if (opts.exclude?.has(id)) {
        note(`left out ${dir.shown}: it is the build's output folder`);
        return;
      }
    }
    const entries = (await readdir(dir.raw, { withFileTypes: true, encoding: 'buffer' })) as unknown as Dirent<Buffer>[];
    const names = new Set(entries.map((e) => displayName(e.name).name));
    const kind = await folderKind(dir.raw, names);
    if (kind.kind === 'skein-output') {
      note(`left out ${dir.shown}: a skein output folder (tokenized shards, not text)`);
      return;
    }
    if (kind.kind === 'hf-dataset-dict') {
      note(`left out ${dir.shown}: a Hugging Face DatasetDict (splits ${kind.splits.join(', ')}); name the split folder to read, e.g. ${dir.shown}/${kind.splits[0] ?? 'train'}`);
      return;
    }
    if (kind.kind === 'hf-dataset') {
      for (const f of kind.dataFiles) {
        const raw = Buffer.concat([dir.raw, Buffer.from(`/${f}`)]);
        await addFile(raw, `${dir.shown}/${f}`, dir.rel ? `${dir.rel}/${f}` : f, dir.viaLink).catch(() => note(`left out ${dir.shown}/${f}: listed in state.json but not readable`));
      }
      return;
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    for (const e of entries) {
      if (e.name[0] === 0x2e) continue; // hidden
      const shownName = displayName(e.name).name;
      const child: Dir = {
        raw: Buffer.concat([dir.raw, Buffer.from('/'), e.name]),
        shown: `${dir.shown}/${shownName}`,
        rel: dir.rel ? `${dir.rel}/${shownName}` : shownName,
        segments: dir.segments + 1,
        viaLink: dir.viaLink,
      };
      if (e.isSymbolicLink()) links.push({ ...child, viaLink: true });
      else if (e.isDirectory()) {
        if (child.segments < maxSegments) await visit(child);
      } else if (e.isFile() && child.segments <= maxSegments) await addFile(child.raw, child.shown, child.rel, child.viaLink);
    }
  };

  await visit({ raw: rootRaw, shown: displayName(rootRaw).name, rel: '', segments: 0, viaLink: false });
  // Links last, in the order met: each folder is then read under its real path when it has one.
  for (let i = 0; i < links.length; i++) {
    const link = links[i]!;
    let st: BigIntStats;
    try {
      st = await stat(link.raw, { bigint: true });
    } catch (err) {
      note(`left out ${link.shown}: a symbolic link that leads nowhere (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      continue;
    }
    if (st.isDirectory()) {
      if (link.segments < maxSegments) await visit(link);
    } else if (st.isFile() && link.segments <= maxSegments) await addFile(link.raw, link.shown, link.rel, true, st);
  }
  return found;
}
