import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { jsonText, syncDir, tempPathFor, writeFileAtomic } from '../shards/atomic-file.js';
import type { ShardInfo } from '../shards/shard-writer.js';
import { UserError } from '../util/errors.js';
import { decodeState, encodeState, type StateValue } from '../util/state-codec.js';
import type { BuildFingerprint } from './fingerprint.js';
import { WORK_DIR } from './output-lock.js';

/** The checkpoint file inside the work folder. */
export const RESUME_FILE = 'resume.json';
/** Value of its `format` key. */
export const RESUME_FORMAT = 'skein-resume';

/**
 * A resume checkpoint (written at every shard boundary): the shards finished so far, and the
 * whole build state at a document boundary before the last of them ended, so that a resumed
 * build re-creates the rows after that boundary and skips the first `rowsInShards −
 * state.rows_emitted` of them (they are in finished shards).
 */
export interface Checkpoint {
  fingerprint: BuildFingerprint;
  /** The config compared between runs (for messages naming what changed). */
  config: unknown;
  /** 1, 2, … in the order written. */
  seq: number;
  /** Finished shards, complete under their final names, with sha256. */
  shards: ShardInfo[];
  /** Rows in those shards. */
  rowsInShards: number;
  /** The build state (see the run loop's `LoopState`). */
  state: StateValue;
}

/** `resume.json` as stored. */
interface ResumeFile {
  format: typeof RESUME_FORMAT;
  version: 1;
  fingerprint: BuildFingerprint;
  config: unknown;
  checkpoint: number;
  shards: ShardInfo[];
  rows_in_shards: number;
  /** The binary side file holding the state's typed arrays (tokens of carried rows). */
  side: { file: string; bytes: number; sha256: string };
  state: unknown;
}

const sideName = (seq: number): string => `checkpoint-${String(seq).padStart(6, '0')}.bin`;

/**
 * Writes a checkpoint into `DIR/.skein/`: the side file (typed arrays) first, then
 * `resume.json` (atomically renamed over the previous one, which names its own side file),
 * then removes older side files. A crash at any point leaves a complete previous or new
 * checkpoint.
 */
export async function writeCheckpoint(dir: string, c: Checkpoint): Promise<void> {
  const work = path.join(dir, WORK_DIR);
  await fs.mkdir(work, { recursive: true });
  const enc = encodeState(c.state);
  const side = sideName(c.seq);
  const sidePath = path.join(work, side);
  const tmp = tempPathFor(sidePath);
  const hash = createHash('sha256');
  const fh = await fs.open(tmp, 'w');
  try {
    for (let i = 0; i < enc.chunks.length; i += 512) {
      const group = enc.chunks.slice(i, i + 512);
      for (const ch of group) hash.update(ch);
      let { bytesWritten } = await fh.writev(group);
      // A short write: finish the rest chunk by chunk.
      for (const ch of group) {
        if (bytesWritten >= ch.byteLength) {
          bytesWritten -= ch.byteLength;
          continue;
        }
        let rest = ch.subarray(bytesWritten);
        bytesWritten = 0;
        while (rest.byteLength > 0) rest = rest.subarray((await fh.write(rest)).bytesWritten);
      }
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, sidePath);
  const file: ResumeFile = {
    format: RESUME_FORMAT,
    version: 1,
    fingerprint: c.fingerprint,
    config: c.config,
    checkpoint: c.seq,
    shards: c.shards,
    rows_in_shards: c.rowsInShards,
    side: { file: side, bytes: enc.bytes, sha256: hash.digest('hex') },
    state: enc.json,
  };
  await writeFileAtomic(path.join(work, RESUME_FILE), jsonText(file));
  for (const name of await fs.readdir(work)) {
    if (/^checkpoint-\d+\.bin$/.test(name) && name !== side) await fs.rm(path.join(work, name), { force: true });
  }
  await syncDir(work);
}

/**
 * Reads the checkpoint of an output folder, or undefined when there is none. A damaged one (a
 * side file missing or not matching its sha256) is a {@link UserError} naming the fix.
 */
export async function readCheckpoint(dir: string): Promise<Checkpoint | undefined> {
  const work = path.join(dir, WORK_DIR);
  const file = path.join(work, RESUME_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const damaged = (why: string) => new UserError(`the checkpoint ${file} is damaged (${why}); pass --overwrite to start the build over`);
  let r: ResumeFile;
  try {
    r = JSON.parse(text) as ResumeFile;
  } catch (e) {
    throw damaged((e as Error).message);
  }
  if (r.format !== RESUME_FORMAT || r.version !== 1) throw damaged(`format ${JSON.stringify(r.format)} version ${JSON.stringify(r.version)}`);
  let side: Buffer;
  try {
    side = await fs.readFile(path.join(work, r.side.file));
  } catch {
    throw damaged(`its side file ${r.side.file} is missing`);
  }
  if (side.byteLength !== r.side.bytes || createHash('sha256').update(side).digest('hex') !== r.side.sha256) throw damaged(`its side file ${r.side.file} does not match its sha256`);
  return { fingerprint: r.fingerprint, config: r.config, seq: r.checkpoint, shards: r.shards, rowsInShards: r.rows_in_shards, state: decodeState(r.state, side) };
}

/** Removes the checkpoint files and the curriculum's sorted runs (the build finished). */
export async function removeCheckpoint(dir: string): Promise<void> {
  const work = path.join(dir, WORK_DIR);
  let names: string[];
  try {
    names = await fs.readdir(work);
  } catch {
    return;
  }
  for (const name of names) {
    if (name === RESUME_FILE || /^checkpoint-\d+\.bin$/.test(name) || name.endsWith('.tmp') || name === 'runs') await fs.rm(path.join(work, name), { recursive: true, force: true });
  }
}
