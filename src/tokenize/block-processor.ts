import type { BlockProcessor } from '../sources/block-records.js';
import { decodeThreadsFor, StreamDecoders } from '../sources/stream-decoders.js';
import type { ChatRenderer } from './chat-render.js';
import { decodedBlock, decodedRowGroup, encodeBlock, encodeRowGroup, type BlockEncoding } from './encode-block.js';
import type { WorkerSetup } from './tokenize-workers.js';

/**
 * Bytes per line block: large enough that a block's round trip to a worker (a few tens of
 * microseconds of the main thread) is small next to its encoding (tens of milliseconds), small
 * enough that the blocks in flight stay a few MiB per worker.
 */
export const BLOCK_BYTES = 1 << 20;

/**
 * The {@link BlockProcessor} of a build: with a worker pool, each line block (and each Parquet row
 * group: a local file's path, or a remote one's bytes fetched by the main thread) goes to a worker,
 * which decodes, parses, maps and encodes its records (the main thread only cuts blocks, fetches
 * remote bytes and replays results),
 * with two blocks per worker in flight plus the one being replayed; without one (no workers, or
 * the native engine, which spreads each call over its own threads), the same functions run on
 * the main thread, so the documents, their ids and every reject are the same either way.
 */
export function blockProcessor(setup: WorkerSetup, chat: ChatRenderer | undefined, enc: BlockEncoding): BlockProcessor {
  const pooled = setup.pooled;
  if (pooled) {
    // With workers, gzip and zstd inputs are decompressed on threads too (stream-decoders.ts).
    const decoders = new StreamDecoders(decodeThreadsFor(pooled.workers));
    return {
      blockBytes: BLOCK_BYTES,
      depth: 2 * pooled.workers + 1,
      decoders,
      close: () => decoders.close(),
      process: async (block, ctx) => decodedBlock(await pooled.encodeBlock({ block: { bytes: block.bytes, firstLine: block.firstLine }, ctx, enc }), ctx),
      processRowGroup: async (group, ctx) => decodedRowGroup(await pooled.encodeRowGroup({ group, ctx, enc }), ctx),
    };
  }
  return {
    blockBytes: BLOCK_BYTES,
    depth: 2,
    process: async (block, ctx) => decodedBlock(await encodeBlock(setup.engine, chat, enc, block, ctx), ctx),
    processRowGroup: async (group, ctx) => decodedRowGroup(await encodeRowGroup(setup.engine, chat, enc, group, ctx), ctx),
  };
}
