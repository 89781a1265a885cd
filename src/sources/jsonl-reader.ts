import { createReadStream } from 'node:fs';
import { RecordError } from '../util/errors.js';
import type { Doc } from './doc.js';
import { decompress } from './decompress.js';
import type { InputCompression } from './input-format.js';
import { isBlank, LineSplitter } from './line-splitter.js';
import { locate, type ReaderContext } from './reader-context.js';
import { describeType, recordToDoc } from './record-to-doc.js';

/** Raw read size for JSONL files (compressed or not). */
const READ_CHUNK = 64 * 1024;

/**
 * Reads a JSONL file from disk as documents. See {@link readJsonl}.
 */
export async function* readJsonlFile(path: string, compression: InputCompression, ctx: ReaderContext): AsyncGenerator<Doc> {
  yield* readJsonl(createReadStream(path, { highWaterMark: READ_CHUNK }), compression, ctx);
}

/**
 * Reads JSON lines from a byte stream (plain, gzip or zstd; the magic bytes decide, `compression`
 * is what the name says) and yields one {@link Doc} per line holding an object with a text.
 *
 * Lines are split on `\n` at the byte level; a trailing `\r` and a UTF-8 BOM at the start of the
 * input are removed; blank lines are skipped. Bad lines are reported to `ctx.rejects` with their
 * 1-based line number: `invalid_utf8`, `malformed_json` (not JSON, or JSON but not an object),
 * and the field errors of {@link recordToDoc}. A compressed stream that is truncated or corrupt
 * is reported once as `truncated_input` at the compressed byte offset reached (the location's
 * `offset`; the message also gives the decoded offset and the last complete line), counting one
 * lost document when a partial line was pending or nothing could be decoded, and ends the
 * input; every complete line decoded before the failure is kept, deterministically. Errors of
 * the byte source itself (I/O) are thrown as they are. `ctx.report` counts lines, documents and
 * raw bytes as it goes; `ctx.signal` is checked once per chunk.
 */
export async function* readJsonl(source: AsyncIterable<Uint8Array>, compression: InputCompression, ctx: ReaderContext): AsyncGenerator<Doc> {
  const { report, signal } = ctx;
  report.lines ??= 0;
  let compressedBytes = 0;
  const decoded = await decompress(source, compression, (n) => {
    compressedBytes += n;
    report.bytes += n;
    ctx.onBytes?.(n);
  });
  if (!decoded.ok) {
    report.status = 'corrupt';
    ctx.rejects.reject('corrupt_input', locate(ctx, { offset: 0 }), decoded.detail, 1);
    return;
  }
  const chunks = decoded.chunks;
  const splitter = new LineSplitter();
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let lineNo = 0;

  const parse = (bytes: Buffer): Doc | undefined => {
    lineNo++;
    report.lines = lineNo;
    if (lineNo === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    if (isBlank(bytes)) return undefined;
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      ctx.rejects.reject('invalid_utf8', locate(ctx, { line: lineNo }), `line is not valid UTF-8 (${describeBadUtf8(bytes)})`);
      return undefined;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      ctx.rejects.reject('malformed_json', locate(ctx, { line: lineNo }), `line is not valid JSON: ${(err as Error).message}`);
      return undefined;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      ctx.rejects.reject('malformed_json', locate(ctx, { line: lineNo }), `line is valid JSON but a ${describeType(value)}, not an object`);
      return undefined;
    }
    return recordToDoc(value as Record<string, unknown>, ctx, { line: lineNo });
  };

  try {
    for (;;) {
      signal?.throwIfAborted();
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (err) {
        if (decoded.sourceError() !== undefined || err instanceof RecordError) throw err;
        // The decoder failed: the compressed stream is truncated or corrupt. The documents lost
        // are unknowable; count one when a partial line was pending or when nothing at all could
        // be decoded (the file's content is lost), none when the cut fell on a line end.
        report.status = 'truncated';
        const partial = splitter.pendingHasContent;
        const lost = partial || splitter.consumed === 0 ? 1 : 0;
        const tail = partial ? `; the partial line ${lineNo + 1} after it is lost` : '';
        ctx.rejects.reject(
          'truncated_input',
          locate(ctx, { offset: compressedBytes }),
          `${decoded.compression} stream ends early or is corrupt (${(err as Error).message}) at compressed byte ${compressedBytes} ` +
            `(decoded byte ${splitter.consumed}); the last complete line is ${lineNo}${tail}`,
          lost,
        );
        return;
      }
      if (next.done) break;
      for (const line of splitter.feed(next.value)) {
        const doc = parse(line);
        if (doc) {
          report.documents++;
          yield doc;
        }
      }
    }
    const last = splitter.finish();
    if (last) {
      const doc = parse(last);
      if (doc) {
        report.documents++;
        yield doc;
      }
    }
  } finally {
    await chunks.return(undefined);
  }
}

/** Says where in a line the first invalid UTF-8 byte is, for the reject message. */
function describeBadUtf8(bytes: Uint8Array): string {
  const probe = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  // Walk the line one UTF-8 sequence at a time until one does not decode (only on the error path).
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) break;
    try {
      probe.decode(bytes.subarray(i, i + len));
    } catch {
      break;
    }
    i += len;
  }
  return `first bad byte 0x${(bytes[i] ?? 0).toString(16).padStart(2, '0')} at byte ${i + 1} of the line`;
}
