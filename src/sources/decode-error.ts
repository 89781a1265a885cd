/**
 * Why a compressed stream could not be decoded to its end. A decoder throws it only after it
 * has yielded every byte it decoded before the fault, so the reader keeps every complete line.
 *
 * - `truncated`: the stream ends inside a frame, block or trailer (a cut download).
 * - `corrupt`: bytes that are not valid data for the format (bad block, bad checksum or length).
 * - `unsupported`: valid data skein does not decode (a zstd frame that needs a dictionary, or a
 *   window above the maximum); the message names what is needed.
 */
export class DecodeError extends Error {
  override name = 'DecodeError';
  constructor(
    readonly kind: 'truncated' | 'corrupt' | 'unsupported',
    /**
     * Where the fault is, in the compressed stream: the end of the stream for `truncated`, the
     * start of the bad header, block or trailer otherwise.
     */
    readonly offset: number,
    message: string,
    /** Where the compressed bytes that could not be decoded start (a cut block's start); default `offset`. */
    readonly unreadFrom: number = offset,
    /**
     * The fault is in the last trailer or checksum of the stream: every byte of data was decoded
     * and nothing follows, so the last line is complete even without a final newline.
     */
    readonly endOfData = false,
  ) {
    super(message);
  }
}
