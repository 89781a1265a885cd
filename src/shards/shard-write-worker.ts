/**
 * The shard-writing thread (see `ShardWriteThread`): it owns one {@link ArrowShardFile} and runs
 * the main thread's requests on it one at a time, in the order they were posted (open, append,
 * finish, discard), answering each with its result or its error. After a failure every later
 * request except `discard` gets the same error, so the first one reaches the main thread whichever
 * request it awaits. Always run compiled (see `compiledWorkerUrl` in util/worker-file.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ArrowShardFile } from './arrow-shard-file.js';
import { serializeError, type ShardWriteReady, type ShardWriteReply, type ShardWriteRequest, type ShardWriteWorkerData } from './shard-write-protocol.js';

const port = parentPort;
if (!port) throw new Error('shard-write-worker.js runs as a worker thread only');
const { cols } = workerData as ShardWriteWorkerData;
const file = new ArrowShardFile(cols);
let failure: unknown;
let queue: Promise<void> = Promise.resolve();

/** Runs one request and posts its reply. */
async function handle(req: ShardWriteRequest): Promise<ShardWriteReply> {
  if (failure !== undefined && req.op !== 'discard') return { id: req.id, ok: false, error: serializeError(failure) };
  try {
    switch (req.op) {
      case 'open':
        await file.open(req.tmp);
        return { id: req.id, ok: true };
      case 'append':
        await file.append(req.rows);
        return { id: req.id, ok: true };
      case 'finish':
        return { id: req.id, ok: true, finished: await file.finish(req.path) };
      case 'discard':
        await file.discard();
        failure = undefined;
        return { id: req.id, ok: true };
    }
  } catch (e) {
    failure = e;
    return { id: req.id, ok: false, error: serializeError(e) };
  }
}

port.on('message', (req: ShardWriteRequest) => {
  queue = queue.then(async () => port.postMessage(await handle(req)));
});
port.postMessage({ ready: true } satisfies ShardWriteReady);
