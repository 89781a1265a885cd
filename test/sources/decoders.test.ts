// The gzip and zstd decoders on damaged, unusual and hostile streams: every decoded byte is
// kept before a fault, trailing garbage is gzip's warning, pzstd / long-window / multi-frame zstd
// decode, and output is produced only as fast as it is taken.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { compress as zstdCompress } from 'zstd-napi';
import { ByteReader } from '../../src/sources/byte-reader.js';
import { crc32, crc32Js } from '../../src/sources/crc32.js';
import { DecodeError } from '../../src/sources/decode-error.js';
import { decompress, sniffCompression } from '../../src/sources/decompress.js';
import { gunzipStream } from '../../src/sources/gzip-decoder.js';
import { zstdStream } from '../../src/sources/zstd-decoder.js';

/** `n` JSON lines of about 60 bytes. */
function lines(n: number, from = 0): Buffer {
  let s = '';
  for (let i = from; i < from + n; i++) s += `${JSON.stringify({ id: `r${i}`, text: `document number ${i} with some words` })}\n`;
  return Buffer.from(s);
}

/** A byte reader over `bytes` in chunks of `chunk`. */
function reader(bytes: Uint8Array, chunk = 4096): ByteReader {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(Buffer.from(bytes.subarray(i, i + chunk)));
  return new ByteReader(Readable.from(chunks)[Symbol.asyncIterator]());
}

/** Decodes all it can; returns the bytes and the fault (if any). */
async function drain(gen: AsyncGenerator<Buffer>): Promise<{ out: Buffer; error?: DecodeError }> {
  const parts: Buffer[] = [];
  try {
    for await (const c of gen) parts.push(c);
    return { out: Buffer.concat(parts) };
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return { out: Buffer.concat(parts), error: err };
  }
}

test('gzip: text after the last member is ignored with one warning and every line is kept; zero padding is silent', async () => {
  const data = lines(3000);
  for (const [tail, warned] of [
    [Buffer.from('garbage text here\n'), true],
    [Buffer.alloc(512), false],
    [Buffer.from([0x1f]), true],
  ] as const) {
    const warnings: string[] = [];
    const { out, error } = await drain(gunzipStream(reader(Buffer.concat([gzipSync(data), tail])), (m) => warnings.push(m)));
    assert.equal(error, undefined);
    assert.ok(out.equals(data), 'all 3,000 lines');
    assert.equal(warnings.length, warned ? 1 : 0, warnings.join());
    if (warned) assert.match(warnings[0]!, new RegExp(`^${tail.length} bytes of trailing garbage after the last gzip member .*ignored`));
  }
});

test('gzip: members follow each other; a bad CRC or length keeps every decoded byte and says which', async () => {
  const a = lines(500);
  const b = lines(500, 500);
  const two = Buffer.concat([gzipSync(a), gzipSync(b)]);
  assert.ok((await drain(gunzipStream(reader(two, 333), () => {}))).out.equals(Buffer.concat([a, b])));
  for (const [at, what] of [
    [-8, /CRC-32 mismatch/],
    [-1, /length mismatch/],
  ] as const) {
    const bad = Buffer.from(two);
    bad[bad.length + at]! ^= 0x10;
    const { out, error } = await drain(gunzipStream(reader(bad), () => {}));
    assert.ok(out.equals(Buffer.concat([a, b])), 'both members decoded');
    assert.equal(error?.kind, 'corrupt');
    assert.match(error!.message, what);
    assert.equal(error!.endOfData, true, 'the fault is the last trailer');
    assert.equal(error!.offset, bad.length - 8);
  }
  // A bad CRC in the first member: its bytes are kept, the second member is not read.
  const bad = Buffer.from(two);
  bad[gzipSync(a).length - 8]! ^= 1;
  const { out, error } = await drain(gunzipStream(reader(bad), () => {}));
  assert.ok(out.equals(a));
  assert.equal(error?.endOfData, false);
});

test('gzip: a cut stream keeps what was decoded; the fault is at the end of the stream', async () => {
  const data = lines(2000);
  const gz = gzipSync(data);
  for (const cut of [5, 10, 15, Math.floor(gz.length / 2), gz.length - 4]) {
    const { out, error } = await drain(gunzipStream(reader(gz.subarray(0, cut), 1000), () => {}));
    assert.equal(error?.kind, 'truncated', `cut at ${cut}`);
    assert.equal(error!.offset, cut);
    assert.ok(data.subarray(0, out.length).equals(out), 'a prefix of the data');
    if (cut === gz.length - 4) assert.equal(out.length, data.length, 'only the trailer is cut: all data decoded');
  }
});

test('zstd: skippable frames at the start (pzstd), between and after frames are skipped', async () => {
  const a = lines(300);
  const b = lines(300, 300);
  const skippable = (magicLow: number, payload: Buffer): Buffer => {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(0x184d2a50 + magicLow, 0);
    h.writeUInt32LE(payload.length, 4);
    return Buffer.concat([h, payload]);
  };
  const stream = Buffer.concat([skippable(0, Buffer.from([4, 0, 0, 0])), zstdCompress(a), skippable(0xf, Buffer.alloc(70_000, 7)), zstdCompress(b), skippable(3, Buffer.alloc(0))]);
  assert.equal(sniffCompression(stream), 'zstd', 'a stream starting with a skippable frame is zstd');
  const { out, error } = await drain(zstdStream(reader(stream, 1000)));
  assert.equal(error, undefined);
  assert.ok(out.equals(Buffer.concat([a, b])));
});

