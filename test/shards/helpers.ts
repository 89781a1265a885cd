import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Sample } from '../../src/samples/sample.js';
import {
  columnNames,
  shardTotals,
  ShardWriter,
  shardsFingerprint,
  writeHfLayout,
  writeManifest,
  type ColumnSet,
  type Manifest,
  type ShardInfo,
  type ShardWriterOptions,
} from '../../src/shards/index.js';
import { LengthHistogram } from '../../src/shards/histogram.js';

/** A fresh temporary folder and a function removing it. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'skein-shards-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The four combinations of optional columns used across tests, plus all-on. */
export const COLUMN_SETS: ColumnSet[] = [
  { positionIds: false, lossMask: false, docSources: false },
  { positionIds: true, lossMask: false, docSources: false },
  { positionIds: false, lossMask: true, docSources: true },
  { positionIds: true, lossMask: true, docSources: true },
];

/** Source names, including multi-byte UTF-8. */
export const SOURCES = ['wiki', 'código', '数据', 'emoji 🎉', ''];

/** A deterministic sample with `docLengths`, filled from `seed`, carrying exactly the columns of `cols`. */
export function makeSample(docLengths: number[], cols: ColumnSet, seed = 0): Sample {
  const n = docLengths.reduce((a, b) => a + b, 0);
  const inputIds = Int32Array.from({ length: n }, (_, i) => ((seed * 7919 + i * 104729) % 200_000) - 1000);
  const s: Sample = { inputIds, docLengths: Int32Array.from(docLengths) };
  if (cols.positionIds) s.positionIds = Int32Array.from({ length: n }, (_, i) => (seed + i * 3) % 65_536);
  if (cols.lossMask) s.lossMask = Uint8Array.from({ length: n }, (_, i) => (i + seed) % 3 === 0 ? 0 : 1);
  if (cols.docSources) s.docSources = docLengths.map((_, i) => SOURCES[(seed + i) % SOURCES.length]!);
  return s;
}

/** fast-check arbitrary of one sample with the columns of `cols` and random content. */
export function sampleArb(cols: ColumnSet, maxDocLen = 40): fc.Arbitrary<Sample> {
  return fc.array(fc.integer({ min: 0, max: maxDocLen }), { minLength: 0, maxLength: 5 }).chain((docLengths) => {
    const n = docLengths.reduce((a, b) => a + b, 0);
    return fc
      .record({
        ids: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: n, maxLength: n }),
        pos: fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { minLength: n, maxLength: n }),
        mask: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
        src: fc.array(fc.oneof(fc.constantFrom(...SOURCES), fc.string({ unit: 'grapheme', maxLength: 8 })), {
          minLength: docLengths.length,
          maxLength: docLengths.length,
        }),
      })
      .map(({ ids, pos, mask, src }) => {
        const s: Sample = { inputIds: Int32Array.from(ids), docLengths: Int32Array.from(docLengths) };
        if (cols.positionIds) s.positionIds = Int32Array.from(pos);
        if (cols.lossMask) s.lossMask = Uint8Array.from(mask);
        if (cols.docSources) s.docSources = src;
        return s;
      });
  });
}

/** A minimal but complete manifest describing `shards`. */
export function makeManifest(
  shards: ShardInfo[],
  cols: ColumnSet,
  modes: { attention?: Manifest['attention']; positions?: Manifest['positions'] } = {},
): Manifest {
  const totals = shardTotals(shards);
  const empty = new LengthHistogram().toJSON();
  return {
    format: 'skein-shards',
    format_version: 1,
    skein_version: '0.1.0',
    config: { test: true },
    seed: 1,
    tokenizer: {
      name: 'test',
      kind: 'tokenizer.json',
      source: 'fixtures/none.json',
      vocab_size: 200_000,
      special_ids: { eos: 0 },
      sha256: '0'.repeat(64),
      add_bos: false,
      add_eos: true,
      special_text: 'plain',
    },
    builder: { name: 'pack', seq_len: 64 },
    attention: modes.attention ?? 'causal',
    positions: modes.positions ?? (cols.positionIds ? 'explicit' : 'continuous'),
    columns: columnNames(cols),
    shards,
    totals,
    documents: { read: 0, written: 0, dropped: {} },
    inputs: [],
    sources: {},
    histograms: { document_tokens: empty, sample_tokens: empty },
    packing: { rows: totals.rows, tokens: totals.tokens, capacity_tokens: totals.rows * 64, fill: 0, split_documents: 0 },
    rejects: { file: null, count: 0 },
    resume: { complete: true },
  };
}

/** Writes `samples` as a full dataset folder (shards, manifest, HF layout); returns the shards. */
export async function writeDataset(
  dir: string,
  samples: Iterable<Sample>,
  opts: ShardWriterOptions,
  modes: { attention?: Manifest['attention']; positions?: Manifest['positions'] } = {},
): Promise<ShardInfo[]> {
  const writer = new ShardWriter(dir, opts);
  for (const s of samples) await writer.write(s);
  const shards = await writer.close();
  await writeManifest(dir, makeManifest(shards, opts.columns, modes));
  await writeHfLayout(dir, shards, opts.columns, shardsFingerprint(shards));
  return shards;
}
