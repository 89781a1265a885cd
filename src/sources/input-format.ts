import { basename } from 'node:path';

/** Container format of an input file. */
export type InputFormat = 'jsonl' | 'parquet' | 'zip' | 'arrow';

/** Stream compression of a JSONL input (Parquet, Arrow and ZIP compress internally). */
export type InputCompression = 'none' | 'gzip' | 'zstd';

/** What a file name says about how to read the file. */
export interface DetectedFormat {
  format: InputFormat;
  compression: InputCompression;
  /** The recognised extensions, e.g. `.jsonl.gz` (stripped to make the input's default name). */
  extension: string;
}

const JSONL_EXTENSIONS = ['.jsonl', '.json', '.ndjson'];
const COMPRESSION_EXTENSIONS: Array<[string, InputCompression]> = [
  ['.gz', 'gzip'],
  ['.zst', 'zstd'],
  ['.zstd', 'zstd'],
];

/** Every supported file-name ending, for error messages and help text. */
export const SUPPORTED_EXTENSIONS: readonly string[] = [
  ...JSONL_EXTENSIONS.flatMap((e) => [e, ...COMPRESSION_EXTENSIONS.map(([c]) => e + c)]),
  '.parquet',
  '.arrow',
  '.zip',
];

/**
 * Reads the format and compression from a file name (case-insensitive), or returns undefined
 * when the name has no supported ending. `.json` means JSON lines, like `.jsonl` (or one JSON
 * array of records, which the reader tells from the first byte). `.arrow` is an Arrow IPC file
 * (stream or file format), as a Hugging Face `save_to_disk` folder holds.
 */
export function detectFormat(fileName: string): DetectedFormat | undefined {
  const name = basename(fileName).toLowerCase();
  if (name.endsWith('.parquet')) return { format: 'parquet', compression: 'none', extension: '.parquet' };
  if (name.endsWith('.zip')) return { format: 'zip', compression: 'none', extension: '.zip' };
  if (name.endsWith('.arrow')) return { format: 'arrow', compression: 'none', extension: '.arrow' };
  let rest = name;
  let compression: InputCompression = 'none';
  let suffix = '';
  for (const [ext, c] of COMPRESSION_EXTENSIONS) {
    if (rest.endsWith(ext)) {
      compression = c;
      suffix = ext;
      rest = rest.slice(0, -ext.length);
      break;
    }
  }
  for (const ext of JSONL_EXTENSIONS) {
    if (rest.endsWith(ext) && rest.length > ext.length) {
      return { format: 'jsonl', compression, extension: ext + suffix };
    }
  }
  return undefined;
}

/**
 * The default source name of an input: its base name without the recognised extensions
 * (`data/sotu.jsonl.gz` → `sotu`, `c4.00001.json.zst` → `c4.00001`, `x.snappy.parquet` → `x.snappy`).
 */
export function inputName(fileName: string): string {
  const base = basename(fileName);
  const detected = detectFormat(base);
  if (!detected) return base;
  return base.slice(0, base.length - detected.extension.length);
}
