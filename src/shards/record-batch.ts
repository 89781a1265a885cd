import { Data, makeData, RecordBatch, Struct, type Int32, type List, type Schema, type Uint8, type Utf8 } from 'apache-arrow';
import type { Sample } from '../samples/sample.js';
import { columnLayout, type ColumnName, type ColumnSet } from './columns.js';

/** Largest value count a `list<…>` column of one record batch can hold (32-bit offsets). */
export const MAX_BATCH_VALUES = 2 ** 31 - 1;

/**
 * Thrown when a {@link Sample} breaks its invariants (sample.ts). A builder or augmenter produced
 * it, so it is an internal bug, not a user error: the message names the invariant and the row.
 */
export class SampleInvariantError extends Error {
  override name = 'SampleInvariantError';
}

/**
 * Checks the invariants of one sample against the columns being written and throws a
 * {@link SampleInvariantError} naming the violated one: `sum(docLengths) == inputIds.length`,
 * non-negative `docLengths`, `positionIds`/`lossMask` parallel to `inputIds`, `docSources`
 * parallel to `docLengths`, and each optional field present exactly when its column is enabled
 * (a field the columns do not store would be dropped silently otherwise).
 */
export function checkSample(s: Sample, cols: ColumnSet, row = 0): void {
  const fail = (what: string): never => {
    throw new SampleInvariantError(`sample invariant violated in row ${row}: ${what}`);
  };
  const n = s.inputIds.length;
  let sum = 0;
  for (let i = 0; i < s.docLengths.length; i++) {
    const d = s.docLengths[i]!;
    if (d < 0) fail(`docLengths[${i}] = ${d} is negative`);
    sum += d;
  }
  if (sum !== n) fail(`sum(docLengths) = ${sum} != inputIds.length = ${n}`);
  if (cols.positionIds !== (s.positionIds !== undefined)) {
    fail(`positionIds is ${s.positionIds ? 'set' : 'missing'} but the position_ids column is ${cols.positionIds ? 'enabled' : 'disabled'}`);
  }
  if (s.positionIds && s.positionIds.length !== n) {
    fail(`positionIds.length = ${s.positionIds.length} != inputIds.length = ${n}`);
  }
  if (cols.lossMask !== (s.lossMask !== undefined)) {
    fail(`lossMask is ${s.lossMask ? 'set' : 'missing'} but the loss_mask column is ${cols.lossMask ? 'enabled' : 'disabled'}`);
  }
  if (s.lossMask && s.lossMask.length !== n) fail(`lossMask.length = ${s.lossMask.length} != inputIds.length = ${n}`);
  if (cols.docSources !== (s.docSources !== undefined)) {
    fail(`docSources is ${s.docSources ? 'set' : 'missing'} but the doc_sources column is ${cols.docSources ? 'enabled' : 'disabled'}`);
  }
  if (s.docSources && s.docSources.length !== s.docLengths.length) {
    fail(`docSources.length = ${s.docSources.length} != docLengths.length = ${s.docLengths.length}`);
  }
}

/** One `list<…>` column of a record batch: the values of every row back to back, with Int32 list offsets. */
export interface ListColumn<A extends Int32Array | Uint8Array> {
  offsets: Int32Array;
  values: A;
}

/** The `list<utf8>` column: list offsets into the strings, string offsets into the UTF-8 bytes. */
export interface StringListColumn {
  listOffsets: Int32Array;
  strOffsets: Int32Array;
  data: Uint8Array;
}

/**
 * A record batch's columns as plain typed arrays, each in a buffer of its own: what
 * {@link samplesToColumns} makes and {@link columnsToRecordBatch} turns into Arrow data.
 */
export interface BatchColumns {
  rows: number;
  inputIds: ListColumn<Int32Array>;
  docLengths: ListColumn<Int32Array>;
  positionIds?: ListColumn<Int32Array>;
  lossMask?: ListColumn<Uint8Array>;
  docSources?: StringListColumn;
}

/** Concatenates one numeric field of every sample into a single values array plus list offsets. */
function numericList<A extends Int32Array | Uint8Array>(
  samples: readonly Sample[],
  pick: (s: Sample) => A,
  make: (n: number) => A,
  name: ColumnName,
): ListColumn<A> {
  const offsets = new Int32Array(samples.length + 1);
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    total += pick(samples[i]!).length;
    if (total > MAX_BATCH_VALUES) {
      throw new Error(`record batch too large: column ${name} exceeds ${MAX_BATCH_VALUES} values (32-bit list offsets); lower batchTokens`);
    }
    offsets[i + 1] = total;
  }
  const values = make(total);
  for (let i = 0; i < samples.length; i++) values.set(pick(samples[i]!), offsets[i]!);
  return { offsets, values };
}

/**
 * The `list<utf8>` column: every string UTF-8 encoded once (a per-batch cache, since a handful of
 * source names repeat) into one byte array with 32-bit string offsets.
 */
