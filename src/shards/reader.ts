import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataType, RecordBatchReader, Type, type Data, type Field, type RecordBatch, type Schema } from 'apache-arrow';
import type { Sample } from '../samples/sample.js';
import { UserError } from '../util/errors.js';
import { columnLayout, columnSetFromNames, type ColumnSet, type ElementDtype } from './columns.js';
import { readManifest, type Manifest } from './manifest.js';
import { positionIds, segmentIds } from './positions.js';
import { shardFiles, type ShardInfo } from './shard-writer.js';

/**
 * One training row as the trainer consumes it. `inputIds`, `docLengths`, an explicit
 * `positionIds` and `lossMask` are views into the record batch read from disk (no copy; they
 * stay valid for as long as they are referenced); reconstructed `positionIds`, `segmentIds` and
 * `docSources` are computed per row (see positions.ts for the reconstruction).
 */
export interface Row {
  inputIds: Int32Array;
  docLengths: Int32Array;
  /** The `position_ids` column when the manifest says `explicit`, else reconstructed. */
  positionIds: Int32Array;
  /** Per-token document ordinal under `document` attention, all 0 under `causal`. */
  segmentIds: Int32Array;
  /** 1 = prediction target; absent when the dataset has no `loss_mask` column. */
  lossMask?: Uint8Array;
  /** Source name per document piece; absent when the dataset has no `doc_sources` column. */
  docSources?: string[];
}

/** An opened skein dataset folder. */
export interface Dataset {
  /** The folder. */
  dir: string;
  /** Its manifest. */
  manifest: Manifest;
  /** Which optional columns its shards carry (from the manifest). */
  columns: ColumnSet;
  /**
   * Every row of every shard, shards in manifest order, rows in file order, read record batch by
   * record batch through a file stream, so memory is bounded by one batch. A new call starts over.
   */
  rows(): AsyncGenerator<Row>;
  /**
   * The rows of the manifest's shard number `index` only, read the same way as {@link rows}
   * (a trainer uses it to visit shards in a shuffled order).
   */
  shardRows(index: number): AsyncGenerator<Row>;
}

/** Throws a {@link UserError} naming the shard when its file is missing. */
async function assertShardExists(dir: string, shard: ShardInfo): Promise<string> {
  const path = join(dir, shard.file);
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new UserError(`shard ${path} listed in the manifest is not a file`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`shard ${path} listed in ${join(dir, 'manifest.json')} is missing: restore it or rebuild the dataset`);
    }
    throw err;
  }
  return path;
}

/** Whether an Arrow type is the element type skein writes for a dtype. */
function isElement(type: DataType, dtype: ElementDtype): boolean {
  switch (dtype) {
    case 'int32':
      return DataType.isInt(type) && type.bitWidth === 32 && type.isSigned;
    case 'uint8':
      return DataType.isInt(type) && type.bitWidth === 8 && !type.isSigned;
    case 'string':
      return type.typeId === Type.Utf8;
  }
}

/** The index of each column in a shard's schema, checking names and types against the manifest. */
function columnIndexes(schema: Schema, cols: ColumnSet, path: string): Map<string, number> {
  const index = new Map<string, number>();
  for (const { name, dtype } of columnLayout(cols)) {
    const i = schema.fields.findIndex((f: Field) => f.name === name);
    const field = schema.fields[i];
    if (!field) throw new UserError(`shard ${path} has no column ${name}, which its manifest lists: the folder is inconsistent; rebuild it`);
    if (!DataType.isList(field.type) || !isElement(field.type.children[0]!.type, dtype)) {
      throw new UserError(`shard ${path}: column ${name} has type ${field.type}, expected list<${dtype === 'string' ? 'utf8' : dtype}>`);
    }
    index.set(name, i);
  }
  return index;
}

/** Accessor for the lists of one `list<int32 | uint8>` column of a record batch. */
function numericLists<A extends Int32Array | Uint8Array>(data: Data, name: string, path: string): (row: number) => A {
  if (data.nullCount > 0) throw new UserError(`shard ${path}: column ${name} has null rows, which skein never writes`);
  const offsets = data.valueOffsets as Int32Array;
  const child = data.children[0]!;
  const values = child.values as A;
  const base = data.offset;
  const cbase = child.offset;
  return (row) => values.subarray(cbase + offsets[base + row]!, cbase + offsets[base + row + 1]!) as A;
}

