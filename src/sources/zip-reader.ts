import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Entry, ZipFile } from 'yauzl';
import { listEntries, openEntry, openZip } from '../util/zip-file.js';
import { RecordError } from '../util/errors.js';
import type { Doc } from './doc.js';
import { detectFormat } from './input-format.js';
import { readJsonl } from './jsonl-reader.js';
import { readParquetFile } from './parquet-reader.js';
import { locate, type FileReport, type ReaderContext } from './reader-context.js';

/**
 * Reads the members of a ZIP archive as documents, in member-name order (the central directory
 * is collected first, then sorted, so the order never depends on how the archive was written).
 * Directories and members with unsupported names are skipped and counted in
 * `ctx.report.skippedMembers`. JSONL members (also `.gz`/`.zst` ones) are streamed through the
 * JSONL reader; Parquet members, which need random access, are extracted to a temporary file
 * under `os.tmpdir()` that is deleted afterwards (also on error or early stop).
 *
 * Locations carry `file` = the archive and `member` = the member name; stable ids are
 * `zip!member:line` / `zip!member#row`. An unreadable archive, or a member whose stored data
 * cannot be inflated, is reported as `corrupt_input` (counted as 1 lost document: the number
 * really lost is unknown). Each member gets its own report, pushed
 * to `ctx.reports`; the archive's report (`ctx.report`) totals documents and bytes.
 *
 * `ctx.onBytes` advances by each member's compressed size in the archive, spread over the
 * member as it is read.
 */
export async function* readZipFile(path: string, ctx: ReaderContext): AsyncGenerator<Doc> {
  const { report } = ctx;
  report.skippedMembers ??= 0;
  let zip: ZipFile;
  let entries: Entry[];
  try {
    // autoClose is off: yauzl would close the file once the central directory has been read,
    // before the sorted members are opened. It is closed in `finally`.
    zip = await openZip(path);
  } catch (err) {
    report.status = 'corrupt';
    ctx.rejects.reject('corrupt_input', locate(ctx, {}), `cannot open the ZIP archive (${(err as Error).message})`, 1);
    return;
  }
  let tempDir: string | undefined;
  try {
    try {
      entries = await listEntries(zip);
    } catch (err) {
      report.status = 'corrupt';
      ctx.rejects.reject('corrupt_input', locate(ctx, {}), `cannot read the ZIP central directory (${(err as Error).message})`, 1);
      return;
    }
    entries.sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
    for (const entry of entries) {
      ctx.signal?.throwIfAborted();
      const member = entry.fileName;
      const detected = member.endsWith('/') ? undefined : detectFormat(member);
      if (!detected || detected.format === 'zip') {
        report.skippedMembers++;
        continue;
      }
      // A member's `bytes` ends up as its compressed size in the archive.
      const memberReport: FileReport = { path: report.path, member, format: detected.format, bytes: 0, documents: 0, status: 'ok' };
      ctx.reports?.push(memberReport);
      const progress = spreadBytes(entry, ctx.onBytes);
      const memberCtx: ReaderContext = {
        ...ctx,
        member,
        report: memberReport,
        onBytes: progress.add,
      };
      try {
        const stream = await openEntry(zip, entry);
        if (detected.format === 'jsonl') {
          for await (const doc of readJsonl(stream, detected.compression, memberCtx)) {
            report.documents++;
            yield doc;
          }
        } else {
          tempDir ??= await mkdtemp(join(tmpdir(), 'skein-zip-'));
          const tempFile = join(tempDir, 'member.parquet');
          try {
            await pipeline(stream, createWriteStream(tempFile));
            for await (const doc of readParquetFile(tempFile, memberCtx)) {
              report.documents++;
              yield doc;
            }
          } finally {
            await rm(tempFile, { force: true });
          }
        }
      } catch (err) {
        if (err instanceof RecordError || isAbort(err, ctx.signal)) throw err;
        // The member's stored data is bad (inflate error, wrong size): the rest of it is lost.
        memberReport.status = 'corrupt';
        report.status = 'corrupt';
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
      }
      if (memberReport.status !== 'ok' && report.status === 'ok') report.status = memberReport.status;
    }
  } finally {
    zip.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && err === signal.reason;
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
