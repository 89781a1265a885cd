import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { tempNameOf } from './file-ledger.js';
import { WORK_DIR } from './output-lock.js';

/** What an entry is, in words, for messages. */
function kindOf(st: { isDirectory(): boolean; isSymbolicLink(): boolean; isFile(): boolean }): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a folder';
  if (st.isFile()) return 'a file';
  return 'not a regular file';
}

/** `lstat`, or undefined when nothing is there. */
async function lstatOrNone(p: string) {
  try {
    return await fs.lstat(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/**
 * Checks that the work folder `DIR/.skein` is absent or a real folder: a link there (to a
 * folder of the user's) or a file is never used, written into or cleaned.
 */
export async function checkWorkDir(dir: string): Promise<void> {
  const work = path.join(dir, WORK_DIR);
  const st = await lstatOrNone(work);
  if (st && (!st.isDirectory() || st.isSymbolicLink())) {
    throw new UserError(`${work} is ${kindOf(st)}, not skein's work folder; skein never follows or deletes it: move it away, or choose another --output`);
  }
}

/**
 * Removes one file skein recorded (`rel`, relative to `dir`): only a regular file is unlinked.
 * Links are never followed (not the entry, not a folder on the way); a folder or link under a
 * recorded name is a {@link UserError} and stays as it is. A name that is not there is fine.
 */
export async function removeOwnedFile(dir: string, rel: string): Promise<void> {
  const parts = rel.split('/');
  let p = dir;
  for (const part of parts.slice(0, -1)) {
    p = path.join(p, part);
    const st = await lstatOrNone(p);
    if (!st) return;
    if (!st.isDirectory() || st.isSymbolicLink()) throw new UserError(`${p} is ${kindOf(st)}, not a folder skein made; skein never deletes through it: move it away, or choose another --output`);
  }
  const file = path.join(dir, ...parts);
  const st = await lstatOrNone(file);
  if (!st) return;
  if (!st.isFile()) throw new UserError(`${file} is ${kindOf(st)}, not a file skein wrote; skein never deletes it: move it away, or choose another --output`);
  await fs.unlink(file);
}

/**
 * Removes every recorded file in `names` (see `FileLedger`), with its temporary form, except
 * those `keep` names. Then removes `.skein/runs` if it is empty. Never touches another name.
 */
export async function removeRecorded(dir: string, names: readonly string[], keep: (rel: string) => boolean = () => false): Promise<void> {
  for (const rel of names) {
    if (!keep(rel)) await removeOwnedFile(dir, rel);
    await removeOwnedFile(dir, tempNameOf(rel));
  }
  const runs = path.join(dir, WORK_DIR, 'runs');
  const st = await lstatOrNone(runs);
  if (st?.isDirectory() && !st.isSymbolicLink()) await fs.rmdir(runs).catch(() => undefined);
}