/** Accessor for the lists of one `list<utf8>` column of a record batch (strings decoded). */
function stringLists(data: Data, name: string, path: string): (row: number) => string[] {
  if (data.nullCount > 0) throw new UserError(`shard ${path}: column ${name} has null rows, which skein never writes`);
  const offsets = data.valueOffsets as Int32Array;
  const child = data.children[0]!;
  if (child.nullCount > 0) throw new UserError(`shard ${path}: column ${name} has null strings, which skein never writes`);
  const strOffsets = child.valueOffsets as Int32Array;
  const bytes = child.values as Uint8Array;
  const decoder = new TextDecoder();
  return (row) => {
    const out: string[] = [];
    for (let k = offsets[data.offset + row]!; k < offsets[data.offset + row + 1]!; k++) {
      const at = child.offset + k;
      out.push(decoder.decode(bytes.subarray(strOffsets[at]!, strOffsets[at + 1]!)));
    }
    return out;
  };
}

/** The rows of one shard file, read batch by batch from a stream. */
async function* shardRows(path: string, info: ShardInfo, manifest: Manifest, cols: ColumnSet): AsyncGenerator<Row> {
  const stream = createReadStream(path);
  let rows = 0;
  try {
    const reader = await RecordBatchReader.from(stream);
    await reader.open();
    const index = columnIndexes(reader.schema, cols, path);
    for await (const batch of reader as AsyncIterable<RecordBatch>) {
      if (batch.numRows === 0) continue; // apache-arrow yields an empty zero-column batch for an empty shard
      const child = (name: string): Data => batch.data.children[index.get(name)!]!;
      const inputIds = numericLists<Int32Array>(child('input_ids'), 'input_ids', path);
      const docLengths = numericLists<Int32Array>(child('doc_lengths'), 'doc_lengths', path);
      const explicit = cols.positionIds ? numericLists<Int32Array>(child('position_ids'), 'position_ids', path) : null;
      const lossMask = cols.lossMask ? numericLists<Uint8Array>(child('loss_mask'), 'loss_mask', path) : null;
      const docSources = cols.docSources ? stringLists(child('doc_sources'), 'doc_sources', path) : null;
      for (let r = 0; r < batch.numRows; r++) {
        const ids = inputIds(r);
        const lengths = docLengths(r);
        const row: Row = {
          inputIds: ids,
          docLengths: lengths,
          positionIds:
            manifest.positions === 'explicit' ? explicit!(r) : positionIds(lengths, manifest.positions, ids.length),
          segmentIds: segmentIds(lengths, manifest.attention),
        };
        if (lossMask) row.lossMask = lossMask(r);
        if (docSources) row.docSources = docSources(r);
        rows++;
        yield row;
      }
    }
  } finally {
    stream.destroy();
  }
  if (rows !== info.rows) {
    throw new UserError(`shard ${path} holds ${rows} rows but the manifest says ${info.rows}: the file was changed; run verify or rebuild`);
  }
}

/**
 * Opens a skein dataset folder for reading: reads and checks its manifest and that every shard it
 * lists exists (a {@link UserError} naming the first missing file otherwise). Rows come from
 * {@link Dataset.rows}.
 */
export async function openDataset(dir: string): Promise<Dataset> {
  const manifest = await readManifest(dir);
  if (manifest.shard_format === 'megatron') {
    throw new UserError(`${dir} holds Megatron .bin/.idx shards (output.format megatron), which skein reads no rows from: point Megatron-LM's --data-path at them (docs/train-on-shards.md), or build with output.format arrow`);
  }
  const columns = columnSetFromNames(manifest.columns);
  if (manifest.positions === 'explicit' && !columns.positionIds) {
    throw new UserError(`${join(dir, 'manifest.json')} says positions "explicit" but lists no position_ids column: rebuild the dataset`);
  }
  for (const shard of manifest.shards) await assertShardExists(dir, shard);
  return {
    dir,
    manifest,
    columns,
    async *rows() {
      for (const shard of manifest.shards) {
        const path = await assertShardExists(dir, shard);
        yield* shardRows(path, shard, manifest, columns);
      }
    },
    async *shardRows(index: number) {
      const shard = manifest.shards[index];
      if (!shard) throw new RangeError(`shard index ${index} out of range: the dataset has ${manifest.shards.length} shards`);
      yield* shardRows(await assertShardExists(dir, shard), shard, manifest, columns);
    },
  };
}

