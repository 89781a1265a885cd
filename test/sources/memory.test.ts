// Memory stays bounded while streaming a large JSONL file: the reader never holds the file.
import assert from 'node:assert/strict';
import { appendFileSync, createReadStream, createWriteStream, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { createGzip } from 'node:zlib';
import { expandInputs } from '../../src/sources/expand-inputs.js';
import { readDocs, type ReadOptions } from '../../src/sources/read-docs.js';
import { RejectSink } from '../../src/util/reject-sink.js';
import { deflateRun, gzipRun, zstdRun } from '../helpers/hostile-inputs.js';
import { fixture, makeZip, withTempDir } from './helpers.js';

const TARGET_BYTES = 200 * 1024 * 1024;
const MAX_GROWTH = 150 * 1024 * 1024;

async function peakGrowthWhileReading(path: string, opts: Partial<ReadOptions> = {}): Promise<{ docs: number; chars: number; growth: number; ticks: number; rejects: RejectSink }> {
  const files = await expandInputs([path]);
  // Warm up the code paths (and the zstd/zlib bindings) before taking the baseline.
  for await (const _ of readDocs(await expandInputs([fixture('corpus', 'sotu.jsonl.gz')]), { fields: { text: 'text' }, rejects: new RejectSink() })) void _;
  (globalThis as { gc?: () => void }).gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sample = () => {
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
  };
  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
    sample();
  }, 5);
  let docs = 0;
  let chars = 0;
  const rejects = new RejectSink('skip');
  try {
    for await (const doc of readDocs(files, { fields: { text: 'text' }, rejects, ...opts })) {
      docs++;
      chars += doc.text!.length;
      if ((docs & 63) === 0) sample();
    }
  } finally {
    clearInterval(timer);
  }
  sample();
  return { docs, chars, growth: peak - baseline, ticks, rejects };
}

test('streaming a ~200 MB JSONL file (plain and gzip) keeps RSS growth under 150 MB', { timeout: 300_000 }, async () => {
  await withTempDir(async (dir) => {
    const one = readFileSync(fixture('corpus', 'sotu.jsonl'));
    const copies = Math.ceil(TARGET_BYTES / one.length);
    const plain = join(dir, 'big.jsonl');
    writeFileSync(plain, one);
    for (let i = 1; i < copies; i++) appendFileSync(plain, one);
    assert.ok(statSync(plain).size >= TARGET_BYTES);
    const charsPerCopy = (await peakGrowthWhileReading(fixture('corpus', 'sotu.jsonl'))).chars;

    const p = await peakGrowthWhileReading(plain);
    assert.equal(p.docs, 26 * copies);
    assert.equal(p.chars, charsPerCopy * copies);
    assert.ok(p.growth < MAX_GROWTH, `plain: RSS grew by ${(p.growth / 2 ** 20).toFixed(1)} MB`);

    const gz = join(dir, 'big.jsonl.gz');
    await pipeline(createReadStream(plain), createGzip({ level: 1 }), createWriteStream(gz));
    rmSync(plain);
    const g = await peakGrowthWhileReading(gz);
    assert.equal(g.docs, 26 * copies);
    assert.ok(g.growth < MAX_GROWTH, `gzip: RSS grew by ${(g.growth / 2 ** 20).toFixed(1)} MB`);
    console.log(`memory: ${copies} copies, plain +${(p.growth / 2 ** 20).toFixed(1)} MB, gzip +${(g.growth / 2 ** 20).toFixed(1)} MB peak RSS growth`);
  });
});

test('decompression bombs stay in bounded memory and keep the event loop running: 1 GiB of blank lines (zstd, gzip), 1 GiB lines (zstd, ZIP member)', { timeout: 600_000 }, async () => {
  await withTempDir(async (dir) => {
    const GiB = 2 ** 30;
    const cases: Array<[string, Buffer, number, Record<string, number>]> = [
      ['blank.jsonl.zst', zstdRun(0x0a, GiB, '{"text":"first"}\n', '{"text":"last"}\n'), 2, {}],
      ['blank.jsonl.gz', Buffer.concat([gzipRun(0x0a, GiB)]), 0, {}],
      ['line.jsonl.zst', zstdRun(0x61, GiB, '{"text":"first"}\n', '\n{"text":"last"}\n'), 2, { line_too_long: 1 }],
      ['member.zip', makeZip([{ name: 'big.jsonl', deflated: deflateRun(0x61, GiB) }, { name: 'z.jsonl', data: '{"text":"after"}\n' }]), 1, { line_too_long: 1 }],
    ];
    for (const [name, bytes, docs, dropped] of cases) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const r = await peakGrowthWhileReading(path, { limits: { maxLineBytes: 16 * 2 ** 20, maxZstdWindow: 2 ** 31 } });
      assert.equal(r.docs, docs, name);
      assert.deepEqual(r.rejects.counts, dropped, name);
      assert.ok(r.growth < MAX_GROWTH, `${name} (${bytes.length} bytes on disk): RSS grew by ${(r.growth / 2 ** 20).toFixed(1)} MB`);
      assert.ok(r.ticks >= 5, `${name}: timers ran ${r.ticks} times while 1 GiB was decoded`);
      console.log(`memory: ${name} (${bytes.length} bytes, 1 GiB decoded): +${(r.growth / 2 ** 20).toFixed(1)} MB peak RSS growth, ${r.ticks} timer ticks`);
      rmSync(path);
    }
  });
});
