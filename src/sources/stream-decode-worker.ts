/**
 * A stream-decoding thread (see `StreamDecoders`): runs gzip, zstd and raw-deflate decoders for
 * the reader, several sessions at once, each fed the raw chunks of one input by the reader and
 * sending back what the decoder yields. The decoders are the ones the reader runs on its own
 * thread (gzip-decoder.ts, zstd-decoder.ts) over a `ByteReader` of the same chunks, so the output
 * and its faults are the same. Always run compiled (see `compiledWorkerUrl` in util/worker-file.ts).
 */
import { parentPort } from 'node:worker_threads';
import { ByteReader } from './byte-reader.js';
import { DecodeError } from './decode-error.js';
import { gunzipStream, inflateRaw } from './gzip-decoder.js';
import type { DecodedPieces, DecodeFailure, FromDecoder, StreamDecoderKind, ToDecoder } from './stream-decode-protocol.js';
import { zstdStream } from './zstd-decoder.js';

const port = parentPort;
if (!port) throw new Error('stream-decode-worker.js runs as a worker thread only');

/** Decoded bytes gathered into one message before it is sent. */
const MESSAGE_BYTES = 1 << 20;
/** Messages sent and not yet taken by the reader before the decoder pauses. */
const UNACKED_MESSAGES = 3;

/** One input being decoded. */
class Session {
  private readonly raw: Array<{ chunk?: Uint8Array; counted?: boolean; end?: boolean; failed?: boolean }> = [];
  private rawWaiter: (() => void) | undefined;
  private asked = false;
  private unacked = 0;
  private ackWaiter: (() => void) | undefined;
  cancelled = false;
  /** Raw bytes consumed and warnings given since the last chunk was yielded. */
  private rawSince = 0;
  private warningsSince: string[] = [];
  private pieces: DecodedPieces & { chunks: Uint8Array[]; size: number } = fresh();

  constructor(
    readonly id: number,
    private readonly kind: StreamDecoderKind,
    private readonly maxZstdWindow: number,
  ) {}

  /** A raw chunk (or the end) arrived from the reader. */
  takeRaw(m: { chunk?: Uint8Array; counted?: boolean; end?: boolean; failed?: boolean }): void {
    this.asked = false;
    this.raw.push(m);
    this.wakeRaw();
  }

  /** The reader took a message. */
  ack(): void {
    this.unacked--;
    const w = this.ackWaiter;
    this.ackWaiter = undefined;
    w?.();
  }

  cancel(): void {
    this.cancelled = true;
    this.wakeRaw();
    this.ack();
  }

  private wakeRaw(): void {
    const w = this.rawWaiter;
    this.rawWaiter = undefined;
    w?.();
  }

  /** The raw chunks, as an iterator for a ByteReader; the next one is asked for as soon as one is taken. */
  private async *source(): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.raw.length === 0) {
        this.ask();
        await new Promise<void>((resolve) => (this.rawWaiter = resolve));
        if (this.cancelled) return;
        continue;
      }
      const m = this.raw.shift()!;
      if (m.failed) throw new Error('reading the input failed');
      if (m.end) return;
      this.ask();
      const c = Buffer.from(m.chunk!.buffer, m.chunk!.byteOffset, m.chunk!.byteLength);
      if (!m.counted) this.rawSince += c.length;
      yield c;
    }
  }

  private ask(): void {
    if (this.asked || this.cancelled) return;
    this.asked = true;
    post({ op: 'need', id: this.id });
  }

  /** Runs the decoder to its end, a fault or a cancel. */
  async run(): Promise<void> {
    const bytes = new ByteReader(this.source());
    const warn = (m: string): void => {
      this.warningsSince.push(m);
    };
    const decoder: AsyncGenerator<Buffer, boolean | void> = this.kind === 'gzip' ? gunzipStream(bytes, warn) : this.kind === 'zstd' ? zstdStream(bytes, this.maxZstdWindow) : inflateRaw(bytes);
    try {
      for (;;) {
        const r = await decoder.next();
        if (this.cancelled) break;
        if (r.done) {
          const pieces = this.seal();
          post({ op: 'end', id: this.id, pieces, tail: this.tail(), complete: r.value === true }, transferOf(pieces));
          return;
        }
        this.note(r.value);
        if (this.pieces.size >= MESSAGE_BYTES) await this.flush();
      }
    } catch (e) {
      if (this.cancelled) return;
      const pieces = this.seal();
      post({ op: 'error', id: this.id, pieces, tail: this.tail(), failure: failure(e) }, transferOf(pieces));
    } finally {
      if (this.cancelled) await decoder.return(undefined).catch(() => undefined);
      sessions.delete(this.id);
    }
  }

  /** The raw bytes consumed and warnings given after the last chunk yielded. */
  private tail(): { raw: number; warnings: string[] } {
    const t = { raw: this.rawSince, warnings: this.warningsSince };
    this.rawSince = 0;
    this.warningsSince = [];
    return t;
  }

  /** Records a chunk the decoder yielded with the raw bytes and warnings before it. */
  private note(c: Buffer): void {
    const p = this.pieces;
    p.chunks.push(c);
    p.size += c.length;
    p.ends.push(p.size);
    p.raw.push(this.rawSince);
    p.warnings.push(this.warningsSince);
    this.rawSince = 0;
    this.warningsSince = [];
  }

  /** Sends what was gathered, waiting while the reader has too many messages to take. */
  private async flush(): Promise<void> {
    while (this.unacked >= UNACKED_MESSAGES && !this.cancelled) await new Promise<void>((resolve) => (this.ackWaiter = resolve));
    if (this.cancelled) return;
    this.unacked++;
    const pieces = this.seal();
    post({ op: 'out', id: this.id, pieces }, transferOf(pieces));
  }

  /** The gathered chunks joined into one buffer of their own (the decoders' output buffers are shared and reused). */
  private seal(): DecodedPieces {
    const p = this.pieces;
    const bytes = new Uint8Array(p.size);
    let at = 0;
    for (const c of p.chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    this.pieces = fresh();
    return { bytes, ends: p.ends, raw: p.raw, warnings: p.warnings };
  }
}

/** The buffer a message's decoded bytes move in (their own: `seal` made it). */
function transferOf(p: DecodedPieces): ArrayBuffer[] {
  return p.bytes.byteLength > 0 ? [p.bytes.buffer as ArrayBuffer] : [];
}

function fresh(): DecodedPieces & { chunks: Uint8Array[]; size: number } {
  return { bytes: new Uint8Array(0), ends: [], raw: [], warnings: [], chunks: [], size: 0 };
}

function failure(e: unknown): DecodeFailure {
  if (e instanceof DecodeError) return { message: e.message, decode: { kind: e.kind, offset: e.offset, unreadFrom: e.unreadFrom, endOfData: e.endOfData } };
  return { message: e instanceof Error ? e.message : String(e) };
}

function post(m: FromDecoder, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(m, transfer);
}

const sessions = new Map<number, Session>();

port.on('message', (m: ToDecoder) => {
  if (m.op === 'start') {
    const s = new Session(m.id, m.kind, m.maxZstdWindow);
    sessions.set(m.id, s);
    void s.run();
    return;
  }
  const s = sessions.get(m.id);
  if (!s) return;
  if (m.op === 'raw') s.takeRaw(m);
  else if (m.op === 'ack') s.ack();
  else s.cancel();
});