/** A shard whose file does not match its manifest entry. */
export interface ShardMismatch {
  file: string;
  problem: 'missing' | 'bytes' | 'sha256';
  expected: string | number;
  /** null when the file is missing. */
  actual: string | number | null;
}

/** sha256 (hex) and size of a file, streamed. */
/** The sha256 and size of a file, read once as a stream; `onBytes` is told each chunk's size (progress). */
export async function hashFile(path: string, onBytes?: (n: number) => void): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).byteLength;
    onBytes?.((chunk as Buffer).byteLength);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * Recomputes every shard file's size and sha256 (both files of a Megatron pair) and compares them
 * with the manifest. Returns the mismatches (empty when all are intact), in manifest order; one
 * entry per file at most
 * (a size mismatch is reported instead of the then-certain sha256 mismatch).
 */
export async function verifyShards(dir: string, onProgress?: (bytesDone: number, bytesTotal: number) => void): Promise<ShardMismatch[]> {
  const manifest = await readManifest(dir);
  const out: ShardMismatch[] = [];
  const files = manifest.shards.flatMap(shardFiles);
  const total = files.reduce((n, s) => n + s.bytes, 0);
  let done = 0;
  for (const shard of files) {
    const path = join(dir, shard.file);
    let actual: { sha256: string; bytes: number };
    try {
      actual = await hashFile(path, (n) => onProgress?.((done += n), total));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      out.push({ file: shard.file, problem: 'missing', expected: shard.sha256, actual: null });
      continue;
    }
    if (actual.bytes !== shard.bytes) out.push({ file: shard.file, problem: 'bytes', expected: shard.bytes, actual: actual.bytes });
    else if (actual.sha256 !== shard.sha256) out.push({ file: shard.file, problem: 'sha256', expected: shard.sha256, actual: actual.sha256 });
  }
  return out;
}

/**
 * Reads back the samples of one Arrow stream file written by a `ShardWriter` with columns
 * `cols`, without a manifest, one record batch at a time (bounded memory; the typed arrays are
 * views into the batch just read). The run loop uses it for the temporary sorted runs of the
 * length curriculum.
 */
export async function* readShardSamples(path: string, cols: ColumnSet): AsyncGenerator<Sample> {
  const stream = createReadStream(path);
  try {
    const reader = await RecordBatchReader.from(stream);
    await reader.open();
    const index = columnIndexes(reader.schema, cols, path);
    for await (const batch of reader as AsyncIterable<RecordBatch>) {
      if (batch.numRows === 0) continue;
      const child = (name: string): Data => batch.data.children[index.get(name)!]!;
      const inputIds = numericLists<Int32Array>(child('input_ids'), 'input_ids', path);
      const docLengths = numericLists<Int32Array>(child('doc_lengths'), 'doc_lengths', path);
      const positions = cols.positionIds ? numericLists<Int32Array>(child('position_ids'), 'position_ids', path) : null;
      const lossMask = cols.lossMask ? numericLists<Uint8Array>(child('loss_mask'), 'loss_mask', path) : null;
      const docSources = cols.docSources ? stringLists(child('doc_sources'), 'doc_sources', path) : null;
      for (let r = 0; r < batch.numRows; r++) {
        const s: Sample = { inputIds: inputIds(r), docLengths: docLengths(r) };
        if (positions) s.positionIds = positions(r);
        if (lossMask) s.lossMask = lossMask(r);
        if (docSources) s.docSources = docSources(r);
        yield s;
      }
    }
  } finally {
    stream.destroy();
  }
}
