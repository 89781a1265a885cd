/**
 * A pull reader over a stream of byte chunks: the decoders take exactly the bytes a header,
 * block or trailer needs and hand back what they read too far. Memory is what is buffered,
 * which is what a caller asked for (one header, one block) or one source chunk.
 */
export class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  /** Bytes taken so far: the offset in the source of the next byte a `take` returns. */
  offset = 0;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Bytes buffered and not taken yet. */
  get available(): number {
    return this.buffered;
  }

  /** Whether the source has ended (what is buffered is all that is left). */
  get done(): boolean {
    return this.ended;
  }

  /** Buffers at least `n` bytes when the source has them; returns how many are buffered. */
  async fill(n: number): Promise<number> {
    while (this.buffered < n && !this.ended) {
      const r = await this.source.next();
      if (r.done) this.ended = true;
      else if (r.value.length > 0) {
        this.chunks.push(r.value);
        this.buffered += r.value.length;
      }
    }
    return this.buffered;
  }

  /** The first `n` buffered bytes (fewer when fewer are buffered), without taking them. */
  peek(n: number): Buffer {
    const want = Math.min(n, this.buffered);
    if (this.chunks.length > 0 && this.chunks[0]!.length >= want) return this.chunks[0]!.subarray(0, want);
    const out = Buffer.allocUnsafe(want);
    let at = 0;
    for (const c of this.chunks) {
      if (at >= want) break;
      at += c.copy(out, at, 0, Math.min(c.length, want - at));
    }
    return out;
  }

  /** Takes the first `n` buffered bytes (fewer when fewer are buffered). */
  take(n: number): Buffer {
    const out = this.peek(n);
    this.skip(out.length);
    return out;
  }

  /** Drops the first `n` buffered bytes. */
  skip(n: number): void {
    let left = Math.min(n, this.buffered);
    this.buffered -= left;
    this.offset += left;
    while (left > 0) {
      const c = this.chunks[0]!;
      if (c.length <= left) {
        this.chunks.shift();
        left -= c.length;
      } else {
        this.chunks[0] = c.subarray(left);
        left = 0;
      }
    }
  }

  /** Takes up to `max` bytes: what is buffered first, else the next source chunk; undefined at the end. */
  async takeSome(max: number): Promise<Buffer | undefined> {
    if (this.buffered === 0 && (await this.fill(1)) === 0) return undefined;
    const c = this.chunks[0]!;
    return this.take(Math.min(max, c.length));
  }

  /**
   * Takes the next chunk as the source gave it (a buffered one first, whole when nothing was
   * taken from it); undefined at the end. Keeps the source's chunking, for a decoder elsewhere.
   */
  async takeChunk(): Promise<Buffer | undefined> {
    if (this.buffered === 0 && (await this.fill(1)) === 0) return undefined;
    return this.take(this.chunks[0]!.length);
  }

  /** Puts bytes taken too far back in front (they are the next ones `take` returns). */
  unshift(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.chunks.unshift(bytes);
    this.buffered += bytes.length;
    this.offset -= bytes.length;
  }

  /** Stops the source (closes the file behind it). */
  async close(): Promise<void> {
    this.chunks = [];
    this.buffered = 0;
    this.ended = true;
    await this.source.return?.(undefined);
  }

  /** Takes and counts everything left in the source (the tail after the data: garbage, padding). */
  async drain(onChunk?: (bytes: Buffer) => void): Promise<number> {
    let n = 0;
    for (;;) {
      const c = await this.takeSome(1 << 16);
      if (!c) return n;
      n += c.length;
      onChunk?.(c);
    }
  }
}
