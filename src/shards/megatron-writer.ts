import { createHash, type Hash } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import type { Sample } from '../samples/sample.js';
import { withPath } from '../util/environment-error.js';
import { UserError } from '../util/errors.js';
import { syncDir, tempPathFor, writeFileAtomic } from './atomic-file.js';
import { checkSample } from './record-batch.js';
import { SerialRowWriter } from './serial-writer.js';
import { writeFully } from './arrow-shard-file.js';

/**
 * Megatron-core's `IndexedDataset` on-disk format (megatron/core/datasets/indexed_dataset.py in
 * NVIDIA/Megatron-LM), written from scratch here because no JavaScript library writes it:
 *
 * - `PREFIX.bin`: the token ids of every sequence, back to back, in the dtype of the index, little
 *   endian, no header.
 * - `PREFIX.idx`: the 9 bytes `MMIDIDX\0\0`; the version, u64 = 1; the dtype code, u8 (4 = int32,
 *   8 = uint16); the sequence count N, u64; the document-index count D, u64; then N int32 sequence
 *   lengths (tokens); N int64 sequence pointers (byte offset of each sequence in the .bin); D int64
 *   document indices (0, then the sequence index where each document ends).
 *
 * Megatron's GPTDataset treats every sequence as a document (what `preprocess_data.py` writes
 * without `--split-sentences`), so skein writes one sequence per document and D = N + 1.
 */
export const MEGATRON_INDEX_MAGIC = Uint8Array.from([0x4d, 0x4d, 0x49, 0x44, 0x49, 0x44, 0x58, 0x00, 0x00]);

/** The token dtypes skein writes, with Megatron's numeric codes. */
export const MEGATRON_DTYPE_CODES = { uint16: 8, int32: 4 } as const;
/** A token dtype of a Megatron `.bin`. */
export type MegatronDtype = keyof typeof MEGATRON_DTYPE_CODES;

/**
 * The token dtype Megatron-core picks for a vocabulary (`DType.optimal_dtype`, used by
 * `preprocess_data.py`): uint16 when it has fewer than 65,500 ids, else int32.
 */
export function megatronDtype(vocabSize: number): MegatronDtype {
  return vocabSize < 65500 ? 'uint16' : 'int32';
}

/** Bytes per token of a dtype. */
const ITEM_SIZE: Record<MegatronDtype, number> = { uint16: 2, int32: 4 };

/** The `.idx` bytes of a shard whose sequences (one per document) have these token lengths. */
export function megatronIndex(lengths: readonly number[], dtype: MegatronDtype): Uint8Array {
  const n = lengths.length;
  const headerBytes = MEGATRON_INDEX_MAGIC.length + 8 + 1 + 8 + 8;
  const out = new Uint8Array(headerBytes + 4 * n + 8 * n + 8 * (n + 1));
  const view = new DataView(out.buffer);
  out.set(MEGATRON_INDEX_MAGIC, 0);
  let at = MEGATRON_INDEX_MAGIC.length;
  view.setBigUint64(at, 1n, true);
  at += 8;
  view.setUint8(at, MEGATRON_DTYPE_CODES[dtype]);
  at += 1;
  view.setBigUint64(at, BigInt(n), true);
  at += 8;
  view.setBigUint64(at, BigInt(n + 1), true);
  at += 8;
  for (const len of lengths) {
    view.setInt32(at, len, true);
    at += 4;
  }
  let pointer = 0n;
  const size = BigInt(ITEM_SIZE[dtype]);
  for (const len of lengths) {
    view.setBigInt64(at, pointer, true);
    at += 8;
    pointer += BigInt(len) * size;
  }
  for (let d = 0; d <= n; d++) {
    view.setBigInt64(at, BigInt(d), true);
    at += 8;
  }
  return out;
}

/** What a Megatron document is: each document of the rows, or each row. */
export type MegatronDocuments = 'documents' | 'rows';

/** Options of {@link MegatronShardWriter}. */
export interface MegatronWriterOptions {
  /** Token dtype of the `.bin` files (see {@link megatronDtype}); ids that do not fit are refused. */
  dtype: MegatronDtype;
  /**
   * `documents`: every document piece of a row is a Megatron document, and a piece a row cut
   * (`Sample.continues`) is joined to its continuation in the next row; `rows`: every row is one.
   */
  documents: MegatronDocuments;
  /** Target tokens per shard: a pair is closed at the first document end at or after it. */
  shardTokens: number;
  /** File name prefix (default `shard`): `PREFIX-00000.bin` + `PREFIX-00000.idx`, … */
  prefix?: string;
  /** Index of the first pair written (default 0; a resumed build continues the numbering). */
  firstIndex?: number;
  /** Whether `close` writes one empty pair when no sample came (default true). */
  writeEmptyShard?: boolean;
  /** Called with each file name (relative to the folder) before the file is created (the build's ledger). */
  onCreate?: (file: string) => void | Promise<void>;
}

