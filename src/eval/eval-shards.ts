/**
 * Eval sets on disk: skein shards (docs/shard-format.md) with extra columns, plus an `eval` section in the
 * manifest. One row = one sample:
 *
 * | column | Arrow type | meaning |
 * |---|---|---|
 * | `input_ids` | `list<int32>` | prompt tokens followed by answer tokens |
 * | `doc_lengths` | `list<int32>` | `[len(input_ids)]`: one document |
 * | `loss_mask` | `list<uint8>` | 1 on the answer tokens, 0 on the prompt |
 * | `task` | `utf8` | passkey, niah, vt, cwe or fwe |
 * | `context_length` | `int32` | the requested length: prompt + answer ≤ it |
 * | `depth` | `float32` | needle depth in % (0 = start, 100 = end); −1 for tasks without one |
 * | `prompt_length` | `int32` | tokens of the prompt: the answer is `input_ids[prompt_length:]` |
 * | `answer` | `utf8` | the answer text |
 * | `sample` | `int32` | ordinal of the sample in its (length, depth) cell |
 *
 * The manifest says `attention: causal`, `positions: continuous`; `state.json` and
 * `dataset_info.json` (the extra columns declared as `Value` features) make the folder open with
 * `datasets.load_from_disk`, and any skein reader sees ordinary rows whose loss mask marks the
 * answer.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Field, Float32, Int32, makeData, RecordBatch, RecordBatchReader, RecordBatchStreamWriter, Schema, Struct, Utf8, type Data } from 'apache-arrow';
import { jsonText, writeFileAtomic } from '../shards/atomic-file.js';
import { hfFeatures, shardSchema, type ColumnSet } from '../shards/columns.js';
import { hfDatasetInfo, hfState, shardsFingerprint } from '../shards/hf-layout.js';
import { LengthHistogram } from '../shards/histogram.js';
import { readManifest, shardTotals, writeManifest, type Manifest, type ManifestTokenizer } from '../shards/manifest.js';
import { samplesToRecordBatch } from '../shards/record-batch.js';
import { shardFileName, type ShardInfo } from '../shards/shard-writer.js';
import { UserError } from '../util/errors.js';
import type { EvalSample, EvalTask } from './eval-sample.js';

/** The standard columns of an eval shard. */
const BASE_COLUMNS: ColumnSet = { positionIds: false, lossMask: true, docSources: false };

/** The extra columns, in schema order, with their Arrow and HF `Value` types. */
const EXTRA_COLUMNS = [
  { name: 'task', dtype: 'string' },
  { name: 'context_length', dtype: 'int32' },
  { name: 'depth', dtype: 'float32' },
  { name: 'prompt_length', dtype: 'int32' },
  { name: 'answer', dtype: 'string' },
  { name: 'sample', dtype: 'int32' },
] as const;

/** What the manifest's `eval` section records. */
export interface EvalSetInfo {
  task: EvalTask;
  lengths: number[];
  /** Depths in %, empty for tasks without depth. */
  depths: number[];
  samples_per_cell: number;
  /** The haystack file, for tasks that use one. */
  haystack: string | null;
  bos: boolean;
  /** The columns beyond input_ids/doc_lengths/loss_mask, with their meaning. */
  extra_columns: Record<string, string>;
}

/** A manifest of an eval set. */
export type EvalManifest = Manifest & { eval: EvalSetInfo };

/** The HF features of the extra columns. */
function extraFeatures(): Record<string, { dtype: string; _type: 'Value' }> {
  return Object.fromEntries(EXTRA_COLUMNS.map((c) => [c.name, { dtype: c.dtype, _type: 'Value' as const }]));
}

