import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../util/errors.js';

/** Names skein writes into an output folder; only these are ever removed. */
const OWN_FILE = /^(manifest\.json|state\.json|dataset_info\.json|rejects\.jsonl|shard-\d{5,}\.arrow|\..*\.tmp|.*\.tmp)$/;

/**
 * Makes `dir` ready for a new build: creates it, or empties it of a previous skein build's files.
 * Refuses (UserError) a folder that holds anything skein did not write, so a build never deletes
 * user data.
 */
export async function prepareOutputDir(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      await fs.mkdir(dir, { recursive: true });
      return;
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') throw new UserError(`output ${dir} is a file; give a folder with --output`);
    throw e;
  }
  const foreign = entries.filter((e) => !OWN_FILE.test(e));
  if (foreign.length > 0) {
    throw new UserError(`output folder ${dir} holds files skein did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}); choose an empty or new folder with --output`);
  }
  await Promise.all(entries.map((e) => fs.rm(path.join(dir, e), { force: true })));
}
