import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isBlank, LineSplitter } from '../../src/sources/line-splitter.js';

function split(chunks: Buffer[]): { lines: string[]; consumed: number } {
  const s = new LineSplitter();
  const lines: string[] = [];
  for (const c of chunks) for (const l of s.feed(c)) lines.push(l.toString('latin1'));
  const last = s.finish();
  if (last) lines.push(last.toString('latin1'));
  return { lines, consumed: s.consumed };
}

test('lines are the same whatever the chunk boundaries (CRLF stripped, no final newline kept)', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', 'b', '\n', '\r', '\r\n', '{', ' '), { maxLength: 200 }), fc.array(fc.nat(20)), (parts, cuts) => {
      const text = parts.join('');
      const bytes = Buffer.from(text, 'latin1');
      const chunks: Buffer[] = [];
      let at = 0;
      for (const c of cuts) {
        if (at >= bytes.length) break;
        chunks.push(bytes.subarray(at, at + c));
        at += c;
      }
      chunks.push(bytes.subarray(at));
      const want = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
      if (text.endsWith('\n') || text === '') want.pop();
      const got = split(chunks);
      assert.deepEqual(got.lines, want);
      assert.equal(got.consumed, bytes.length);
    }),
  );
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
