import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { UserError } from '../util/errors.js';
import { listEntries } from '../util/zip-file.js';
import type { Doc } from './doc.js';
import { environmentError, isEnvironmentError, isFatalReadError } from './env-error.js';
import { ByteReader } from './byte-reader.js';
import { inflateRaw } from './gzip-decoder.js';
import type { StreamDecoders } from './stream-decoders.js';
import { detectFormat } from './input-format.js';
import { readJsonl } from './jsonl-reader.js';
import { readParquetHandle } from './parquet-reader.js';
import { locate, warn, type FileReport, type ReaderContext } from './reader-context.js';
import { openUnlinkedTempFile } from './unlinked-temp-file.js';

/** Names of ZIP compression methods skein cannot read (APPNOTE 4.4.5), for messages. */
const METHOD_NAMES: Readonly<Record<number, string>> = { 1: 'shrink', 6: 'implode', 9: 'deflate64', 12: 'bzip2', 14: 'LZMA', 19: 'LZ77', 93: 'zstd', 95: 'xz', 96: 'JPEG', 97: 'WavPack', 98: 'PPMd' };

/** Whether a member is metadata a Mac adds to archives (`__MACOSX/`, AppleDouble `._name`, `.DS_Store`). */
export function isMacMetadata(member: string): boolean {
  const base = member.slice(member.lastIndexOf('/') + 1);
  return member.startsWith('__MACOSX/') || member.includes('/__MACOSX/') || base.startsWith('._') || base === '.DS_Store';
}

/**
 * Reads the members of a ZIP archive as documents, in member-name order (the central directory
 * is collected first, then sorted, so the order never depends on how the archive was written).
 * Directories and members with unsupported names are skipped and counted in
 * `ctx.report.skippedMembers`; macOS metadata members (`__MACOSX/`, `._*`, `.DS_Store`) are
 * skipped and counted too, with one note. JSONL and `.json` members (also `.gz`/`.zst` ones)
 * are streamed through the JSONL reader; Parquet members, which need random access, are copied
 * to an unlinked temporary file (see `openUnlinkedTempFile`: nothing is left behind, even when
 * the process is killed).
 *
 * Locations carry `file` = the archive and `member` = the member name; stable ids are
 * `zip!member:line` / `zip!member#row`. An unreadable archive, or a member whose stored data
 * cannot be inflated, is reported as `corrupt_input` (counted as 1 lost document: the number
 * really lost is unknown); a member stored with a method skein cannot inflate (bzip2, LZMA,
 * ...) or encrypted is `unsupported_compression`. A fault of the environment (the temporary
 * disk full, an I/O error reading the archive) is a one-line {@link UserError}, never a counted
 * skip. Each member gets its own report, pushed to `ctx.reports`; the archive's report
 * (`ctx.report`) totals documents and bytes. A member's report is final once the next one is
 * pushed.
 *
 * `ctx.onBytes` advances by each member's compressed size in the archive, spread over the
 * member as it is read.
 */
export async function* readZipFile(path: string | Buffer, ctx: ReaderContext): AsyncGenerator<Doc> {
  const handle = await open(path, 'r');
  try {
    // autoClose is off: yauzl would close the file once the central directory has been read,
    // before the sorted members are opened. The handle is closed in `finally`.
    yield* readZipArchive(() => fromFd(handle), ctx);
  } finally {
    await handle.close();
  }
}

/**
 * {@link readZipFile} over an archive yauzl opens from any source (`openZip`: a local file, or a
 * remote object through a `RandomAccessReader` of byte ranges). The caller closes the source.
 */
export async function* readZipArchive(openZip: () => Promise<ZipFile>, ctx: ReaderContext): AsyncGenerator<Doc> {
  const { report } = ctx;
  report.skippedMembers ??= 0;
  let zip: ZipFile;
  let entries: Entry[];
  try {
    zip = await openZip();
    entries = await listEntries(zip);
  } catch (err) {
    if (isFatalReadError(err, ctx.signal)) throw err;
    report.status = 'corrupt';
    ctx.rejects.reject('corrupt_input', locate(ctx, {}), `cannot read the ZIP archive (${(err as Error).message})`, 1);
    return;
  }
  entries.sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
  let macMembers = 0;
  for (const entry of entries) {
    ctx.signal?.throwIfAborted();
    const member = entry.fileName;
    if (isMacMetadata(member)) {
      if (!member.endsWith('/')) macMembers++;
      report.skippedMembers++;
      continue;
    }
    const detected = member.endsWith('/') ? undefined : detectFormat(member);
    if (!detected || detected.format === 'zip' || detected.format === 'arrow') {
      report.skippedMembers++;
      continue;
    }
    // A member's `bytes` ends up as its compressed size in the archive.
    const memberReport: FileReport = { path: report.path, member, format: detected.format, bytes: 0, documents: 0, status: 'ok' };
    ctx.reports?.push(memberReport);
    const progress = spreadBytes(entry, ctx.onBytes);
    const memberCtx: ReaderContext = { ...ctx, member, report: memberReport, onBytes: progress.add };
    try {
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        memberReport.status = 'corrupt';
        const name = METHOD_NAMES[entry.compressionMethod] ?? 'unknown';
        ctx.rejects.reject(
          'unsupported_compression',
          locate(memberCtx, {}),
          `the ZIP member is compressed with method ${entry.compressionMethod} (${name}), which skein cannot read (it reads stored and deflate members); repack the archive with deflate (zip -Z deflate) or extract it`,
          1,
        );
        continue;
      }
      if (entry.isEncrypted()) {
        memberReport.status = 'corrupt';
        ctx.rejects.reject('unsupported_compression', locate(memberCtx, {}), 'the ZIP member is encrypted; extract it with its password first', 1);
        continue;
      }
      const stream = memberData(await openEntry(zip, entry), entry, ctx.blocks?.decoders);
      if (detected.format === 'jsonl') {
        const arrays = /^\.json(\.|$)/.test(detected.extension);
        for await (const doc of readJsonl(stream, detected.compression, memberCtx, { arrays, size: entry.uncompressedSize })) {
          report.documents++;
          yield doc;
        }
      } else {
        yield* readParquetMember(stream, entry, memberCtx, () => report.documents++);
      }
    } catch (err) {
      if (err instanceof UserError || isAbort(err, ctx.signal)) throw err;
      if (isEnvironmentError(err)) throw environmentError(err, `cannot read ZIP member ${member} of ${ctx.displayPath}`);
      // The member's stored data is bad (inflate error, wrong size): the rest of it is lost.
      memberReport.status = 'corrupt';
      ctx.rejects.reject(
        'corrupt_input',
        locate(memberCtx, {}),
        `cannot read the ZIP member (${(err as Error).message}) after ${memberReport.documents} documents`,
        1,
      );
    } finally {
      memberReport.bytes = entry.compressedSize;
      report.bytes += entry.compressedSize;
      progress.finish();
      if (memberReport.status !== 'ok' && report.status === 'ok') report.status = memberReport.status;
    }
  }
  if (macMembers > 0) warn(ctx, `skipped ${macMembers} macOS metadata member${macMembers === 1 ? '' : 's'} (__MACOSX/, ._*, .DS_Store): resource forks and folder settings, not data`);
}

