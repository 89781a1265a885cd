import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { breakpoints } from '../../src/charts/positions-chart.js';
import { openDataset } from '../../src/index.js';
import { ROOT } from '../helpers/corpus.js';
import { skein, tempDir } from '../helpers/cli.js';
import { parseXml } from '../helpers/xml.js';
import { assertWholeChart, countMarks, decodePng, svgTexts } from '../helpers/chart-image.js';

test('inspect --explain shows a UtK row\'s structure: chunk IDs matched to summaries, knots, masked spans', async () => {
  const out = path.join(tempDir(), 'utk');
  assert.equal(skein(['build', path.join(ROOT, 'pipelines', 'utk.json'), '--seq-len', '2048', '--output', out, '--quiet']).code, 0);
  // Find a row holding a complete summary.
  const ds = await openDataset(out);
  const utkEntry = ds.manifest.augment!.find((a) => a.type === 'utk')!;
  assert.equal(utkEntry.marker_source, 'reserved', 'Llama-3: the markers are reserved special tokens');
  const S = (utkEntry.marker_ids as Record<string, number>)[(utkEntry.sort_tokens as string[])[4]!]!;
  let n = -1;
  let k = 0;
  for await (const r of ds.rows()) {
    if (r.inputIds.includes(S)) {
      n = k;
      break;
    }
    k++;
  }
  assert.ok(n >= 0);
  const r = skein(['inspect', out, '--explain', String(n), '--chars', '40']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^row ${n}: 2048 tokens, \\d+ pieces; attention causal, positions continuous; augmented by utk, eod-mask-loss`));
  assert.match(r.stdout, /loss_mask: \d+ targets, \d+ not targets/);
  assert.match(r.stdout, /document 1: summary at token \d+ lists [A-Za-z0-9]{6}( → [A-Za-z0-9]{6}){1,2}/);
  assert.match(r.stdout, /chunk [A-Za-z0-9]{6} = 1\/[23] of document 1/);
  assert.match(r.stdout, /‹⟦<D>⟧[A-Za-z0-9]{6}⟦<\/D>⟧/, 'headers shown masked, markers by role');
  assert.match(r.stdout, /⟦knot_1_(end|start)⟧/);
  assert.match(r.stdout, /‹⟦<S>⟧›[A-Za-z0-9]{6}⟦<s>⟧/, 'the summary opener is masked, its IDs are targets');
  const bad = skein(['inspect', out, '--explain', '100000']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--explain 100000: the dataset has \d+ rows/);
});

test('inspect --explain marks position restarts per piece and --plot writes an SVG (or PNG) with one line per row', () => {
  const out = path.join(tempDir(), 'pack');
  assert.equal(skein(['build', path.join(ROOT, 'pipelines', 'index-32k.json'), '--seq-len', '8192', '--output', out, '--quiet']).code, 0);
  const r = skein(['inspect', out, '--explain', '0', '--no-decode']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /attention document, positions reset/);
  assert.match(r.stdout, /piece 0: tokens 0–\d+, positions 0–\d+, segment 0/);
  assert.match(r.stdout, /⟦bos⟧\[[\d …]+\]⟦eos⟧/);
  const svgFile = path.join(tempDir(), 'positions.svg');
  const p = skein(['inspect', out, '--plot', svgFile, '--plot-rows', '3']);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /wrote .*positions\.svg: positions of 3 rows/);
  const svg = parseXml(fs.readFileSync(svgFile, 'utf8'));
  assert.equal(svg.name, 'svg');
  assert.equal(svg.attrs.xmlns, 'http://www.w3.org/2000/svg');
  const text = fs.readFileSync(svgFile, 'utf8');
  assert.equal(countMarks(text, 'line mark'), 3);
  const texts = svgTexts(text);
  for (const t of ['token index', 'position id', 'pack: position id vs token index (positions reset, attention document)']) assert.ok(texts.includes(t), `text ${t}`);
  assert.equal(texts.filter((t) => /^row [012] \(8192 tokens, \d+ pieces?\)$/.test(t)).length, 3, 'a legend entry per row');
  const pngFile = path.join(tempDir(), 'positions.png');
  assert.equal(skein(['inspect', out, '--plot', pngFile, '--plot-rows', '3']).code, 0);
  assertWholeChart(decodePng(fs.readFileSync(pngFile)), text);
  const bad = skein(['inspect', out, '--plot', 'positions.jpg']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--plot positions\.jpg: skein writes charts as SVG or PNG/);
});

test('breakpoints: exact for piecewise-linear rows, bounded for random ones', () => {
  const reset = Int32Array.from([0, 1, 2, 0, 1, 2, 3, 0]);
  assert.deepEqual(breakpoints(reset, 100), [[0, 0], [2, 2], [3, 0], [6, 3], [7, 0]]);
  assert.deepEqual(breakpoints(Int32Array.from({ length: 1000 }, (_, i) => i), 100), [[0, 0], [999, 999]]);
  let x = 0;
  const random = Int32Array.from({ length: 10000 }, (_, i) => (x += 1 + ((i * 7919) % 13)));
  assert.ok(breakpoints(random, 400).length <= 400);
  assert.throws(() => parseXml('<svg><g></svg>'));
});