/** A zstd frame of `data` whose header asks for a window of 2^`log` bytes (no single-segment flag, no content size). */
function frameWithWindow(data: Buffer, log: number): Buffer {
  // Compress as a streaming frame (no content size) so the header carries a window descriptor.
  const frame = zstdCompress(data, { contentSizeFlag: false, windowLog: 20 });
  const fhd = frame[4]!;
  assert.equal(fhd & 0x20, 0, 'not single-segment');
  const out = Buffer.from(frame);
  out[5] = (log - 10) << 3;
  return out;
}

test('zstd: a frame asking for a 2 GiB window (zstd --long=31) decodes; above the maximum is unsupported, naming the window', async () => {
  const data = lines(1000);
  const big = frameWithWindow(data, 31);
  assert.ok((await drain(zstdStream(reader(big)))).out.equals(data), 'window 2 GiB');
  const { out, error } = await drain(zstdStream(reader(big), 2 ** 27));
  assert.equal(out.length, 0);
  assert.equal(error?.kind, 'unsupported');
  assert.match(error!.message, /needs a 2 GiB window, above the maximum of 128 MiB/);
  const huge = frameWithWindow(data, 32);
  assert.match((await drain(zstdStream(reader(huge)))).error!.message, /needs a 4 GiB window, above the maximum of 2 GiB/);
});

test('zstd: a checksum mismatch keeps every decoded byte (the last block too)', async () => {
  const data = lines(4000);
  const z = Buffer.from(zstdCompress(data, { checksumFlag: true }));
  z[z.length - 1]! ^= 1;
  const { out, error } = await drain(zstdStream(reader(z)));
  assert.ok(out.equals(data));
  assert.equal(error?.kind, 'corrupt');
  assert.match(error!.message, /checksum/);
  assert.equal(error!.endOfData, true);
});

test('zstd: a corrupt block keeps the blocks before it; bytes after the last frame are corrupt, data kept', async () => {
  const data = lines(20000); // several 128 KiB blocks
  const z = Buffer.from(zstdCompress(data));
  const bad = Buffer.from(z);
  bad.fill(0xff, Math.floor(z.length * 0.6));
  const { out, error } = await drain(zstdStream(reader(bad)));
  assert.ok(error, 'a fault');
  assert.ok(out.length > 128 * 1024, `blocks before the fault kept (${out.length} bytes)`);
  assert.ok(data.subarray(0, out.length).equals(out));
  const tail = await drain(zstdStream(reader(Buffer.concat([zstdCompress(lines(10)), Buffer.from('junk after it')]))));
  assert.ok(tail.out.equals(lines(10)));
  assert.equal(tail.error?.kind, 'corrupt');
  assert.match(tail.error!.message, /bytes after zstd frame 1 start no frame/);
});

test('decoders produce output only as it is taken: a 1 GiB zstd bomb and a gzip bomb read in bounded steps', async () => {
  // 1 GiB of newlines as zstd: a few KB. Take 10 chunks: the reader consumed only what they needed.
  const zeros = Buffer.alloc(64 << 20, 0x0a);
  const frames: Buffer[] = [];
  for (let i = 0; i < 16; i++) frames.push(zstdCompress(zeros));
  const bomb = Buffer.concat(frames);
  const bytes = reader(bomb, 1 << 16);
  const gen = zstdStream(bytes);
  let taken = 0;
  for (let i = 0; i < 10; i++) {
    const r = await gen.next();
    assert.ok(!r.done);
    assert.ok(r.value.length <= 128 * 1024, `one block at most per step (${r.value.length})`);
    taken += r.value.length;
  }
  await gen.return(undefined);
  assert.ok(taken <= 10 * 128 * 1024);
  const gz = gzipSync(Buffer.alloc(256 << 20, 0x0a), { level: 9 });
  const g = gunzipStream(reader(gz, 1 << 16), () => {});
  for (let i = 0; i < 10; i++) {
    const r = await g.next();
    assert.ok(!r.done && r.value.length <= 64 * 1024, `bounded gzip step (${r.done ? 'done' : r.value.length})`);
  }
  await g.return(undefined);
});

test('decompress: a .gz that is plain text and an empty .zst read with one warning; garbage under a compressed name is refused', async () => {
  const run = async (bytes: Buffer, declared: 'gzip' | 'zstd') => {
    const warnings: string[] = [];
    const d = await decompress(Readable.from(bytes.length ? [bytes] : []), declared, { onWarning: (m) => warnings.push(m) });
    if (!d.ok) return { warnings, detail: d.detail };
    const { out } = await drain(d.chunks);
    return { warnings, out };
  };
  const plain = lines(3);
  const a = await run(plain, 'gzip');
  assert.ok(a.out?.equals(plain));
  assert.deepEqual(a.warnings, ['the file is not gzip-compressed although its name says so: it is read as plain JSON text']);
  const b = await run(Buffer.alloc(0), 'zstd');
  assert.equal(b.out?.length, 0);
  assert.deepEqual(b.warnings, ['the file is empty (0 bytes), although its name says zstd; it holds no documents']);
  const c = await run(Buffer.from([0, 1, 2, 3, 4, 5]), 'zstd');
  assert.match(c.detail!, /does not start with the zstd magic bytes 28 b5 2f fd \(found 00 01 02 03\)/);
});

test('the JavaScript CRC-32 (Node before 20.15) equals zlib.crc32', () => {
  const data = lines(100);
  assert.equal(crc32Js(data), crc32(data));
  assert.equal(crc32Js(data.subarray(50), crc32Js(data.subarray(0, 50))), crc32(data));
});
