import fs from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE, MANIFEST_FORMAT, type Manifest } from '../shards/manifest.js';
import { hashFile } from '../shards/reader.js';
import { isShardFileName, shardFiles, type ShardInfo } from '../shards/shard-writer.js';
import { makeFolder } from '../util/environment-error.js';
import { UserError } from '../util/errors.js';
import { readCheckpoint, type Checkpoint } from './checkpoint.js';
import { FileLedger, isOwnableName } from './file-ledger.js';
import { describeDifference, type BuildFingerprint } from './fingerprint.js';
import type { PipelineConfig } from '../config/config-schema.js';
import { acquireLock, WORK_DIR, type AcquireLockOptions, type OutputLock } from './output-lock.js';
import { checkWorkDir, removeRecorded } from './owned-files.js';
import { REJECTS_FILE } from './rejects-file.js';

/** The files every build writes besides its shards (recorded in its ledger before any is created). */
export const BUILD_FILES: readonly string[] = [MANIFEST_FILE, 'state.json', 'dataset_info.json', REJECTS_FILE];

/** What a build does with its output folder. */
export type OutputPlan =
  | { kind: 'fresh'; lock: OutputLock; ledger: FileLedger; discarded?: 'unfinished' | 'overwritten'; created?: boolean }
  | { kind: 'resume'; lock: OutputLock; ledger: FileLedger; checkpoint: Checkpoint }
  | { kind: 'done'; lock: OutputLock; manifest: Manifest; ledger: FileLedger };

/**
 * The skein manifest of a folder, or undefined when there is none. A `manifest.json` that is
 * not skein's (another tool's, or damaged) counts as none: its folder's files are not skein's.
 */