/** Bytes of converted tokens gathered before one write to the `.bin`. */
const WRITE_CHUNK_BYTES = 1 << 20;

/** The pair being written. */
interface OpenPair {
  index: number;
  binFile: string;
  binTmp: string;
  fh: FileHandle;
  hash: Hash;
  bytes: number;
  rows: number;
  tokens: number;
  /** Token count of each document so far. */
  lengths: number[];
  pending: Uint8Array[];
  pendingBytes: number;
}

/** The file names of Megatron pair `index`: `PREFIX-NNNNN.bin` and `PREFIX-NNNNN.idx`. */
export function megatronFileNames(prefix: string, index: number): { bin: string; idx: string } {
  const stem = `${prefix}-${String(index).padStart(5, '0')}`;
  return { bin: `${stem}.bin`, idx: `${stem}.idx` };
}

/**
 * Writes rows as numbered Megatron-core `IndexedDataset` pairs (see {@link MEGATRON_INDEX_MAGIC}):
 * the `.bin` is streamed to a temporary name as rows come (sha256 computed on the way), the
 * `.idx` is written when the pair is complete, then both are fsync'd and renamed; a final name
 * never holds a partial file. Memory: the current pair's document lengths (12 bytes per document)
 * and at most 1 MB of converted tokens. The bytes depend only on the rows and the options.
 *
 * A pair closes at the first document end at or after `shardTokens` tokens, inside a row if need
 * be, so a document is never split between two pairs (Megatron would read the halves as two
 * documents). A shard's `rows` counts the rows whose last token it holds (what a resumed build
 * keeps; the head of a row split between pairs is skipped on resume, see {@link skipTokens}),
 * `tokens` the tokens it holds and `documents` its Megatron sequences.
 *
 * A token id outside the dtype (below 0, or above 65,535 for uint16) is a {@link UserError}:
 * ids are never wrapped.
 */
export class MegatronShardWriter extends SerialRowWriter {
  private readonly prefix: string;
  private nextIndex: number;
  private current: OpenPair | null = null;
  private rowsSeen = 0;
  /** The last document of the current pair goes on in the next row. */
  private openDocument = false;
  /** Tokens still to skip at the start of the rows to come (see {@link skipTokens}). */
  private skip = 0;
  private madeDir = false;