function stringList(samples: readonly Sample[]): StringListColumn {
  const listOffsets = new Int32Array(samples.length + 1);
  const encoder = new TextEncoder();
  const cache = new Map<string, Uint8Array>();
  const encoded: Uint8Array[] = [];
  let bytes = 0;
  for (let i = 0; i < samples.length; i++) {
    for (const str of samples[i]!.docSources!) {
      let b = cache.get(str);
      if (!b) cache.set(str, (b = encoder.encode(str)));
      encoded.push(b);
      bytes += b.length;
    }
    listOffsets[i + 1] = encoded.length;
  }
  if (bytes > MAX_BATCH_VALUES) throw new Error(`record batch too large: doc_sources exceeds ${MAX_BATCH_VALUES} bytes`);
  const strOffsets = new Int32Array(encoded.length + 1);
  const data = new Uint8Array(bytes);
  let at = 0;
  for (let i = 0; i < encoded.length; i++) {
    data.set(encoded[i]!, at);
    at += encoded[i]!.length;
    strOffsets[i + 1] = at;
  }
  return { listOffsets, strOffsets, data };
}

/**
 * The columns of one record batch of `samples` for a shard with columns `cols`: each column's
 * values concatenated once into a single typed array with Int32 list offsets, strings UTF-8
 * encoded into one byte array. Validates every sample with {@link checkSample} first; throws if a
 * column would exceed {@link MAX_BATCH_VALUES} values.
 */
export function samplesToColumns(samples: readonly Sample[], cols: ColumnSet): BatchColumns {
  samples.forEach((s, i) => checkSample(s, cols, i));
  const out: BatchColumns = {
    rows: samples.length,
    inputIds: numericList(samples, (s) => s.inputIds, (n) => new Int32Array(n), 'input_ids'),
    docLengths: numericList(samples, (s) => s.docLengths, (n) => new Int32Array(n), 'doc_lengths'),
  };
  if (cols.positionIds) out.positionIds = numericList(samples, (s) => s.positionIds!, (n) => new Int32Array(n), 'position_ids');
  if (cols.lossMask) out.lossMask = numericList(samples, (s) => s.lossMask!, (n) => new Uint8Array(n), 'loss_mask');
  if (cols.docSources) out.docSources = stringList(samples);
  return out;
}

/** Data of a `list<int32>` / `list<uint8>` column from concatenated values (no further copy). */
function listData(type: List, { offsets, values }: ListColumn<Int32Array | Uint8Array>): Data {
  const childType = type.children[0]!.type;
  const child =
    values instanceof Int32Array
      ? makeData({ type: childType as Int32, length: values.length, nullCount: 0, data: values })
      : makeData({ type: childType as Uint8, length: values.length, nullCount: 0, data: values });
  return makeData({ type, length: offsets.length - 1, nullCount: 0, valueOffsets: offsets, child });
}

/** Data of the `list<utf8>` column. */
function stringListData(type: List, { listOffsets, strOffsets, data }: StringListColumn): Data {
  const utf8 = type.children[0]!.type as Utf8;
  const child = makeData({ type: utf8, length: strOffsets.length - 1, nullCount: 0, valueOffsets: strOffsets, data });
  return makeData({ type, length: listOffsets.length - 1, nullCount: 0, valueOffsets: listOffsets, child });
}

/**
 * The Arrow record batch of `columns` under `schema` (= `shardSchema(cols)` for the columns they
 * hold, passed in so that every batch shares one schema object): the typed arrays are handed to
 * `makeData` as they are (no Arrow builders, no per-value work, no copy).
 */
export function columnsToRecordBatch(columns: BatchColumns, schema: Schema): RecordBatch {
  const cols: ColumnSet = { positionIds: columns.positionIds !== undefined, lossMask: columns.lossMask !== undefined, docSources: columns.docSources !== undefined };
  const layout = columnLayout(cols);
  if (schema.fields.length !== layout.length || layout.some((c, i) => schema.fields[i]!.name !== c.name)) {
    throw new Error(`schema fields [${schema.fields.map((f) => f.name).join(', ')}] do not match the column set [${layout.map((c) => c.name).join(', ')}]`);
  }
  const children = layout.map(({ name }, i): Data => {
    const type = schema.fields[i]!.type as List;
    switch (name) {
      case 'input_ids':
        return listData(type, columns.inputIds);
      case 'doc_lengths':
        return listData(type, columns.docLengths);
      case 'position_ids':
        return listData(type, columns.positionIds!);
      case 'loss_mask':
        return listData(type, columns.lossMask!);
      case 'doc_sources':
        return stringListData(type, columns.docSources!);
    }
  });
  const struct = makeData({ type: new Struct(schema.fields), length: columns.rows, nullCount: 0, children });
  return new RecordBatch(schema, struct);
}

/**
 * Builds one Arrow record batch from `samples` for a shard with columns `cols` and schema
 * `schema` (= `shardSchema(cols)`): {@link samplesToColumns} then {@link columnsToRecordBatch}.
 * Validates every sample with {@link checkSample} first; throws if a column would exceed
 * {@link MAX_BATCH_VALUES} values.
 */
export function samplesToRecordBatch(samples: readonly Sample[], cols: ColumnSet, schema: Schema): RecordBatch {
  return columnsToRecordBatch(samplesToColumns(samples, cols), schema);
}
