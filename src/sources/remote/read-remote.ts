import { readArrowBytes } from '../arrow-reader.js';
import type { Doc } from '../doc.js';
import type { InputFile } from '../expand-inputs.js';
import { detectFormat } from '../input-format.js';
import { readJsonl } from '../jsonl-reader.js';
import { readParquetRanges } from '../parquet-reader.js';
import type { ReaderContext } from '../reader-context.js';
import { readZipArchive } from '../zip-reader.js';
import type { RemoteAccess } from './remote-access.js';
import { remoteRangeBuffer } from './remote-range-buffer.js';
import type { RemoteFile } from './remote-file.js';
import { openRemoteZip } from './remote-zip-source.js';

/**
 * Reads a remote input file as documents through the same format readers as a local file, so
 * a build from a URL gives the same documents as a build from a local copy:
 *
 * - JSONL (plain, `.gz`, `.zst`) and Arrow: one streamed request from the first byte to the
 *   listed size, resumed at the byte received when it drops;
 * - Parquet: the footer, then one row group at a time by byte ranges (only the columns needed);
 * - ZIP: the central directory by ranges, then each member streamed (Parquet members are copied
 *   to an unlinked temporary file, as for local archives).
 *
 * Memory is bounded as for local files: one chunk, one line, one row group.
 */
export async function* readRemoteFile(file: InputFile & { remote: RemoteFile }, ctx: ReaderContext, access: RemoteAccess): AsyncGenerator<Doc> {
  const reader = await access.reader(file.remote);
  switch (file.format) {
    case 'parquet':
      yield* readParquetRanges(remoteRangeBuffer(reader), ctx);
      return;
    case 'zip':
      yield* readZipArchive(() => openRemoteZip(reader), ctx);
      return;
    case 'arrow': {
      const stream = reader.stream();
      try {
        yield* readArrowBytes(stream, ctx);
      } finally {
        await stream.return(undefined);
      }
      return;
    }
    default: {
      const arrays = /^\.json(\.|$)/.test(detectFormat(remoteFileName(file.remote))?.extension ?? '');
      yield* readJsonl(reader.stream(0, file.size), file.compression, ctx, { size: file.size, arrays });
    }
  }
}

/** The file name part of a remote file's URL (without an HTTP query string), for its format and default source name. */
export function remoteFileName(f: Pick<RemoteFile, 'url' | 'scheme'>): string {
  if (f.scheme !== 'http') return f.url;
  return decodeURIComponent(new URL(f.url).pathname);
}
