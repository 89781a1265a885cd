import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE, type Manifest } from '../shards/manifest.js';
import { shardFiles, type ShardInfo } from '../shards/shard-writer.js';
import { UserError } from '../util/errors.js';
import { readCheckpoint, type Checkpoint } from './checkpoint.js';
import { describeDifference, type BuildFingerprint } from './fingerprint.js';
import type { PipelineConfig } from './config-schema.js';
import { acquireLock, LOCK_FILE, WORK_DIR, type OutputLock } from './output-lock.js';

/** Names skein writes into an output folder (Arrow shards, Megatron .bin/.idx pairs); only these are ever removed. */
const OWN_FILE = /^(manifest\.json|state\.json|dataset_info\.json|rejects\.jsonl|shard-\d{5,}\.(?:arrow|bin|idx)|\.skein|\..*\.tmp|.*\.tmp)$/;

/** What a build does with its output folder. */
export type OutputPlan =
  | { kind: 'fresh'; lock: OutputLock; discarded?: 'unfinished' | 'overwritten' }
  | { kind: 'resume'; lock: OutputLock; checkpoint: Checkpoint }
  | { kind: 'done'; lock: OutputLock; manifest: Manifest };

/** The manifest of a folder, or undefined when there is none or it is unreadable. */
async function manifestIn(dir: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** Removes skein's own files from `dir` (never the lock, never anything else). */
async function wipe(dir: string): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    if (!OWN_FILE.test(name)) continue;
    if (name === WORK_DIR) {
      for (const w of await fs.readdir(path.join(dir, WORK_DIR))) if (w !== LOCK_FILE) await fs.rm(path.join(dir, WORK_DIR, w), { recursive: true, force: true });
    } else await fs.rm(path.join(dir, name), { recursive: true, force: true });
  }
}

/**
 * Opens an output folder for a build with fingerprint `fp`, under its lock (see `acquireLock`),
 * and decides what to do:
 *
 * - missing or empty: a fresh build;
 * - a finished build (manifest.json) with the same fingerprint: `done`, nothing to build;
 * - an unfinished build (a checkpoint in `.skein/resume.json`) with the same fingerprint: `resume`;
 * - skein files without manifest or checkpoint (a build killed before its first shard
 *   finished): discarded, fresh build;
 * - a finished or unfinished build with a different fingerprint: a {@link UserError} naming what
 *   differs, unless `overwrite` (then it is discarded);
 * - files skein did not write: always a {@link UserError}; they are never removed.
 *
 * The caller releases the lock when the build ends (or fails).
 */
export async function openOutput(dir: string, fp: BuildFingerprint, config: PipelineConfig, overwrite: boolean): Promise<OutputPlan> {
  try {
    const st = await fs.stat(dir);
    if (!st.isDirectory()) throw new UserError(`output ${dir} is a file; give a folder with --output`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await fs.mkdir(dir, { recursive: true });
  const foreign = (await fs.readdir(dir)).filter((e) => !OWN_FILE.test(e));
  if (foreign.length > 0) {
    throw new UserError(`output folder ${dir} holds files skein did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}); choose an empty or new folder with --output`);
  }
  const lock = acquireLock(dir);
  try {
    const manifest = await manifestIn(dir);
    if (manifest) {
      if (manifest.resume?.complete && manifest.resume.fingerprint === fp.sha256) return { kind: 'done', lock, manifest };
      if (!overwrite) {
        const stored = manifest.resume?.fingerprint ? { ...manifest.resume.fingerprint_parts, sha256: manifest.resume.fingerprint } : undefined;
        const why = describeDifference(stored as Partial<BuildFingerprint> | undefined, fp, manifest.config, config);
        throw new UserError(`output folder ${dir} holds a finished build of another configuration (${why}); pass --overwrite to replace it, or choose another --output`);
      }
      await wipe(dir);
      return { kind: 'fresh', lock, discarded: 'overwritten' };
    }
    const checkpoint = await readCheckpoint(dir).catch((e: unknown) => {
      if (overwrite && e instanceof UserError) return undefined;
      throw e;
    });
    if (checkpoint) {
      if (checkpoint.fingerprint.sha256 === fp.sha256) return { kind: 'resume', lock, checkpoint };
      if (!overwrite) {
        const why = describeDifference(checkpoint.fingerprint, fp, checkpoint.config, config);
        throw new UserError(`output folder ${dir} holds an unfinished build of another configuration (${why}); run that build's command again to finish it, or pass --overwrite to start this one over it`);
      }
      await wipe(dir);
      return { kind: 'fresh', lock, discarded: 'overwritten' };
    }
    const own = (await fs.readdir(dir)).filter((e) => e !== WORK_DIR);
    const work = await fs.readdir(path.join(dir, WORK_DIR));
    if (own.length > 0 || work.some((w) => w !== LOCK_FILE)) {
      await wipe(dir);
      return { kind: 'fresh', lock, discarded: 'unfinished' };
    }
    return { kind: 'fresh', lock };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** Removes files a killed build may have left that the checkpoint does not list: temporary files and shards past the last checkpoint. */
export async function removeStrays(dir: string, keep: ReadonlySet<string>): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    if (/^shard-\d{5,}\.(?:arrow|bin|idx)$/.test(name) && !keep.has(name)) await fs.rm(path.join(dir, name), { force: true });
    else if (/^\..*\.tmp$/.test(name)) await fs.rm(path.join(dir, name), { force: true });
  }
}

/**
 * Checks that every shard a checkpoint lists as finished is on disk with its recorded size and
 * sha256 (a resumed build keeps them); a {@link UserError} naming the first that is not.
 */
export async function verifyFinishedShards(dir: string, shards: readonly ShardInfo[]): Promise<void> {
  for (const s of shards.flatMap(shardFiles)) {
    const file = path.join(dir, s.file);
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      for await (const chunk of createReadStream(file)) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).byteLength;
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`shard ${file}, finished before the interruption, is missing; pass --overwrite to rebuild from the start`);
      throw e;
    }
    if (bytes !== s.bytes || hash.digest('hex') !== s.sha256) {
      throw new UserError(`shard ${file}, finished before the interruption, does not match its checksum (the folder was modified); pass --overwrite to rebuild from the start`);
    }
  }
}
