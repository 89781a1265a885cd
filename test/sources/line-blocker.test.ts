import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LineBlocker, type LineBlock, type LongLineAt } from '../../src/sources/line-blocker.js';

/** Lines of a stream: short and long ones, empty runs long enough to be skipped, with or without a last newline. */
const stream = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 40 }).map((t) => `${t.replace(/\n/g, ' ')}\n`),
      fc.integer({ min: 1, max: 9000 }).map((n) => '\n'.repeat(n)),
      fc.integer({ min: 60, max: 300 }).map((n) => `${'x'.repeat(n)}\n`),
    ),
    { maxLength: 40 },
  )
  .chain((parts) => fc.tuple(fc.constant(parts.join('')), fc.string({ maxLength: 30 }).map((t) => t.replace(/\n/g, ' '))))
  .map(([body, tail]) => Buffer.from(body + tail));

test('LineBlocker: every block is the stream bytes that end at its `end`, long lines end at a newline, and only empty lines fall between', () => {
  fc.assert(
    fc.property(stream, fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 20 }), fc.boolean(), (bytes, sizes, own) => {
      const blocker = new LineBlocker(100, 512, undefined);
      const out: Array<LineBlock | LongLineAt> = [];
      const copies: Buffer[] = [];
      let at = 0;
      for (let i = 0; at < bytes.length; i++) {
        const n = sizes[i % sizes.length]!;
        // Chunks that own their buffer are taken over as blocks; pooled copies are copied.
        const piece = own ? new Uint8Array(bytes.subarray(at, at + n)) : Buffer.from(bytes.subarray(at, at + n));
        for (const c of blocker.feed(piece)) {
          out.push(c);
          if (!('tooLong' in c)) copies.push(Buffer.from(c.bytes));
        }
        at += n;
      }
      for (const c of blocker.finish()) {
        out.push(c);
        if (!('tooLong' in c)) copies.push(Buffer.from(c.bytes));
      }
      let prev = 0;
      let line = 0;
      let b = 0;
      for (const c of out) {
        const start = 'tooLong' in c ? c.end - c.bytes - (bytes[c.end - 1] === 0x0a ? 1 : 0) : c.end - c.bytes.length;
        assert.ok(start >= prev, `outputs overlap or go back: ${start} < ${prev}`);
        assert.ok(bytes.subarray(prev, start).every((x) => x === 0x0a), 'only empty lines are skipped between outputs');
        line += bytes.subarray(prev, start).length;
        if ('tooLong' in c) {
          assert.equal(c.line, line + 1);
          assert.ok(c.bytes > 100);
          line++;
        } else {
          assert.deepEqual(copies[b++], bytes.subarray(start, c.end));
          assert.equal(c.firstLine, line + 1);
          line += c.lines;
        }
        prev = c.end;
      }
      assert.ok(bytes.subarray(prev).every((x) => x === 0x0a), 'what follows the last output is empty lines');
    }),
    { numRuns: 300 },
  );
});
