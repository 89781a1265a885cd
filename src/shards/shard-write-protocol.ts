import type { FinishedFile } from './arrow-shard-file.js';
import type { ColumnSet } from './columns.js';
import type { Sample } from '../samples/sample.js';

/** What the shard-writing thread is started with: the columns its shards carry. */
export interface ShardWriteWorkerData {
  cols: ColumnSet;
}

/** A request to the shard-writing thread; `id` pairs it with its reply. */
export type ShardWriteRequest =
  | { id: number; op: 'open'; tmp: string }
  | { id: number; op: 'append'; rows: Sample[] }
  | { id: number; op: 'finish'; path: string }
  | { id: number; op: 'discard' };

/** An error as it crosses threads: structured clone keeps only an Error's name, message and stack, not a system error's code and path. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  syscall?: string;
  path?: string;
  errno?: number;
}

/** The reply to one {@link ShardWriteRequest}. */
export type ShardWriteReply = { id: number; ok: true; finished?: FinishedFile } | { id: number; ok: false; error: SerializedError };

/** Posted once by the thread when it has loaded and takes requests. */
export interface ShardWriteReady {
  ready: true;
}

/** {@link SerializedError} of any thrown value. */
export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const err = e as NodeJS.ErrnoException;
  const out: SerializedError = { name: err.name, message: err.message };
  if (err.stack !== undefined) out.stack = err.stack;
  if (typeof err.code === 'string') out.code = err.code;
  if (typeof err.syscall === 'string') out.syscall = err.syscall;
  if (typeof err.path === 'string') out.path = err.path;
  if (typeof err.errno === 'number') out.errno = err.errno;
  return out;
}

/** The Error a {@link SerializedError} describes, with its code, syscall and path, so that environment errors read as they would on the main thread. */
export function deserializeError(s: SerializedError): Error {
  const err = new Error(s.message) as NodeJS.ErrnoException;
  err.name = s.name;
  if (s.stack !== undefined) err.stack = s.stack;
  if (s.code !== undefined) err.code = s.code;
  if (s.syscall !== undefined) err.syscall = s.syscall;
  if (s.path !== undefined) err.path = s.path;
  if (s.errno !== undefined) err.errno = s.errno;
  return err;
}