/** The Arrow schema of eval shards: the standard list columns, then the scalar extras. */
export function evalSchema(): Schema {
  const base = shardSchema(BASE_COLUMNS);
  const type = (d: string) => (d === 'string' ? new Utf8() : d === 'int32' ? new Int32() : new Float32());
  const fields = [...base.fields, ...EXTRA_COLUMNS.map((c) => new Field(c.name, type(c.dtype), true))];
  const metadata = new Map([['huggingface', JSON.stringify({ info: { features: { ...hfFeatures(BASE_COLUMNS), ...extraFeatures() } } })]]);
  return new Schema(fields, metadata);
}

/** A utf8 column's Data. */
function utf8Data(values: readonly string[]): Data {
  const enc = new TextEncoder();
  const parts = values.map((v) => enc.encode(v));
  const offsets = new Int32Array(values.length + 1);
  parts.forEach((p, i) => (offsets[i + 1] = offsets[i]! + p.length));
  const bytes = new Uint8Array(offsets[values.length]!);
  parts.forEach((p, i) => bytes.set(p, offsets[i]!));
  return makeData({ type: new Utf8(), length: values.length, nullCount: 0, valueOffsets: offsets, data: bytes });
}

/** One record batch of eval samples. */
function evalBatch(samples: readonly EvalSample[], schema: Schema): RecordBatch {
  const rows = samples.map((s) => {
    const inputIds = new Int32Array(s.promptIds.length + s.answerIds.length);
    inputIds.set(s.promptIds);
    inputIds.set(s.answerIds, s.promptIds.length);
    const lossMask = new Uint8Array(inputIds.length);
    lossMask.fill(1, s.promptIds.length);
    return { inputIds, docLengths: Int32Array.of(inputIds.length), lossMask };
  });
  const base = samplesToRecordBatch(rows, BASE_COLUMNS, shardSchema(BASE_COLUMNS));
  const extras: Data[] = [
    utf8Data(samples.map((s) => s.task)),
    makeData({ type: new Int32(), length: samples.length, nullCount: 0, data: Int32Array.from(samples, (s) => s.length) }),
    makeData({ type: new Float32(), length: samples.length, nullCount: 0, data: Float32Array.from(samples, (s) => s.depth) }),
    makeData({ type: new Int32(), length: samples.length, nullCount: 0, data: Int32Array.from(samples, (s) => s.promptIds.length) }),
    utf8Data(samples.map((s) => s.answer)),
    makeData({ type: new Int32(), length: samples.length, nullCount: 0, data: Int32Array.from(samples, (s) => s.index) }),
  ];
  const struct = makeData({ type: new Struct(schema.fields), length: samples.length, nullCount: 0, children: [...base.data.children, ...extras] });
  return new RecordBatch(schema, struct);
}

/** Options of {@link writeEvalSet}. */
export interface WriteEvalSetOptions {
  info: EvalSetInfo;
  tokenizer: ManifestTokenizer;
  seed: number;
  skeinVersion: string;
  /** The generation settings, recorded as the manifest's `config`. */
  config: Record<string, unknown>;
  /** Rows per record batch (default 256). */
  batchRows?: number;
}

/**
 * Writes `samples` as one eval shard (`eval-00000.arrow`, atomically) plus manifest.json,
 * state.json and dataset_info.json into `dir`. Returns the manifest.
 */
