import { Worker } from 'node:worker_threads';
import { compiledWorkerUrl } from '../util/worker-file.js';
import type { ByteReader } from './byte-reader.js';
import { DecodeError } from './decode-error.js';
import type { DecodedPieces, DecoderTail, FromDecoder, StreamDecoderKind, ToDecoder } from './stream-decode-protocol.js';

/** What a decoding session reports besides its output, as the decoders on the reader's thread do. */
export interface DecodeCallbacks {
  /** Raw (compressed) bytes the decoder consumed, reported before the chunk they produced. */
  onRaw?: (n: number) => void;
  onWarning: (message: string) => void;
  maxZstdWindow: number;
}

/** A message of a session waiting to be taken by its generator. */
type Arrived = Extract<FromDecoder, { op: 'out' | 'end' | 'error' }>;

/** The reader's side of one session. */
interface Session {
  /** Sends the thread the next raw chunk (it asked for it). */
  feed: () => void;
  arrived: Arrived[];
  wake: (() => void) | undefined;
  /** The thread died: every session on it fails with this. */
  dead?: Error;
}

/** A thread and the sessions it runs. */
interface DecodeThread {
  worker: Worker;
  sessions: Set<number>;
}

/**
 * Threads that decompress JSON lines inputs (gzip, zstd) and ZIP members (raw deflate) for the
 * reader, so that its thread only cuts the decoded bytes into line blocks. Each input is one
 * session on one thread (several inputs read at once, e.g. small files read ahead, decode in
 * parallel on several threads; one stream is decoded in order, as its format requires). The
 * reader feeds each session the input's raw chunks as the thread asks for them and gets the
 * decoded chunks back, at most three messages of about 1 MiB unread per session (memory is
 * bounded by the sessions open, which the reader bounds).
 *
 * The decoders are those that run on the reader's thread, over the same chunks: the output,
 * where each raw byte and warning is counted, and every fault (a `DecodeError` with its offsets)
 * are the same, so a build's bytes and manifest do not depend on where decoding ran.
 * Threads start at the first session; {@link close} stops them.
 */
export class StreamDecoders {
  private readonly threads: DecodeThread[] = [];
  private readonly sessions = new Map<number, Session>();
  private nextId = 0;
  private closed = false;

