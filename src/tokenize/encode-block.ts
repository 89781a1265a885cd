import { readBlockRecords, type BlockContext, type BlockRecords, type RecordedReject, type RowGroupRecords, type RowGroupTask } from '../sources/block-records.js';
import { readRowGroupRecords } from '../sources/parquet-row-group.js';
import type { Doc } from '../sources/doc.js';
import type { LineBlock } from '../sources/line-blocker.js';
import type { ChatRenderer } from './chat-render.js';
import type { ChatTemplateName } from './chat-template.js';
import { encodeDocs, mixChars } from './encode-docs.js';
import type { TokenizerEngine } from './engine.js';

/** How a block's documents are encoded: what the build's tokenize stage would do with them. */
export interface BlockEncoding {
  /** BOS put in front of conversations (the policy's; plain texts get theirs on the main thread). */
  bos?: number;
  /** Chat template of conversations (`tokenizer.chat_template`). */
  chatTemplate?: ChatTemplateName;
  /** Compute each document's `chars` (the mixer counts lengths in characters). */
  chars: boolean;
}

/**
 * A block's documents and tokens as they travel back from a worker: columns instead of one
 * object per document, and every token (and loss-mask byte) in one buffer, so the main thread
 * receives a few transferred buffers and arrays of strings rather than thousands of objects.
 * Document i, at line or row `lines[i]`, has the ids `flat[offsets[i]..offsets[i+1])`; `kinds[i]` is 0 for a plain text,
 * 1 for a conversation (its loss mask at the same offsets in `masks`).
 */
export interface EncodedBlock {
  ids: string[];
  sources: string[];
  /** Whether `lines` holds line numbers (JSON lines) or row indexes (Parquet). */
  unit: 'line' | 'row';
  lines: Int32Array;
  kinds: Uint8Array;
  flat: Int32Array;
  offsets: Int32Array;
  masks: Uint8Array | null;
  chars: Float64Array | null;
  rejects: RecordedReject[];
}

/**
 * Reads a line block's records ({@link readBlockRecords}) and encodes its documents with one
 * `encodeDocs` call, as the build's tokenize stage does; what a tokenizer worker runs per block.
 */
export async function encodeBlock(engine: TokenizerEngine, chat: ChatRenderer | undefined, enc: BlockEncoding, block: Pick<LineBlock, 'bytes' | 'firstLine'>, bctx: BlockContext): Promise<EncodedBlock> {
  return encodeRecords(engine, chat, enc, readBlockRecords(block, bctx));
}

/** A row group read and encoded ({@link encodeRecords}), with what reading it needs to report. */
export type EncodedRowGroup = Omit<RowGroupRecords, 'docs' | 'rejects'> & { block: EncodedBlock };

/** Reads a Parquet row group (`readRowGroupRecords`) and encodes its documents: what a worker runs per row group. */
export async function encodeRowGroup(engine: TokenizerEngine, chat: ChatRenderer | undefined, enc: BlockEncoding, task: RowGroupTask, bctx: BlockContext): Promise<EncodedRowGroup> {
  const { docs, rejects, ...rest } = await readRowGroupRecords(task, bctx);
  return { ...rest, block: await encodeRecords(engine, chat, enc, { docs, rejects }) };
}

/** The main thread's side of {@link encodeRowGroup}. */
export function decodedRowGroup(r: EncodedRowGroup, bctx: BlockContext): RowGroupRecords {
  const { block, ...rest } = r;
  return { ...rest, ...decodedBlock(block, bctx) };
}

/**
 * Encodes records read elsewhere (a line block's, a row group's) with one `encodeDocs` call and
 * packs them as an {@link EncodedBlock}; documents are located by line or by row, as read.
 */
export async function encodeRecords(engine: TokenizerEngine, chat: ChatRenderer | undefined, enc: BlockEncoding, records: BlockRecords): Promise<EncodedBlock> {
  const { docs, rejects } = records;
  const chars = enc.chars ? Float64Array.from(docs, mixChars) : null;
  const encoded = docs.length ? await encodeDocs(engine, docs, chat, enc.bos) : [];
  const n = docs.length;
  const offsets = new Int32Array(n + 1);
  const kinds = new Uint8Array(n);
  const lines = new Int32Array(n);
  let anyChat = false;
  for (let i = 0; i < n; i++) {
    const e = encoded[i]!;
    kinds[i] = e.kind === 'chat' ? 1 : 0;
    anyChat ||= e.kind === 'chat';
    offsets[i + 1] = offsets[i]! + (e.kind === 'chat' ? e.tokens.length : e.ids.length);
    lines[i] = docs[i]!.loc.line ?? docs[i]!.loc.row!;
  }
  const flat = new Int32Array(offsets[n]!);
  const masks = anyChat ? new Uint8Array(offsets[n]!) : null;
  for (let i = 0; i < n; i++) {
    const e = encoded[i]!;
    if (e.kind === 'chat') {
      flat.set(e.tokens, offsets[i]!);
      masks!.set(e.lossMask, offsets[i]!);
    } else flat.set(e.ids, offsets[i]!);
  }
  const unit = docs.length > 0 && docs[0]!.loc.line === undefined ? 'row' : 'line';
  return { ids: docs.map((d) => d.id), sources: docs.map((d) => d.source), unit, lines, kinds, flat, offsets, masks, chars, rejects };
}

/** The buffers of an {@link EncodedBlock} to transfer (move, not copy) to the main thread. */
export function encodedBlockBuffers(b: EncodedBlock): ArrayBuffer[] {
  const all = [b.lines, b.kinds, b.flat, b.offsets, b.masks, b.chars].filter((a) => a !== null);
  return all.map((a) => a.buffer as ArrayBuffer);
}

/**
 * The main thread's side of {@link encodeBlock}: the block's documents with their ids attached
 * (`encoded`: views of the block's buffer for plain texts, which the BOS/EOS policy copies;
 * copies for conversations, whose tokens are kept as they are) and its rejects.
 */
export function decodedBlock(b: EncodedBlock, bctx: BlockContext): BlockRecords {
  const docs: Doc[] = [];
  const member = bctx.member;
  for (let i = 0; i < b.ids.length; i++) {
    const s = b.offsets[i]!;
    const e = b.offsets[i + 1]!;
    const at = b.unit === 'row' ? { row: b.lines[i]! } : { line: b.lines[i]! };
    const loc = member !== undefined ? { file: bctx.displayPath, member, ...at } : { file: bctx.displayPath, ...at };
    const doc: Doc = {
      id: b.ids[i]!,
      source: b.sources[i]!,
      loc,
      encoded: b.kinds[i] === 1 ? { kind: 'chat', tokens: b.flat.slice(s, e), lossMask: b.masks!.slice(s, e) } : { kind: 'text', ids: b.flat.subarray(s, e) },
    };
    if (b.chars) doc.chars = b.chars[i]!;
    docs.push(doc);
  }
  return { docs, rejects: b.rejects };
}
