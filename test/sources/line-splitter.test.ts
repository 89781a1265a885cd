import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isBlank, LineSplitter, type LongLine } from '../../src/sources/line-splitter.js';
import { cut } from './helpers.js';

/** Splits `chunks` and returns every line with its number (`#N:text`, or `#N:too long B` for a dropped one). */
function split(chunks: Buffer[], max?: number): { lines: string[]; consumed: number; count: number } {
  const s = new LineSplitter(max);
  const lines: string[] = [];
  const show = (l: Buffer | LongLine) => (Buffer.isBuffer(l) ? `#${s.line}:${l.toString('latin1')}` : `#${s.line}:too long ${l.bytes}`);
  for (const c of chunks) for (const l of s.feed(c)) lines.push(show(l));
  const last = s.finish();
  if (last) lines.push(show(last));
  return { lines, consumed: s.consumed, count: s.line };
}

/** What splitting must give, computed the obvious way on the whole text. */
function reference(text: string, max = Number.POSITIVE_INFINITY): string[] {
  const parts = text.split('\n');
  if (text.endsWith('\n') || text === '') parts.pop();
  const out: string[] = [];
  parts.forEach((l, i) => {
    if (l === '') return; // bare newlines are counted, not yielded
    if (l.length > max) out.push(`#${i + 1}:too long ${l.length}`);
    else out.push(`#${i + 1}:${l.endsWith('\r') ? l.slice(0, -1) : l}`);
  });
  return out;
}

test('lines and their numbers are the same whatever the chunk boundaries (CRLF stripped, empty lines counted but not yielded)', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', 'b', '\n', '\n\n\n', '\r', '\r\n', '{', ' '), { maxLength: 200 }), fc.array(fc.nat(20)), (parts, cuts) => {
      const text = parts.join('');
      const bytes = Buffer.from(text, 'latin1');
      const got = split(cut(bytes, cuts));
      assert.deepEqual(got.lines, reference(text));
      assert.equal(got.consumed, bytes.length);
      const n = text.split('\n').length - (text.endsWith('\n') || text === '' ? 1 : 0);
      assert.equal(got.count, n, 'every line is counted');
    }),
  );
});

test('a line over the maximum comes out as its length, never assembled, wherever the chunks cut it', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constantFrom('\n', '\r\n'), fc.stringMatching(/^[a-z]{0,30}$/)), { maxLength: 60 }),
      fc.integer({ min: 1, max: 12 }),
      fc.array(fc.nat(25)),
      (parts, max, cuts) => {
        const text = parts.join('');
        assert.deepEqual(split(cut(Buffer.from(text, 'latin1'), cuts), max).lines, reference(text, max));
      },
    ),
  );
});

test('the carry never holds more than the maximum (a 10 MB line with a 1 KB maximum)', () => {
  const s = new LineSplitter(1024);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let peak = 0;
  for (let i = 0; i < 160; i++) {
    for (const l of s.feed(chunk)) assert.fail(`no line yet, got ${String(l)}`);
    peak = Math.max(peak, (s as unknown as { carryLength: number }).carryLength);
  }
  assert.equal(peak, 0, 'dropped bytes are not kept');
  assert.equal(s.pendingLength, 160 * 64 * 1024);
  assert.deepEqual([...s.feed(Buffer.from('\n{"a":1}\n'))].map((l) => (Buffer.isBuffer(l) ? l.toString() : l)), [{ tooLong: true, bytes: 160 * 64 * 1024 }, '{"a":1}']);
  assert.equal(s.line, 2);
});

test('a run of millions of empty lines is counted without yielding', () => {
  const s = new LineSplitter();
  const chunk = Buffer.alloc(1 << 20, 0x0a);
  let yielded = 0;
  for (let i = 0; i < 8; i++) for (const _ of s.feed(chunk)) yielded++;
  for (const _ of s.feed(Buffer.from('x\n'))) yielded++;
  assert.equal(yielded, 1);
  assert.equal(s.line, 8 * (1 << 20) + 1);
});

test('a partial line is reported as pending until its newline arrives', () => {
  const s = new LineSplitter();
  assert.deepEqual([...s.feed(Buffer.from('{"a":1}\n{"b"'))].map(String), ['{"a":1}']);
  assert.equal(s.pendingLength, 4);
  assert.equal(s.pendingHasContent, true);
  assert.deepEqual([...s.feed(Buffer.from(':2}\n  '))].map(String), ['{"b":2}']);
  assert.equal(s.pendingHasContent, false, 'only whitespace pending');
  assert.equal(String(s.finish()), '  ');
  assert.equal(s.finish(), undefined);
});

test('isBlank accepts only JSON whitespace', () => {
  assert.equal(isBlank(Buffer.from(' \t\r ')), true);
  assert.equal(isBlank(Buffer.alloc(0)), true);
  assert.equal(isBlank(Buffer.from(' x')), false);
  assert.equal(isBlank(Buffer.from('\u00a0')), false);
});