  /** At most `count` threads. */
  constructor(readonly count: number) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`StreamDecoders needs at least one thread, got ${count}`);
  }

  /**
   * Decodes `bytes` (positioned at the start of the compressed data) on a thread. The first
   * `counted` bytes buffered in `bytes` were already counted by the caller (sniffing the
   * compression); every later raw chunk is reported through `onRaw` as the decoder consumes it.
   * Yields exactly what `gunzipStream` / `zstdStream` / `inflateRaw` would yield, throws what
   * they would throw (an error of the byte source itself as it is), and returns what
   * `inflateRaw` returns (whether the deflate data ended properly; true for the others).
   */
  async *decode(bytes: ByteReader, counted: number, kind: StreamDecoderKind, cb: DecodeCallbacks): AsyncGenerator<Buffer, boolean> {
    if (this.closed) throw new Error('StreamDecoders is closed');
    const id = this.nextId++;
    const thread = this.thread();
    let countedLeft = counted;
    let sourceError: unknown;
    let sourceFailed = false;
    let finished = false;
    const send = (m: ToDecoder, transfer: ArrayBuffer[] = []): void => thread.worker.postMessage(m, transfer);
    /** Answers the thread's request for the next raw chunk. */
    const feed = async (): Promise<void> => {
      if (sourceFailed) return;
      try {
        const c = await bytes.takeChunk();
        if (finished) return;
        if (!c) return send({ op: 'raw', id, end: true });
        const own = c.byteOffset === 0 && c.byteLength === c.buffer.byteLength ? c : Buffer.from(c);
        const wasCounted = countedLeft > 0;
        countedLeft = Math.max(0, countedLeft - c.length);
        send({ op: 'raw', id, chunk: own, counted: wasCounted }, [own.buffer as ArrayBuffer]);
      } catch (e) {
        sourceError = e;
        sourceFailed = true;
        if (!finished) send({ op: 'raw', id, failed: true });
      }
    };
    const session: Session = { feed: () => void feed(), arrived: [], wake: undefined };
    this.sessions.set(id, session);
    thread.sessions.add(id);
    send({ op: 'start', id, kind, maxZstdWindow: cb.maxZstdWindow });
    try {
      for (;;) {
        while (session.arrived.length === 0) {
          if (session.dead) throw session.dead;
          await new Promise<void>((resolve) => (session.wake = resolve));
        }
        const m = session.arrived.shift()!;
        yield* this.pieces(m.pieces, cb);
        if (m.op === 'out') {
          send({ op: 'ack', id });
          continue;
        }
        applyTail(m.tail, cb);
        finished = true;
        if (m.op === 'end') return m.complete;
        if (sourceFailed) throw sourceError;
        const d = m.failure.decode;
        throw d ? new DecodeError(d.kind, d.offset, m.failure.message, d.unreadFrom, d.endOfData) : new Error(m.failure.message);
      }
    } finally {
      if (!finished) {
        finished = true;
        if (!session.dead) send({ op: 'cancel', id });
      }
      this.sessions.delete(id);
      thread.sessions.delete(id);
    }
  }

  /** Stops the threads (sessions still open fail). */
  async close(): Promise<void> {
    this.closed = true;
    const all = this.threads.splice(0);
    await Promise.all(all.map((t) => t.worker.terminate()));
  }

  /** The chunks of a message, each after the raw bytes and warnings that came before it. */
  private *pieces(p: DecodedPieces, cb: DecodeCallbacks): Generator<Buffer> {
    const all = Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
    let start = 0;
    for (let i = 0; i < p.ends.length; i++) {
      applyTail({ raw: p.raw[i]!, warnings: p.warnings[i]! }, cb);
      const end = p.ends[i]!;
      yield all.subarray(start, end);
      start = end;
    }
  }

  /** The thread with the fewest sessions, started when there is room for another. */
  private thread(): DecodeThread {
    const idle = this.threads.find((t) => t.sessions.size === 0);
    if (idle) return idle;
    if (this.threads.length < this.count) {
      const worker = new Worker(new URL(compiledWorkerUrl(import.meta.url, 'sources', 'stream-decode-worker', 'decompressing on threads')));
      const t: DecodeThread = { worker, sessions: new Set() };
      worker.on('message', (m: FromDecoder) => this.arrive(m));
      const die = (e: Error): void => {
        for (const id of t.sessions) {
          const s = this.sessions.get(id);
          if (!s) continue;
          s.dead = e;
          s.wake?.();
        }
      };
      worker.on('error', die);
      worker.on('exit', (code) => die(new Error(`a decompressing thread exited (code ${code}) while reading`)));
      this.threads.push(t);
      return t;
    }
    return this.threads.reduce((a, b) => (b.sessions.size < a.sessions.size ? b : a));
  }

  private arrive(m: FromDecoder): void {
    const s = this.sessions.get(m.id);
    if (!s) return;
    if (m.op === 'need') return s.feed();
    s.arrived.push(m);
    const w = s.wake;
    s.wake = undefined;
    w?.();
  }
}

/** Reports raw bytes and warnings, as the decoder gave them. */
function applyTail(t: DecoderTail, cb: DecodeCallbacks): void {
  if (t.raw > 0) cb.onRaw?.(t.raw);
  for (const w of t.warnings) cb.onWarning(w);
}

/**
 * How many decompressing threads a build with `workers` tokenizer workers uses: one per four
 * workers, at most four. One thread decodes zstd or gzip several times faster than a worker
 * encodes the text that comes out, so a few serve many workers; more than one lets several
 * compressed files decode in parallel.
 */
export function decodeThreadsFor(workers: number): number {
  return Math.max(1, Math.min(4, Math.ceil(workers / 4)));
}
