import type { DecodeError } from './decode-error.js';
import type { InputCompression } from './input-format.js';
import { locate, type ReaderContext } from './reader-context.js';

/** Where a JSONL reader was in the decoded stream when its compressed input failed. */
export interface FaultPosition {
  /** Decoded bytes so far. */
  consumed: number;
  /** Bytes of the partial record pending. */
  pending: number;
  /** Whether the partial record holds content (a document is lost with it). */
  partial: boolean;
  /** What was read completely (`the last complete line is 12`). */
  done: string;
  /** The unit that was cut (`line 13`). */
  unit: string;
}

/**
 * Reports a compressed stream that cannot be decoded to its end: once, at the fault's compressed
 * offset, counting the partial record (or, when nothing at all could be decoded, one document)
 * and recording the compressed bytes after the fault in the report.
 */
export function decodeFault(
  ctx: ReaderContext,
  err: DecodeError,
  compression: InputCompression,
  where: FaultPosition,
  size: number | undefined,
): void {
  const { report } = ctx;
  report.status = err.kind === 'truncated' ? 'truncated' : 'corrupt';
  if (size !== undefined) report.lostBytes = err.endOfData ? 0 : Math.max(0, size - err.unreadFrom);
  const lost = where.partial || where.consumed === 0 ? 1 : 0;
  const tail = where.partial ? `; the partial ${where.unit} after it is lost` : '';
  const rest = report.lostBytes ? `; ${report.lostBytes} compressed bytes from byte ${err.unreadFrom} on could not be decoded` : '';
  const reason = err.kind === 'truncated' ? 'truncated_input' : err.kind === 'corrupt' ? 'corrupt_input' : 'unsupported_compression';
  const what = err.kind === 'truncated' ? 'ends early' : err.kind === 'corrupt' ? 'is corrupt' : 'cannot be decoded';
  ctx.rejects.reject(
    reason,
    locate(ctx, { offset: err.offset }),
    `${compression} stream ${what} (${err.message}) at compressed byte ${err.offset} (decoded byte ${where.consumed})${rest}; ${where.done}${tail}`,
    lost,
  );
}
