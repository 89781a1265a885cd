import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { jsonText, writeFileAtomic } from './atomic-file.js';
import { hfFeatures, type ColumnSet } from './columns.js';
import type { ShardInfo } from './shard-writer.js';

/** The `state.json` that `datasets.load_from_disk` requires (docs/shard-format.md#the-hugging-face-layout-statejson-dataset_infojson: every key is read). */
export interface HfState {
  _data_files: Array<{ filename: string }>;
  _fingerprint: string;
  _format_columns: null;
  _format_kwargs: Record<string, never>;
  _format_type: null;
  _output_all_columns: false;
  _split: 'train';
}

/** The `dataset_info.json` skein writes: what `save_to_disk` writes, features matching the shards. */
export interface HfDatasetInfo {
  citation: string;
  description: string;
  homepage: string;
  license: string;
  features: ReturnType<typeof hfFeatures>;
}

/** The `state.json` object for `shards` (files in shard order). */
export function hfState(shards: readonly ShardInfo[], fingerprint: string): HfState {
  return {
    _data_files: shards.map((s) => ({ filename: s.file })),
    _fingerprint: fingerprint,
    _format_columns: null,
    _format_kwargs: {},
    _format_type: null,
    _output_all_columns: false,
    _split: 'train',
  };
}

/** The `dataset_info.json` object for a dataset with columns `cols`. */
export function hfDatasetInfo(cols: ColumnSet): HfDatasetInfo {
  return {
    citation: '',
    description:
      'Training sequences built by skein (Arrow IPC stream shards). See manifest.json for how to read a row: attention, positions, tokenizer.',
    homepage: '',
    license: '',
    features: hfFeatures(cols),
  };
}

/**
 * Writes `state.json` and `dataset_info.json` into `dir` (each atomically, 2-space JSON with a
 * trailing newline) so that `datasets.load_from_disk(dir)` opens the shards as one `Dataset`
 * (docs/shard-format.md#the-hugging-face-layout-statejson-dataset_infojson). `fingerprint` is used as given (e.g. derived from the shards' sha256s, so it
 * is deterministic); the features match `shardSchema(cols)` exactly, so nothing is cast on load.
 */
export async function writeHfLayout(dir: string, shards: readonly ShardInfo[], cols: ColumnSet, fingerprint: string): Promise<void> {
  await writeFileAtomic(join(dir, 'dataset_info.json'), jsonText(hfDatasetInfo(cols)));
  await writeFileAtomic(join(dir, 'state.json'), jsonText(hfState(shards, fingerprint)));
}

/**
 * A deterministic fingerprint for `state.json`: the first 16 hex digits of the sha256 of the
 * shards' sha256s in order. Same shards, same fingerprint; any changed byte, another one.
 */
export function shardsFingerprint(shards: readonly ShardInfo[]): string {
  const h = createHash('sha256');
  for (const s of shards) h.update(`${s.file}:${s.sha256}\n`);
  return h.digest('hex').slice(0, 16);
}
