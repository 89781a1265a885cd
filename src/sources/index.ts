/**
 * Sources: turn input files (JSONL plain/gzip/zstd, JSON arrays, Parquet, Arrow, ZIP; files, folders, globs, and
 * URLs: `https://`, `hf://datasets/`, `s3://`, read by byte ranges through {@link RemoteAccess}) into a
 * stream of {@link Doc}s, with bad input handled by a {@link RejectSink} policy.
 *
 * Most callers need {@link expandInputs} and {@link readDocs} (or {@link docStream}); the
 * per-format readers and {@link recordToDoc} are exported for composing custom inputs.
 */
export type { ChatMessage, Doc, FieldMap } from './doc.js';
export { expandInputs, type ExpandOptions, type InputFile } from './expand-inputs.js';
export { escapeKey, getPath, pathKeys } from './field-path.js';
export { detectFormat, inputName, SUPPORTED_EXTENSIONS, type DetectedFormat, type InputCompression, type InputFormat } from './input-format.js';
export { readJsonl, readJsonlFile } from './jsonl-reader.js';
export { readParquetFile } from './parquet-reader.js';
export { readArrowFile } from './arrow-reader.js';
export { DEFAULT_INPUT_LIMITS, DEFAULT_MAX_LINE_BYTES, MAX_LINE_BYTES_CEILING, type InputLimits } from './input-limits.js';
export { readZipFile } from './zip-reader.js';
export { docStream, readDocs, type ReadOptions } from './read-docs.js';
export { locate, stableId, type FileReport, type ReaderContext } from './reader-context.js';
export { recordToDoc } from './record-to-doc.js';
export { RemoteAccess } from './remote/remote-access.js';
export { remoteSettings, type RemoteSettings } from './remote/remote-settings.js';
export type { RemoteFile, RemoteLocator } from './remote/remote-file.js';
export { DEFAULT_RETRY_POLICY, retryPolicyFromEnv, type RetryPolicy } from './remote/retry-policy.js';
export { isRemotePath, parseRemote, type RemoteLocation } from './remote/remote-url.js';
export { RangeReader, type ObjectVersion, type RangeTransport, type RangeResponse } from './remote/range-reader.js';
export { parseMessages, SHAREGPT_ROLES, type ParsedMessages } from './messages.js';