async function manifestIn(dir: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const m = JSON.parse(text) as Manifest | null;
    return m !== null && typeof m === 'object' && m.format === MANIFEST_FORMAT && Array.isArray(m.shards) ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The files a finished build's manifest names as its own: its shards (plain `shard-NNNNN.arrow`
 * names only: a path in an edited manifest never makes a file skein's) and the fixed files.
 */
function manifestFiles(m: Manifest): string[] {
  // Megatron pairs: the `.idx` (shard `index`) is a file of the shard too.
  const shards = m.shards.flatMap((s) => (s && typeof s.file === 'string' ? [s.file, ...(typeof s.index?.file === 'string' ? [s.index.file] : [])] : [])).filter((f) => isShardFileName(f));
  return [...BUILD_FILES, ...shards];
}

/** Everything in `dir` that skein can prove it wrote: the ledger's records and a finished build's manifest. */
function ownership(dir: string, manifest: Manifest | undefined): { ledger: FileLedger; owns(name: string): boolean; names(): string[] } {
  const ledger = FileLedger.read(dir);
  const fromManifest = new Set(manifest ? manifestFiles(manifest) : []);
  const tempOf = (name: string) => /^\.(.+)\.tmp$/.exec(name)?.[1];
  return {
    ledger,
    owns: (name) => name === WORK_DIR || ledger.owns(name) || fromManifest.has(name) || fromManifest.has(tempOf(name) ?? ''),
    names: () => [...new Set([...ledger.names(), ...fromManifest])],
  };
}

/** Top-level entries of `dir` that skein did not write. */
async function foreignEntries(dir: string, owns: (name: string) => boolean): Promise<string[]> {
  return (await fs.readdir(dir)).filter((e) => !owns(e));
}

/**
 * Removes every file skein wrote into `dir` (recorded in the ledger or named by the finished
 * manifest), then empties the ledger. Only regular files are unlinked, never through a link;
 * the lock stays (the caller holds it).
 */
async function wipe(dir: string, own: ReturnType<typeof ownership>): Promise<void> {
  // Record the manifest's files first and remove the manifest before them: a wipe cut short
  // leaves a folder whose every file is still provably skein's, and none claiming to be complete.
  const names = own.names().sort((a, b) => Number(b === MANIFEST_FILE) - Number(a === MANIFEST_FILE));
  own.ledger.recordAll(names);
  await removeRecorded(dir, names);
  own.ledger.reset();
}

/**
 * Opens an output folder for a build with fingerprint `fp`, under its lock (see `acquireLock`),
 * and decides what to do:
 *
 * - missing or empty: a fresh build;
 * - a finished build (manifest.json) with the same fingerprint whose shards are all on disk with
 *   their recorded size and sha256: `done`, nothing to build (a missing or altered shard is a
 *   {@link UserError}: pass --overwrite);
 * - an unfinished build (a checkpoint in `.skein/resume.json`) with the same fingerprint: `resume`;
 * - skein files without manifest or checkpoint (a build killed before its first shard
 *   finished): discarded, fresh build;
 * - a finished or unfinished build with a different fingerprint: a {@link UserError} naming what
 *   differs, unless `overwrite` (then it is discarded);
 * - anything skein cannot prove it wrote (not in its ledger, not named by its manifest), a
 *   `.skein` that is a link or a file: always a {@link UserError}; such entries are never removed.
 *
 * Only regular files skein recorded are ever deleted, never through a link. The caller releases
 * the lock when the build ends (or fails).
 */
export async function openOutput(dir: string, fp: BuildFingerprint, config: PipelineConfig, overwrite: boolean, lockOptions: AcquireLockOptions = {}): Promise<OutputPlan> {
  let st;
  try {
    st = await fs.stat(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new UserError(`output ${dir} is under a file, not a folder; give a folder path with --output`);
    if (code !== 'ENOENT') throw e;
  }
  if (st && !st.isDirectory()) throw new UserError(`output ${dir} is a file; give a folder with --output`);
  await makeFolder(dir);
  await checkWorkDir(dir);
  // Refuse a folder holding anything else before even taking the lock (which creates .skein/).
  const before = ownership(dir, await manifestIn(dir));
  const foreign = await foreignEntries(dir, before.owns);
  if (foreign.length > 0) {
    throw new UserError(`output folder ${dir} holds files skein did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}); skein never deletes them: choose an empty or new folder with --output`);
  }
  const lock = await acquireLock(dir, lockOptions);
  try {
    // Under the lock, read the folder again: another build may have finished meanwhile.
    const manifest = await manifestIn(dir);
    const own = ownership(dir, manifest);
    const foreignNow = await foreignEntries(dir, own.owns);
    if (foreignNow.length > 0) throw new UserError(`output folder ${dir} holds files skein did not write (${foreignNow.slice(0, 3).join(', ')}); choose an empty or new folder with --output`);
    if (manifest) {
      if (manifest.resume?.complete && manifest.resume.fingerprint === fp.sha256) {
        if (!overwrite) {
          await checkShardFiles(dir, manifest.shards, (file, why) => `output folder ${dir} holds this build, complete, but its ${file} ${why} (the folder was modified); pass --overwrite to build it again`);
          return { kind: 'done', lock, manifest, ledger: own.ledger };
        }
      } else if (!overwrite) {
        const stored = manifest.resume?.fingerprint ? { ...manifest.resume.fingerprint_parts, sha256: manifest.resume.fingerprint } : undefined;
        const why = describeDifference(stored as Partial<BuildFingerprint> | undefined, fp, manifest.config, config);
        throw new UserError(`output folder ${dir} holds a finished build of another configuration (${why}); pass --overwrite to replace it, or choose another --output`);
      }
      await wipe(dir, own);
      return { kind: 'fresh', lock, ledger: FileLedger.read(dir), discarded: 'overwritten' };
    }
    const checkpoint = await readCheckpoint(dir).catch((e: unknown) => {
      if (overwrite && e instanceof UserError) return undefined;
      throw e;
    });
    if (checkpoint) {
      if (checkpoint.fingerprint.sha256 === fp.sha256) return { kind: 'resume', lock, ledger: own.ledger, checkpoint };
      if (!overwrite) {
        const why = describeDifference(checkpoint.fingerprint, fp, checkpoint.config, config);
        throw new UserError(`output folder ${dir} holds an unfinished build of another configuration (${why}); run that build's command again to finish it, or pass --overwrite to start this one over it`);
      }
      await wipe(dir, own);
      return { kind: 'fresh', lock, ledger: FileLedger.read(dir), discarded: 'overwritten' };
    }
    const left = (await fs.readdir(dir)).filter((e) => e !== WORK_DIR);
    if (left.length > 0 || own.ledger.names().length > 0) {
      await wipe(dir, own);
      return { kind: 'fresh', lock, ledger: FileLedger.read(dir), ...(left.length > 0 ? { discarded: 'unfinished' as const } : {}) };
    }
    return { kind: 'fresh', lock, ledger: own.ledger, ...(st ? {} : { created: true }) };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/**
 * Removes what a killed build may have left that its checkpoint does not list: shards past the
 * last checkpoint and temporary files, of the names the ledger recorded (nothing else).
 */
export async function removeStrays(dir: string, ledger: FileLedger, keep: ReadonlySet<string>): Promise<void> {
  await removeRecorded(dir, ledger.names(), (rel) => !isShardFileName(rel) || keep.has(rel));
}

/**
 * Checks that every listed shard is on disk as a regular file with its recorded size and
 * sha256 (reading each once); a {@link UserError} built by `message` for the first that is not.
 * The names must be plain names inside `dir` (or `.skein/runs/` entries): a path that leaves the
 * folder is refused, never opened.
 */
export async function checkShardFiles(dir: string, shards: readonly ShardInfo[], message: (file: string, why: string) => string): Promise<void> {
  // Megatron pairs: both files (shardFiles); a malformed entry is checked as it is.
  for (const s of shards.flatMap((x) => (x && typeof x === 'object' ? shardFiles(x) : [x]))) {
    if (typeof s?.file !== 'string' || !isOwnableName(s.file)) throw new UserError(message(JSON.stringify(s?.file), 'is not a file name inside the folder'));
    const file = path.join(dir, ...s.file.split('/'));
    const st = await fs.lstat(file).catch(() => undefined);
    if (!st) throw new UserError(message(s.file, 'is missing'));
    if (!st.isFile()) throw new UserError(message(s.file, 'is not a regular file'));
    if (st.size !== s.bytes) throw new UserError(message(s.file, `has ${st.size} bytes, not the ${s.bytes} recorded`));
    if ((await hashFile(file)).sha256 !== s.sha256) throw new UserError(message(s.file, 'does not match its sha256'));
  }
}

/**
 * Checks that every shard a checkpoint lists as finished is on disk with its recorded size and
 * sha256 (a resumed build keeps them); a {@link UserError} naming the first that is not.
 */
export async function verifyFinishedShards(dir: string, shards: readonly ShardInfo[]): Promise<void> {
  await checkShardFiles(dir, shards, (file, why) => `shard ${path.join(dir, file)}, finished before the interruption, ${why} (the folder was modified); pass --overwrite to rebuild from the start`);
}