export async function writeEvalSet(dir: string, samples: readonly EvalSample[], o: WriteEvalSetOptions): Promise<EvalManifest> {
  await mkdir(dir, { recursive: true });
  const schema = evalSchema();
  const batchRows = o.batchRows ?? 256;
  const batches: RecordBatch[] = [];
  for (let i = 0; i < samples.length; i += batchRows) batches.push(evalBatch(samples.slice(i, i + batchRows), schema));
  const writer = new RecordBatchStreamWriter();
  writer.reset(undefined, schema);
  for (const b of batches) writer.write(b);
  writer.finish();
  const bytes = writer.toUint8Array(true);
  const file = shardFileName('eval', 0);
  await writeFileAtomic(path.join(dir, file), bytes);
  const tokens = samples.reduce((a, s) => a + s.promptIds.length + s.answerIds.length, 0);
  const shards: ShardInfo[] = [{ file, rows: samples.length, tokens, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') }];
  const hist = new LengthHistogram();
  for (const s of samples) hist.add(s.promptIds.length + s.answerIds.length);
  const seqLen = Math.max(1, ...o.info.lengths);
  const totals = shardTotals(shards);
  const manifest: EvalManifest = {
    format: 'skein-shards',
    format_version: 1,
    skein_version: o.skeinVersion,
    config: o.config,
    seed: o.seed,
    tokenizer: o.tokenizer,
    builder: { name: `eval-${o.info.task}`, seq_len: seqLen },
    attention: 'causal',
    positions: 'continuous',
    columns: schema.fields.map((f) => f.name),
    shards,
    totals,
    documents: { read: samples.length, written: samples.length, dropped: {} },
    inputs: [],
    sources: { [o.info.task]: { documents: samples.length, tokens } },
    histograms: { document_tokens: hist.toJSON(), sample_tokens: hist.toJSON() },
    packing: { rows: totals.rows, tokens, capacity_tokens: totals.rows * seqLen, fill: totals.rows ? tokens / (totals.rows * seqLen) : 0, split_documents: 0 },
    rejects: { file: null, count: 0 },
    resume: { complete: true },
    eval: o.info,
  };
  const info = { ...hfDatasetInfo(BASE_COLUMNS), description: `skein eval set: ${o.info.task}. See manifest.json "eval" for the columns.`, features: { ...hfFeatures(BASE_COLUMNS), ...extraFeatures() } };
  await writeFileAtomic(path.join(dir, 'dataset_info.json'), jsonText(info));
  await writeFileAtomic(path.join(dir, 'state.json'), jsonText(hfState(shards, shardsFingerprint(shards))));
  await writeManifest(dir, manifest);
  return manifest;
}

/** One row of an eval set as read back. */
export interface EvalRow {
  task: EvalTask;
  inputIds: Int32Array;
  promptLength: number;
  length: number;
  depth: number;
  answer: string;
  sample: number;
}

/** Reads an eval set's manifest; a {@link UserError} when `dir` is not an eval set. */
export async function readEvalManifest(dir: string): Promise<EvalManifest> {
  const m = await readManifest(dir);
  if (!('eval' in m)) throw new UserError(`${dir} is not an eval set (its manifest has no "eval" section): generate one with \`skein gen-eval\``);
  return m as EvalManifest;
}

/** Whether a dataset folder is an eval set (its manifest has an `eval` section). */
export async function isEvalSet(dir: string): Promise<boolean> {
  return 'eval' in (await readManifest(dir));
}

/** The rows of an eval set, streamed record batch by record batch. */
export async function* readEvalRows(dir: string): AsyncGenerator<EvalRow> {
  const m = await readEvalManifest(dir);
  for (const shard of m.shards) {
    const file = path.join(dir, shard.file);
    const stream = createReadStream(file);
    try {
      const reader = await RecordBatchReader.from(stream);
      for await (const batch of reader as AsyncIterable<RecordBatch>) {
        if (batch.numRows === 0) continue;
        const col = (name: string) => {
          const v = batch.getChild(name);
          if (!v) throw new UserError(`eval shard ${file} has no column ${name}: regenerate it with \`skein gen-eval\``);
          return v;
        };
        const ids = col('input_ids');
        const [task, len, depth, prompt, answer, sample] = ['task', 'context_length', 'depth', 'prompt_length', 'answer', 'sample'].map(col);
        for (let r = 0; r < batch.numRows; r++) {
          yield {
            task: task!.get(r) as EvalTask,
            inputIds: Int32Array.from(ids.get(r) as ArrayLike<number>),
            promptLength: prompt!.get(r) as number,
            length: len!.get(r) as number,
            depth: depth!.get(r) as number,
            answer: answer!.get(r) as string,
            sample: sample!.get(r) as number,
          };
        }
      }
    } finally {
      stream.destroy();
    }
  }
}