  /** Creates a writer into `dir` (created if missing); no file is opened before the first write. */
  constructor(readonly dir: string, private readonly opts: MegatronWriterOptions) {
    super('MegatronShardWriter', opts.writeEmptyShard ?? true);
    if (endianness() !== 'LE') throw new Error('the Megatron writer needs a little-endian machine (Megatron files are little endian)');
    if (!Number.isInteger(opts.shardTokens) || opts.shardTokens < 1) throw new RangeError(`MegatronShardWriter option shardTokens must be a positive integer, got ${opts.shardTokens}`);
    this.prefix = opts.prefix ?? 'shard';
    this.nextIndex = opts.firstIndex ?? 0;
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(this.prefix)) throw new RangeError(`MegatronShardWriter option prefix must be a plain file name prefix, got ${JSON.stringify(this.prefix)}`);
  }

  /**
   * Resuming: the next `n` tokens of the rows written are already in finished pairs (a pair ends at
   * a document end, which may lie inside a row, and the build resumes at whole rows), so they are
   * not written again. Call it before the first `write`.
   */
  skipTokens(n: number): void {
    if (this.rowsSeen > 0) throw new Error('MegatronShardWriter.skipTokens must come before the first write');
    this.skip = n;
  }

  protected override async finishOpen(): Promise<boolean> {
    if (!this.current) return false;
    await this.finishPair();
    return true;
  }

  protected override async writeEmptyShard(): Promise<void> {
    await this.openPair();
    await this.finishPair();
  }

  protected override async discardOpen(): Promise<void> {
    const pair = this.current;
    this.current = null;
    if (pair) {
      await pair.fh.close().catch(() => undefined);
      await rm(pair.binTmp, { force: true });
    }
  }

  protected override async writeOne(sample: Sample): Promise<void> {
    const row = this.rowsSeen++;
    // Only tokens and document lengths are written; the other fields are checked for consistency.
    checkSample(sample, { positionIds: sample.positionIds !== undefined, lossMask: sample.lossMask !== undefined, docSources: sample.docSources !== undefined }, row);
    const bytes = this.encode(sample.inputIds, row);
    const item = ITEM_SIZE[this.opts.dtype];
    const byRows = this.opts.documents === 'rows';
    const pieces = byRows ? [sample.inputIds.length] : Array.from(sample.docLengths);
    let at = 0;
    let counted = false;
    for (let k = 0; k < pieces.length; k++) {
      let len = pieces[k]!;
      const last = k === pieces.length - 1;
      // Whether this piece ends its document (a piece a row cut goes on in the next row).
      const ends = byRows || !(last && sample.continues === true);
      if (this.skip > 0) {
        const s = Math.min(this.skip, len);
        this.skip -= s;
        at += s;
        len -= s;
        if (len > 0) throw new Error('MegatronShardWriter: a resumed build skipped into the middle of a document (finished pairs end at document ends)');
        continue;
      }
      if (!this.current) await this.openPair();
      const pair = this.current!;
      const chunk = bytes.subarray(at * item, (at + len) * item);
      pair.pending.push(chunk);
      pair.pendingBytes += chunk.byteLength;
      if (this.openDocument) pair.lengths[pair.lengths.length - 1]! += len;
      else pair.lengths.push(len);
      pair.tokens += len;
      at += len;
      this.openDocument = !ends;
      if (last) {
        pair.rows++;
        counted = true;
      }
      if (pair.pendingBytes >= WRITE_CHUNK_BYTES) await this.flush(pair);
      if (ends && pair.tokens >= this.opts.shardTokens) await this.finishPair();
    }
    if (!counted && pieces.length > 0) throw new Error('MegatronShardWriter: a row was skipped whole on resume; it belongs to a finished pair');
  }

  /** The row's ids in the pair's dtype, refusing any id that does not fit. */
  private encode(ids: Int32Array, row: number): Uint8Array {
    const max = this.opts.dtype === 'uint16' ? 0xffff : 0x7fffffff;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id < 0 || id > max) {
        throw new UserError(
          `token id ${id} (row ${row}, position ${i}) does not fit the Megatron token dtype ${this.opts.dtype} chosen from the tokenizer's vocabulary size: the tokenizer reports a vocabulary smaller than the ids it produces; fix its vocabulary or use output.format arrow`,
        );
      }
    }
    if (this.opts.dtype === 'int32') return new Uint8Array(ids.buffer.slice(ids.byteOffset, ids.byteOffset + ids.byteLength));
    const out = Uint16Array.from(ids);
    return new Uint8Array(out.buffer);
  }

  private async openPair(): Promise<void> {
    if (!this.madeDir) {
      await mkdir(this.dir, { recursive: true });
      this.madeDir = true;
    }
    const index = this.nextIndex++;
    const binFile = megatronFileNames(this.prefix, index).bin;
    const binTmp = tempPathFor(join(this.dir, binFile));
    await this.opts.onCreate?.(binFile);
    const fh = await open(binTmp, 'w');
    this.current = { index, binFile, binTmp, fh, hash: createHash('sha256'), bytes: 0, rows: 0, tokens: 0, lengths: [], pending: [], pendingBytes: 0 };
  }

  private async flush(pair: OpenPair): Promise<void> {
    const chunks = pair.pending;
    pair.pending = [];
    pair.pendingBytes = 0;
    for (const c of chunks) {
      pair.hash.update(c);
      pair.bytes += c.byteLength;
    }
    await writeFully(pair.fh, chunks).catch((e: unknown) => Promise.reject(withPath(e, pair.binTmp)));
  }

  private async finishPair(): Promise<void> {
    const pair = this.current!;
    await this.flush(pair);
    await pair.fh.sync().catch((e: unknown) => Promise.reject(withPath(e, pair.binTmp)));
    await pair.fh.close();
    const names = megatronFileNames(this.prefix, pair.index);
    const idxBytes = megatronIndex(pair.lengths, this.opts.dtype);
    await this.opts.onCreate?.(names.idx);
    await writeFileAtomic(join(this.dir, names.idx), idxBytes);
    await rename(pair.binTmp, join(this.dir, names.bin));
    await syncDir(this.dir);
    this.current = null;
    this.openDocument = false;
    this.done.push({
      file: names.bin,
      rows: pair.rows,
      tokens: pair.tokens,
      bytes: pair.bytes,
      sha256: pair.hash.digest('hex'),
      index: { file: names.idx, bytes: idxBytes.byteLength, sha256: createHash('sha256').update(idxBytes).digest('hex') },
      documents: pair.lengths.length,
    });
  }
}
