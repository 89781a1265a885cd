import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateRawSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { compress as zstdCompress } from 'zstd-napi';
import { ByteReader } from '../../src/sources/byte-reader.js';
import { DecodeError } from '../../src/sources/decode-error.js';
import { decompress } from '../../src/sources/decompress.js';
import { inflateRaw } from '../../src/sources/gzip-decoder.js';
import { StreamDecoders } from '../../src/sources/stream-decoders.js';
import { mutate, mutation } from './helpers.js';

/** The source's chunks: `bytes` cut every `size` bytes; optionally failing after `failAfter` chunks. */
async function* chunked(bytes: Uint8Array, size: number, failAfter?: number, error?: Error): AsyncGenerator<Buffer> {
  let n = 0;
  for (let at = 0; at < bytes.length; at += size) {
    if (failAfter !== undefined && n++ >= failAfter) throw error;
    yield Buffer.from(bytes.subarray(at, at + size));
  }
  if (failAfter !== undefined && n >= failAfter) throw error;
}

/**
 * Everything `decompress` shows a reader, in order: raw bytes counted and warnings given before
 * each decoded chunk (the raw bytes as one sum: a reader adds them up between chunks, and a
 * thread reports them per chunk), the chunks, and how it ended (a DecodeError's fields, or the
 * error thrown).
 */
async function trace(source: AsyncIterable<Uint8Array>, declared: 'gzip' | 'zstd', decoders?: StreamDecoders): Promise<unknown[]> {
  const out: unknown[] = [];
  let raw = 0;
  let warnings: string[] = [];
  const before = (): void => {
    out.push(['raw', raw], ...warnings.map((w) => ['warn', w]));
    raw = 0;
    warnings = [];
  };
  const d = await decompress(source, declared, { onRaw: (n) => (raw += n), onWarning: (m) => warnings.push(m), maxZstdWindow: 2 ** 27, ...(decoders ? { decoders } : {}) });
  if (!d.ok) return [...out, ['not ok', d.detail]];
  try {
    for await (const c of d.chunks) {
      before();
      out.push(['chunk', Buffer.from(c).toString('base64')]);
    }
    before();
    out.push(['end']);
  } catch (e) {
    before();
    out.push(e instanceof DecodeError ? ['decode error', e.kind, e.offset, e.unreadFrom, e.endOfData, e.message] : ['error', e]);
  }
  return out;
}

const text = fc.array(fc.string({ maxLength: 200 }).map((t) => JSON.stringify({ text: t })), { maxLength: 80 }).map((ls) => Buffer.from(ls.join('\n')));

test('decompressing on a thread shows the reader exactly what decompressing on its own thread does (mutated gzip and zstd, any chunking)', async () => {
  const decoders = new StreamDecoders(2);
  try {
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom<'gzip' | 'zstd'>('gzip', 'zstd'), fc.integer({ min: 1, max: 3 }), fc.array(mutation, { maxLength: 3 }), fc.integer({ min: 1, max: 5000 }), async (t, kind, members, ms, size) => {
        const one = kind === 'gzip' ? gzipSync(t) : zstdCompress(t, { checksumFlag: true });
        const bytes = mutate(Buffer.concat(Array.from({ length: members }, () => one)), ms);
        const here = await trace(chunked(bytes, size), kind);
        const there = await trace(chunked(bytes, size), kind, decoders);
        assert.deepEqual(there, here);
      }),
      { numRuns: 150 },
    );
  } finally {
    await decoders.close();
  }
});

test('a failing byte source is thrown as it is, after what was decoded before it; a reader that stops early frees its session', async () => {
  const decoders = new StreamDecoders(1);
  try {
    const big = gzipSync(Buffer.from(Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ text: `line ${i} ${'x'.repeat(i % 97)}` })).join('\n')));
    const err = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', syscall: 'read' });
    const here = await trace(chunked(big, 4096, 20, err), 'gzip');
    const there = await trace(chunked(big, 4096, 20, err), 'gzip', decoders);
    assert.deepEqual(there, here);
    assert.equal((there.at(-1) as unknown[])[1], err, 'the very error object of the source');
    // Stopping after the first chunk, many times over on one thread: nothing hangs or leaks.
    for (let i = 0; i < 50; i++) {
      const d = await decompress(chunked(big, 65536), 'gzip', { decoders });
      assert.ok(d.ok);
      const first = await d.chunks.next();
      assert.equal(first.done, false);
      await d.chunks.return(undefined);
    }
    assert.deepEqual(await trace(chunked(big, 65536), 'gzip', decoders), await trace(chunked(big, 65536), 'gzip'));
  } finally {
    await decoders.close();
  }
});

test('raw deflate (ZIP members) on a thread: the same bytes, the same end-of-data flag, the same fault', async () => {
  const decoders = new StreamDecoders(1);
  const run = async (gen: AsyncGenerator<Buffer, boolean | void>) => {
    const out: string[] = [];
    try {
      for (;;) {
        const r = await gen.next();
        if (r.done) return [...out, `done ${r.value}`];
        out.push(r.value.toString('base64'));
      }
    } catch (e) {
      return [...out, `error ${(e as Error).message}`];
    }
  };
  try {
    const data = Buffer.from('{"text":"zip member"}\n'.repeat(5000));
    const raw = deflateRawSync(data);
    for (const bytes of [raw, raw.subarray(0, raw.length >> 1), mutate(raw, [{ kind: 'flip', at: 0.3, bit: 2 }])]) {
      const here = await run(inflateRaw(new ByteReader(chunked(bytes, 1000))));
      const there = await run(decoders.decode(new ByteReader(chunked(bytes, 1000)), 0, 'deflate-raw', { onWarning: () => {}, maxZstdWindow: 0 }));
      assert.deepEqual(there, here);
    }
  } finally {
    await decoders.close();
  }
});