/**
 * Copies a Parquet member to an unlinked temporary file and reads it. A fault while writing the
 * copy (the temporary disk full) is the environment's: a {@link UserError} naming the member,
 * the temporary folder and the fix.
 */
async function* readParquetMember(stream: AsyncGenerator<Buffer>, entry: Entry, ctx: ReaderContext, counted: () => void): AsyncGenerator<Doc> {
  const temp = await openUnlinkedTempFile().catch((err: unknown) => {
    if (isEnvironmentError(err)) throw environmentError(err, `cannot create a temporary file (TMPDIR) to read Parquet member ${ctx.member} of ${ctx.displayPath}`);
    throw err;
  });
  try {
    let size = 0;
    try {
      for await (const chunk of stream) {
        let at = 0;
        while (at < chunk.length) {
          const { bytesWritten } = await temp.handle.write(chunk, at, chunk.length - at, size + at);
          at += bytesWritten;
        }
        size += chunk.length;
      }
    } catch (err) {
      if (isEnvironmentError(err) && err.syscall === 'write') {
        throw environmentError(err, `cannot write the temporary copy of Parquet member ${ctx.member} of ${ctx.displayPath} (${entry.uncompressedSize} bytes, in TMPDIR)`);
      }
      throw err;
    }
    for await (const doc of readParquetHandle(temp.handle, size, ctx)) {
      counted();
      yield doc;
    }
  } finally {
    await stream.return(undefined);
    await temp.close();
  }
}

/**
 * The uncompressed bytes of a member: its stored bytes, or its deflate data inflated here or on
 * one of `decoders`' threads (not by yauzl, whose inner inflate stream outlives an early stop and can throw later, out of reach of
 * any handler). Checks the size the central directory gives; a member whose data ends early or
 * does not match is an error the reader reports as `corrupt_input`.
 */
async function* memberData(raw: Readable, entry: Entry, decoders: StreamDecoders | undefined): AsyncGenerator<Buffer> {
  try {
    let size = 0;
    if (entry.compressionMethod === 0) {
      for await (const c of raw as AsyncIterable<Buffer>) {
        size += c.length;
        yield c;
      }
    } else {
      const data = new ByteReader((raw as AsyncIterable<Buffer>)[Symbol.asyncIterator]());
      // On a decompressing thread when the build has them (the same bytes and faults).
      const inflated = decoders ? decoders.decode(data, 0, 'deflate-raw', { onWarning: () => {}, maxZstdWindow: 0 }) : inflateRaw(data);
      for (;;) {
        const r = await inflated.next();
        if (r.done) {
          if (!r.value) throw new Error('the member data ends before its deflate stream is complete');
          break;
        }
        size += r.value.length;
        yield r.value;
      }
    }
    if (size !== entry.uncompressedSize) throw new Error(`the member holds ${size} bytes, its directory entry says ${entry.uncompressedSize}`);
  } finally {
    raw.destroy();
  }
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && err === signal.reason;
}

function fromFd(handle: FileHandle): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromFd(handle.fd, { lazyEntries: true, autoClose: false }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

/** The member's data as stored (compressed), read from the archive. */
function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    try {
      zip.openReadStream(entry, { decodeFileData: false }, (err, stream) => (err ? reject(err) : resolve(stream)));
    } catch (err) {
      reject(err as Error);
    }
  });
}

/**
 * Maps the bytes a member reader consumes (the member's uncompressed size) onto the member's
 * compressed size in the archive, so progress adds up to the archive's size on disk.
 */
function spreadBytes(entry: Entry, onBytes: ((n: number) => void) | undefined): { add: (n: number) => void; finish: () => void } {
  const total = entry.compressedSize;
  const scale = entry.uncompressedSize > 0 ? total / entry.uncompressedSize : 0;
  let seen = 0;
  let reported = 0;
  const emitUpTo = (target: number): void => {
    const n = Math.min(total, Math.floor(target)) - reported;
    if (n > 0) {
      reported += n;
      onBytes?.(n);
    }
  };
  return {
    add: (n) => {
      seen += n;
      emitUpTo(seen * scale);
    },
    finish: () => emitUpTo(total),
  };
}
