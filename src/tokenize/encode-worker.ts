/**
 * The worker side of the tokenizer pool (see `pool-engine.ts`): each worker thread loads the
 * same tokenizer as the main thread, once, from the options in piscina's `workerData`, and
 * encodes the sub-batches it is given with that engine's own `encodeBatch` — so its ids are the
 * main thread's ids, special-token text included (plain text, never a control token).
 *
 * Added tokens (augmenters' markers) are not needed here: `encodeBatch` never produces them.
 *
 * Always run compiled (see `compiledWorkerUrl` in util/worker-file.ts): piscina's `require()` of this ES
 * module fails and it falls back to `import()`, so the tokenizer loads once, at the top-level
 * `await` below, before the first task.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { move, transferableSymbol, valueSymbol, workerData } from 'piscina';
import { ChatRenderer } from './chat-render.js';
import type { ChatTemplateName } from './chat-template.js';
import { encodeBlock, encodedBlockBuffers, encodeRowGroup } from './encode-block.js';
import { loadTokenizer } from './load-tokenizer.js';
import type { BlockTask, PackedIds, PoolWorkerData, RowGroupJob } from './pool-engine.js';

const { load, loaded } = workerData as PoolWorkerData;
const engine = await loadTokenizer(load);
Atomics.add(loaded, 0, 1);

/**
 * A full garbage collection every {@link GC_EVERY_CHARS} characters encoded. Documents of 128 KB
 * and more arrive as large-object-space strings that only a full collection frees, and V8 lets
 * that space grow for as long as the process runs: measured, a 2-worker build's RSS climbed from
 * 550 to 780 MB over a 1 GB corpus before a collection brought it back to 500 MB, so peak memory
 * depended on corpus size. Collecting on a fixed schedule bounds it by the schedule instead.
 * `gc` is not exposed by default; the flag is set at run time and read from a fresh context.
 */
const GC_EVERY_CHARS = 64 << 20;
v8.setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void;
let charsSinceGc = 0;

/**
 * Encodes `texts` and returns their ids in input order, packed as {@link PackedIds} whose two
 * buffers are moved (in the transfer list), not copied, to the main thread.
 */
export default async function encodeTexts(texts: string[]): Promise<unknown> {
  const ids = await engine.encodeBatch(texts);
  let chars = 0;
  for (const t of texts) chars += t.length;
  collectEvery(chars);
  // All ids in one buffer with offsets: two transfers per task instead of one per document.
  const offsets = new Int32Array(ids.length + 1);
  for (let i = 0; i < ids.length; i++) offsets[i + 1] = offsets[i]! + ids[i]!.length;
  const flat = new Int32Array(offsets[ids.length]!);
  for (let i = 0; i < ids.length; i++) flat.set(ids[i]!, offsets[i]!);
  const packed: PackedIds = { flat, offsets };
  return moved(packed, [flat.buffer, offsets.buffer]);
}

/** The chat renderers made so far, by template (each looks its control tokens up once). */
const renderers = new Map<ChatTemplateName, ChatRenderer>();

/**
 * Reads and encodes one line block (see `encodeBlock`): parsing, field mapping, the bad-input
 * rules and tokenization all happen here; the result's buffers are moved to the main thread.
 */
export async function encodeBlockTask(task: BlockTask): Promise<unknown> {
  const out = await encodeBlock(engine, rendererFor(task.enc.chatTemplate), task.enc, task.block, task.ctx);
  collectEvery(task.block.bytes.length);
  return moved(out, encodedBlockBuffers(out));
}

/** Reads and encodes one Parquet row group, a local file's or fetched bytes (see `encodeRowGroup`); buffers moved as for blocks. */
export async function encodeRowGroupTask(task: RowGroupJob): Promise<unknown> {
  const out = await encodeRowGroup(engine, rendererFor(task.enc.chatTemplate), task.enc, task.group, task.ctx);
  collectEvery(out.block.flat.length * 4);
  return moved(out, encodedBlockBuffers(out.block));
}

/** The chat renderer of template `name` (made once per template), or none. */
function rendererFor(name: ChatTemplateName | undefined): ChatRenderer | undefined {
  if (name === undefined) return undefined;
  const chat = renderers.get(name) ?? ChatRenderer.create(engine, name);
  renderers.set(name, chat);
  return chat;
}

/** Counts work done and runs a full collection every {@link GC_EVERY_CHARS}. */
function collectEvery(n: number): void {
  charsSinceGc += n;
  if (charsSinceGc >= GC_EVERY_CHARS) {
    charsSinceGc = 0;
    fullGc();
  }
}

/** `value` as piscina's movable result: `buffers` are transferred to the main thread, not copied. */
function moved(value: unknown, buffers: ArrayBufferLike[]): unknown {
  return move({
    get [transferableSymbol]() {
      return buffers;
    },
    get [valueSymbol]() {
      return value;
    },
  } as never);
}
