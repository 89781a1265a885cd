import fc from 'fast-check';
// Shared test helpers for the sources tests: fixture paths, collecting documents, a tiny ZIP writer.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import type { Doc } from '../../src/sources/doc.js';
import { expandInputs } from '../../src/sources/expand-inputs.js';
import { readDocs, type ReadOptions } from '../../src/sources/read-docs.js';
import type { FileReport } from '../../src/sources/reader-context.js';
import { RejectSink, type OnError } from '../../src/util/reject-sink.js';
import { crc32 } from '../../src/sources/crc32.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURES = join(ROOT, 'fixtures');
export const fixture = (...parts: string[]): string => join(FIXTURES, ...parts);

/** fixtures/expected/*.json */
export function expected<T = any>(name: string): T {
  return JSON.parse(readFileSync(fixture('expected', name), 'utf8')) as T;
}

export const sha256 = (s: string | Uint8Array): string => createHash('sha256').update(s).digest('hex');

/** Asserts that `docs` are exactly the bundled corpus of fixtures/expected/corpus.json: same ids, same texts, same order. */
export function assertCorpusDocs(docs: Doc[]): void {
  const corpus = expected('corpus.json');
  assert.deepEqual(
    docs.map((d) => d.id),
    corpus.ids,
  );
  assert.deepEqual(
    docs.map((d) => sha256(d.text!)),
    corpus.text_sha256,
  );
}

/** Reads `paths` (files or patterns) with readDocs and returns everything observable. */
export async function readAll(
  paths: string[],
  policy: OnError = 'fail',
  extra: Partial<ReadOptions> = {},
): Promise<{ docs: Doc[]; rejects: RejectSink; reports: FileReport[]; bytes: number; size: number }> {
  const files = await expandInputs(paths, { cwd: ROOT });
  const rejects = extra.rejects ?? new RejectSink(policy);
  const reports: FileReport[] = [];
  let bytes = 0;
  const docs: Doc[] = [];
  for await (const d of readDocs(files, {
    fields: { text: 'text' },
    displayRoot: ROOT,
    rejects,
    reports,
    onBytes: (n) => (bytes += n),
    ...extra,
  })) {
    docs.push(d);
  }
  return { docs, rejects, reports, bytes, size: files.reduce((a, f) => a + f.size, 0) };
}

/** Runs `fn` with a fresh temporary folder that is removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'skein-test-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes a ZIP archive (deflate, or stored for names ending in `/`) with members in the given
 * order: enough to test member ordering, directories and skipped members without a zip tool.
 * More than 65,535 members get a ZIP64 end of central directory.
 */
export function makeZip(members: Array<{ name: string; data?: Uint8Array | string; method?: number; deflated?: { body: Buffer; crc: number; size: number } }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name, 'utf8');
    const raw = typeof m.data === 'string' ? Buffer.from(m.data, 'utf8') : Buffer.from(m.data ?? new Uint8Array(0));
    const isDir = m.name.endsWith('/');
    // A method other than deflate is only labelled: the bytes are stored as they are.
    const method = m.method ?? (isDir ? 0 : 8);
    const body = m.deflated?.body ?? (method === 8 ? deflateRawSync(raw) : raw);
    const crc = m.deflated?.crc ?? crc32(raw);
    const size = m.deflated?.size ?? raw.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0, 10); // time/date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(isDir ? 0x10 : 0, 38); // external attributes
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  // Over 65,535 members the counts go to a ZIP64 end record (APPNOTE 4.3.14, 4.3.15).
  const zip64 = members.length > 0xffff;
  const tail: Buffer[] = [];
  if (zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(members.length), 24);
    rec.writeBigUInt64LE(BigInt(members.length), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(rec, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : members.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : members.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, ...tail, end]);
}

/** Cuts `bytes` at the given chunk lengths (the rest is the last chunk). */
export function cut(bytes: Buffer, cuts: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  for (const c of cuts) {
    if (at >= bytes.length) break;
    chunks.push(bytes.subarray(at, at + c));
    at += c;
  }
  chunks.push(bytes.subarray(at));
  return chunks;
}

/** Where in the bytes a mutation applies, as a fraction (uniform, unlike fc.double's bias to the ends). */
export const position = fc.integer({ min: 0, max: 10_000 }).map((n) => n / 10_000);

/** A mutation of a byte string: flips, overwrites, cuts, inserts, repeats. */
export const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('set' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: position, len: fc.integer({ min: 1, max: 4096 }) }),
);
export type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

/** Applies mutations, each at a fraction of the current length; `from`/`to` narrow where (a footer, a directory). */
export function mutate(src: Uint8Array, ms: Mutation[], from = 0, to = 1): Buffer {
  let b = Buffer.from(src);
  for (const m of ms) {
    const at = Math.min(b.length, Math.floor(b.length * (from + (to - from) * m.at)));
    if (m.kind === 'flip') {
      if (at < b.length) b[at]! ^= 1 << m.bit;
    } else if (m.kind === 'set') {
      Buffer.from(m.bytes).copy(b, at);
    } else if (m.kind === 'cut') {
      b = b.subarray(0, at);
    } else if (m.kind === 'insert') {
      b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
    } else {
      b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + m.len), b.subarray(at)]);
    }
  }
  return b;
}

