import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fixture } from '../helpers/corpus.js';
import { skein, tempDir } from '../helpers/cli.js';

const HAVE_PY = spawnSync('python3', ['-c', 'import xml.etree.ElementTree'], { stdio: 'ignore' }).status === 0;

/** A strict enough XML check without dependencies: one root, every tag closed in order, attributes quoted, entities escaped. */
function wellFormed(xml: string): boolean {
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  let roots = 0;
  while ((m = tag.exec(body)) !== null) {
    pos = tag.lastIndex;
    if (m[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(m[5])) return false;
      continue;
    }
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else if (!m[4]) {
      if (stack.length === 0) roots++;
      stack.push(m[2]!);
    } else if (stack.length === 0) roots++;
  }
  return pos === body.length && stack.length === 0 && roots === 1;
}

test('skein stats prints per-source length histograms in tokens and writes an SVG chart that parses as XML', () => {
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
  assert.ok(wellFormed(svg), 'the SVG is well-formed XML');
  assert.equal((svg.match(/<rect /g) ?? []).length, 1 + 5, 'a background and one bar per non-empty bucket');
  if (HAVE_PY) {
    const py = spawnSync('python3', ['-c', 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); print(r.tag)', chart], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    assert.equal(py.stdout.trim(), '{http://www.w3.org/2000/svg}svg');
  }
});

test('skein stats per source (SlimPajama meta.redpajama_set_name), --json, and user errors', () => {
  const r = skein(['stats', fixture('slimpajama', 'train'), '--tokenizer', 'llama2', '--source-field', 'meta.redpajama_set_name', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(j.sources), ['RedPajamaArXiv', 'RedPajamaBook', 'RedPajamaC4', 'RedPajamaCommonCrawl', 'RedPajamaGithub', 'RedPajamaStackExchange', 'RedPajamaWikipedia']);
  assert.equal(j.all.count, 923);
  const bad = skein(['stats', fixture('corpus', 'sotu.jsonl'), '--tokenizer', 'llama3', '--chart', 'x.png']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /skein writes SVG charts; give a file name ending in \.svg/);
  const none = skein(['stats', fixture('corpus', 'sotu.jsonl')]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /--tokenizer/);
});
