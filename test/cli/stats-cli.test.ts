import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fixture } from '../helpers/corpus.js';
import { skein, tempDir } from '../helpers/cli.js';
import { python } from '../helpers/python.js';
import { assertWholeChart, countMarks, decodePng, svgTexts } from '../helpers/chart-image.js';
import { parseXml } from '../helpers/xml.js';

test('skein stats prints per-source length histograms in tokens and writes the chart as SVG (one bar per bucket) or PNG', () => {
  const dir = tempDir();
  const chart = path.join(dir, 'lengths.svg');
  const r = skein(['stats', fixture('corpus', 'sotu.jsonl'), '--tokenizer', 'llama3', '--chart', chart]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /document lengths in llama3 tokens/);
  assert.match(r.stdout, /sotu\s+26\s+221K\s+\d+\s+0%\s+4%\s+15%\s+50%/, 'the under-1K…128K table');
  assert.match(r.stdout, /sotu: 15% of documents under 4K tokens, 0% at or over 32K/);
  assert.match(r.stdout, /8K–16K\s+█+\s+11 \(42%\)/, 'the bucket bars');
  const svg = fs.readFileSync(chart, 'utf8');
  assert.ok(svg.startsWith('<?xml') && svg.includes('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.equal(parseXml(svg).name, 'svg', 'the SVG is well-formed XML');
  assert.equal(countMarks(svg, 'bar'), 5, 'one bar per non-empty bucket (the printed histogram has 5)');
  const texts = svgTexts(svg);
  for (const t of ['Document lengths (llama3 tokens)', 'sotu', 'share of documents', 'document length in tokens (bucket start; each bucket spans a power of two)']) assert.ok(texts.includes(t), `text ${t}`);
  assert.ok(texts.some((t) => /^26 documents, mean \d+ tokens; 15% under 4K, 0% at or over 32K$/.test(t)), texts.join(' | '));
  const py = python(['-c', 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); print(r.tag)', chart]);
  assert.equal(py.status, 0, py.stderr);
  assert.equal(py.stdout.trim(), '{http://www.w3.org/2000/svg}svg');
  const pngFile = path.join(dir, 'charts', 'lengths.png');
  const p = skein(['stats', fixture('corpus', 'sotu.jsonl'), '--tokenizer', 'llama3', '--chart', pngFile]);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /chart: .*lengths\.png/);
  assertWholeChart(decodePng(fs.readFileSync(pngFile)), svg);
});

test('skein stats per source (SlimPajama meta.redpajama_set_name), --json, and user errors', () => {
  const r = skein(['stats', fixture('slimpajama', 'train'), '--tokenizer', 'llama2', '--source-field', 'meta.redpajama_set_name', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(j.sources), ['RedPajamaArXiv', 'RedPajamaBook', 'RedPajamaC4', 'RedPajamaCommonCrawl', 'RedPajamaGithub', 'RedPajamaStackExchange', 'RedPajamaWikipedia']);
  assert.equal(j.all.count, 923);
  const bad = skein(['stats', fixture('corpus', 'sotu.jsonl'), '--tokenizer', 'llama3', '--chart', 'x.pdf']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^skein: --chart x\.pdf: skein writes charts as SVG or PNG; give a file name ending in \.svg or \.png$/m);
  const none = skein(['stats', fixture('corpus', 'sotu.jsonl')]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /--tokenizer/);
});
