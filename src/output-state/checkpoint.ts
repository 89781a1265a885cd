import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFully } from '../shards/arrow-shard-file.js';
import { jsonText, syncDir, tempPathFor, writeFileAtomic } from '../shards/atomic-file.js';
import { megatronFileNames } from '../shards/megatron-writer.js';
import { shardFileName, type ShardInfo } from '../shards/shard-writer.js';
import { withPath } from '../util/environment-error.js';
import { UserError } from '../util/errors.js';
import { decodeState, encodeState, type StateValue } from '../util/state-codec.js';
import type { FileLedger } from './file-ledger.js';
import type { BuildFingerprint } from './fingerprint.js';
import { WORK_DIR } from './output-lock.js';
import { removeOwnedFile, removeRecorded } from './owned-files.js';

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
  /** sha256 of this file's JSON text without this key: an edited checkpoint is refused. */
  sha256?: string;
}

/** The sha256 of a resume file's content (every key but `sha256`, as written). */
function contentHash(r: ResumeFile): string {
  const { sha256: _, ...rest } = r;
  return createHash('sha256').update(jsonText(rest)).digest('hex');
}

const SIDE_NAME = /^checkpoint-\d{6,}\.bin$/;
const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isHex64 = (s: unknown): s is string => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);

/**
 * Why a parsed resume file cannot be trusted, or undefined when it is consistent: its own
 * checksum, the shard list (the names a build writes, in order, each with counts and a sha256),
 * `rows_in_shards` equal to their rows, the side file's name, and a state with a reader position.
 */
function inconsistency(r: ResumeFile): string | undefined {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return 'it is not a JSON object';
  if (r.format !== RESUME_FORMAT || r.version !== 1) return `format ${JSON.stringify(r.format)} version ${JSON.stringify(r.version)}`;
  if (typeof r.sha256 !== 'string' || r.sha256 !== contentHash(r)) return 'its content does not match its sha256: it was edited or damaged';
  if (!r.fingerprint || typeof r.fingerprint.sha256 !== 'string') return 'it has no build fingerprint';
  if (!Number.isSafeInteger(r.checkpoint) || r.checkpoint < 1) return 'its sequence number is not a positive integer';
  if (!Array.isArray(r.shards)) return 'its shard list is not a list';
  let rows = 0;
  for (const [i, s] of r.shards.entries()) {
    // An Arrow shard, or a Megatron pair (output.format megatron): its .bin, with the .idx as `index`.
    const pair = megatronFileNames('shard', i);
    const megatron = s?.file === pair.bin && s.index?.file === pair.idx && isCount(s.index.bytes) && isHex64(s.index.sha256);
    if (!s || (s.file !== shardFileName('shard', i) && !megatron)) return `shard ${i} of its list is not ${shardFileName('shard', i)} (or the pair ${pair.bin} + ${pair.idx})`;
    if (!isCount(s.rows) || !isCount(s.tokens) || !isCount(s.bytes) || !isHex64(s.sha256)) return `its entry for ${s.file} lacks rows, tokens, bytes or sha256`;
    rows += s.rows;
  }
  if (r.rows_in_shards !== rows) return `rows_in_shards ${r.rows_in_shards} is not the ${rows} rows of its shards`;
  if (!r.side || typeof r.side.file !== 'string' || !SIDE_NAME.test(r.side.file) || !isCount(r.side.bytes) || !isHex64(r.side.sha256)) return 'its side file entry is malformed';
  const state = r.state as { reader?: unknown } | null;
  if (!state || typeof state !== 'object' || !state.reader || typeof state.reader !== 'object') return 'it holds no reader position';
  return undefined;
}

const sideName = (seq: number): string => `checkpoint-${String(seq).padStart(6, '0')}.bin`;

/**
 * Writes a checkpoint into `DIR/.skein/`: the side file (typed arrays) first, then
 * `resume.json` (atomically renamed over the previous one, which names its own side file),
 * then removes older side files. A crash at any point leaves a complete previous or new
 * checkpoint.
 */
export async function writeCheckpoint(dir: string, c: Checkpoint, ledger: FileLedger): Promise<void> {
  const work = path.join(dir, WORK_DIR);
  const enc = encodeState(c.state);
  const side = sideName(c.seq);
  const previous = ledger.names().filter((n) => n.startsWith(`${WORK_DIR}/checkpoint-`) && n !== `${WORK_DIR}/${side}`);
  ledger.recordAll([`${WORK_DIR}/${side}`, `${WORK_DIR}/${RESUME_FILE}`]);
  const sidePath = path.join(work, side);
  const tmp = tempPathFor(sidePath);
  const hash = createHash('sha256');
  const fh = await fs.open(tmp, 'w');
  try {
    for (let i = 0; i < enc.chunks.length; i += 512) {
      const group = enc.chunks.slice(i, i + 512);
      for (const ch of group) hash.update(ch);
      await writeFully(fh, group);
    }
    await fh.sync();
  } catch (e) {
    throw withPath(e, tmp);
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
  file.sha256 = contentHash(file);
  await writeFileAtomic(path.join(work, RESUME_FILE), jsonText(file));
  for (const name of previous) await removeOwnedFile(dir, name);
  await syncDir(work);
}

/**
 * Reads the checkpoint of an output folder, or undefined when there is none. One that cannot be
 * trusted is a {@link UserError} naming the fix: not a file, not JSON, edited (its own sha256),
 * inconsistent (see the checks in `inconsistency`), or a side file missing or not matching its
 * sha256. What it claims about the shards on disk is verified by the caller (`verifyFinishedShards`).
 */
export async function readCheckpoint(dir: string): Promise<Checkpoint | undefined> {
  const work = path.join(dir, WORK_DIR);
  const file = path.join(work, RESUME_FILE);
  const damaged = (why: string) => new UserError(`the checkpoint ${file} is damaged (${why}); pass --overwrite to start the build over`);
  let text: string;
  try {
    const st = await fs.lstat(file);
    if (!st.isFile()) throw damaged(`it is ${st.isDirectory() ? 'a folder' : 'not a regular file'}`);
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw damaged((e as Error).message);
  }
  let r: ResumeFile;
  try {
    r = JSON.parse(text) as ResumeFile;
  } catch (e) {
    throw damaged((e as Error).message);
  }
  const why = inconsistency(r);
  if (why) throw damaged(why);
  let side: Buffer;
  try {
    side = await fs.readFile(path.join(work, r.side.file));
  } catch {
    throw damaged(`its side file ${r.side.file} is missing`);
  }
  if (side.byteLength !== r.side.bytes || createHash('sha256').update(side).digest('hex') !== r.side.sha256) throw damaged(`its side file ${r.side.file} does not match its sha256`);
  let state: StateValue;
  try {
    state = decodeState(r.state, side);
  } catch (e) {
    throw damaged((e as Error).message);
  }
  return { fingerprint: r.fingerprint, config: r.config, seq: r.checkpoint, shards: r.shards, rowsInShards: r.rows_in_shards, state };
}

/**
 * The build is finished and its manifest names every file: removes the checkpoint files and the
 * curriculum's sorted runs the ledger recorded, then the ledger itself.
 */
export async function removeCheckpoint(dir: string, ledger: FileLedger): Promise<void> {
  await removeRecorded(dir, ledger.names().filter((name) => name.startsWith(`${WORK_DIR}/`)));
  ledger.reset();
}
