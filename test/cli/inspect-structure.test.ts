import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { breakpoints, positionsSvg } from '../../src/cli/positions-svg.js';
import { openDataset } from '../../src/index.js';
import { ROOT } from '../helpers/corpus.js';
import { skein, tempDir } from '../helpers/cli.js';
import { elementsNamed, parseXml } from '../helpers/xml.js';

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

test('inspect --explain marks position restarts per piece and --plot writes an SVG with one polyline per row', () => {
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
  const lines = elementsNamed(svg, 'polyline');
  assert.equal(lines.length, 3);
  for (const l of lines) assert.ok(l.attrs.points!.split(' ').length >= 2);
});

test('positionsSvg: exact breakpoints for piecewise-linear rows, bounded points for random ones, escaped labels', () => {
  const reset = Int32Array.from([0, 1, 2, 0, 1, 2, 3, 0]);
  assert.deepEqual(breakpoints(reset, 100), [[0, 0], [2, 2], [3, 0], [6, 3], [7, 0]]);
  assert.deepEqual(breakpoints(Int32Array.from({ length: 1000 }, (_, i) => i), 100), [[0, 0], [999, 999]]);
  let x = 0;
  const random = Int32Array.from({ length: 10000 }, (_, i) => (x += 1 + ((i * 7919) % 13)));
  assert.ok(breakpoints(random, 400).length <= 400);
  const svg = positionsSvg([{ label: 'a <b> & "c"', positions: reset }]);
  const tree = parseXml(svg);
  assert.equal(elementsNamed(tree, 'polyline').length, 1);
  assert.ok(svg.includes('a &lt;b&gt; &amp; &quot;c&quot;'));
  assert.throws(() => parseXml('<svg><g></svg>'));
});
