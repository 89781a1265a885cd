import { readFile } from 'node:fs/promises';

/**
 * What a folder is, judged by the names it holds (and, for two of them, a small JSON file):
 *
 * - `skein-output`: a skein output folder (a `manifest.json` whose `format` is `skein-shards`,
 *   or a `.skein` state folder): tokenized shards, not text. Never read as input.
 * - `hf-dataset`: a Hugging Face `save_to_disk` folder (`state.json` listing `_data_files`, plus
 *   `dataset_info.json`): its Arrow files are the input, its JSON files are metadata.
 * - `hf-dataset-dict`: a `DatasetDict` saved to disk (`dataset_dict.json` naming splits, each
 *   split in its own folder): the user has to pick a split.
 * - `plain`: anything else.
 */
export type FolderKind =
  | { kind: 'plain' }
  | { kind: 'skein-output' }
  | { kind: 'hf-dataset'; dataFiles: string[] }
  | { kind: 'hf-dataset-dict'; splits: string[] };

/** Reads a small JSON file; undefined when it is missing, unreadable or not JSON. */
async function smallJson(path: string | Buffer): Promise<unknown> {
  try {
    const text = await readFile(path, 'utf8');
    if (text.length > 1 << 20) return undefined;
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const join = (dir: string | Buffer, name: string): string | Buffer => (typeof dir === 'string' ? `${dir}/${name}` : Buffer.concat([dir, Buffer.from(`/${name}`)]));

/**
 * Classifies the folder `dir` whose entries are `names` (see {@link FolderKind}). A malformed
 * `state.json` or `dataset_dict.json` makes the folder `plain` (its files are then read as they
 * are named).
 */
export async function folderKind(dir: string | Buffer, names: ReadonlySet<string>): Promise<FolderKind> {
  if (names.has('.skein')) return { kind: 'skein-output' };
  if (names.has('manifest.json')) {
    const m = (await smallJson(join(dir, 'manifest.json'))) as { format?: unknown } | undefined;
    if (m?.format === 'skein-shards') return { kind: 'skein-output' };
  }
  if (names.has('state.json') && names.has('dataset_info.json')) {
    const state = (await smallJson(join(dir, 'state.json'))) as { _data_files?: unknown } | undefined;
    const files = Array.isArray(state?._data_files) ? state._data_files.map((f: { filename?: unknown }) => f?.filename) : undefined;
    if (files && files.length > 0 && files.every((f): f is string => typeof f === 'string' && f.length > 0 && !f.includes('/') && !f.startsWith('.'))) {
      return { kind: 'hf-dataset', dataFiles: files };
    }
  }
  if (names.has('dataset_dict.json')) {
    const d = (await smallJson(join(dir, 'dataset_dict.json'))) as { splits?: unknown } | undefined;
    if (Array.isArray(d?.splits) && d.splits.every((s): s is string => typeof s === 'string')) return { kind: 'hf-dataset-dict', splits: d.splits };
  }
  return { kind: 'plain' };
}
