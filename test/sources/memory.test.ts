// Memory stays bounded while streaming a large JSONL file: the reader never holds the file.
import assert from 'node:assert/strict';
import { appendFileSync, createReadStream, createWriteStream, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { createGzip } from 'node:zlib';
import { expandInputs } from '../../src/sources/expand-inputs.js';
import { readDocs } from '../../src/sources/read-docs.js';
import { RejectSink } from '../../src/util/reject-sink.js';
import { fixture, withTempDir } from './helpers.js';

const TARGET_BYTES = 200 * 1024 * 1024;
const MAX_GROWTH = 150 * 1024 * 1024;

async function peakGrowthWhileReading(path: string): Promise<{ docs: number; chars: number; growth: number }> {
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
  const timer = setInterval(sample, 5);
  let docs = 0;
  let chars = 0;
  try {
    for await (const doc of readDocs(files, { fields: { text: 'text' }, rejects: new RejectSink() })) {
      docs++;
      chars += doc.text!.length;
      if ((docs & 63) === 0) sample();
    }
  } finally {
    clearInterval(timer);
  }
  sample();
  return { docs, chars, growth: peak - baseline };
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
