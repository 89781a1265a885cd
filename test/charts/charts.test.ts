import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chartFormatOf,
  heatmapChartSpec,
  histogramChartSpec,
  lossChartSpec,
  movingAverage,
  positionsChartSpec,
  rasterizerName,
  renderChartSvg,
  svgToPng,
} from '../../src/charts/index.js';
import { LengthHistogram } from '../../src/shards/histogram.js';
import { UserError } from '../../src/util/errors.js';
import { assertWholeChart, countMarks, countPixels, decodePng, near, svgTexts } from '../helpers/chart-image.js';
import { parseXml } from '../helpers/xml.js';

/** The heights of the bars of an SVG, in document order (from their `d="M x,y h w v h ..."` paths). */
function barHeights(svg: string): number[] {
  return [...svg.matchAll(/aria-roledescription="bar" d="M[-\d.]+,[-\d.]+h[-\d.]+v([-\d.]+)/g)].map((m) => Number(m[1]));
}

function histogramOf(lengths: number[]) {
  const h = new LengthHistogram();
  for (const l of lengths) h.add(l);
  return h.toJSON();
}

test('histogram chart: one bar per non-empty bucket, heights in proportion to the shares, every bucket labelled, titles and summaries whole', async () => {
  const web = histogramOf([300, 1100, 1500, 5000]); // buckets 256, 1K (2 docs), 4K
  const books = histogramOf([40000, 70000]); // buckets 32K, 64K
  const spec = histogramChartSpec([{ name: 'web', histogram: web }, { name: 'books', histogram: books }], { title: 'Document lengths (llama3 tokens)', markers: [4096, 32768] });
  const svg = await renderChartSvg(spec);
  parseXml(svg);
  assert.equal(countMarks(svg, 'bar'), web.buckets.length + books.buckets.length);
  assert.equal(countMarks(svg, 'bar'), 5);
  const heights = barHeights(svg);
  // web: shares 1/4, 2/4, 1/4 on one y scale; books: 1/2, 1/2.
  assert.ok(Math.abs(heights[1]! / heights[0]! - 2) < 0.01, `the 2-document bar is twice the 1-document bar: ${heights}`);
  assert.ok(Math.abs(heights[2]! - heights[0]!) < 0.01);
  assert.ok(Math.abs(heights[3]! - heights[4]!) < 0.01);
  const texts = svgTexts(svg);
  for (const t of ['Document lengths (llama3 tokens)', 'web', 'books', 'document length in tokens (bucket start; each bucket spans a power of two)']) assert.ok(texts.includes(t), `text ${t}`);
  assert.equal(texts.filter((t) => t === 'share of documents').length, 2, 'a y-axis title per panel');
  assert.ok(texts.includes('4 documents, mean 1975 tokens; 75% under 4K, 0% at or over 32K'), texts.join(' | '));
  assert.ok(texts.includes('2 documents, mean 55000 tokens; 0% under 4K, 100% at or over 32K'));
  // The shared x axis lists every bucket from 256 to 64K, empty ones included, under each panel.
  for (const label of ['256', '512', '1K', '2K', '4K', '8K', '16K', '32K', '64K']) assert.equal(texts.filter((t) => t === label).length, 2, `bucket ${label}`);
  assert.match(svg, /aria-label="[^"]*1K–2K tokens: 2 documents \(50\.0%\)"/);
  assert.equal(countMarks(svg, 'rule mark'), 4, 'the 4K and 32K markers in both panels');

  const png = await svgToPng(svg);
  const img = decodePng(png);
  assertWholeChart(img, svg);
  assert.ok(countPixels(img, near('#4e79a7')) > 1000, 'the first panel\'s bars are drawn in its colour');
  assert.ok(countPixels(img, near('#f28e2b')) > 1000, 'the second panel\'s bars in the next colour');
  assert.deepEqual(await svgToPng(await renderChartSvg(spec)), png, 'same data, same PNG bytes');
});

test('heatmap: a long title over two lengths is whole, one cell per (length, depth), depth 0% on top, red for 0 and green for 100%', async () => {
  const cells = [128, 256].flatMap((length) => [0, 50, 100].map((depth) => ({ length, depth, accuracy: length === 128 ? 1 : depth / 100, samples: 4 })));
  const title = 'passkey: exact match by context length × depth';
  const svg = await renderChartSvg(heatmapChartSpec(cells, { text: title, subtitle: 'eval-passkey, checkpoint step 1500' }));
  const texts = svgTexts(svg);
  assert.ok(texts.includes(title), 'the title is one whole text element');
  assert.ok(texts.includes('eval-passkey, checkpoint step 1500'));
  for (const t of ['context length (tokens)', 'needle depth', 'exact match', '128', '256', '0%', '50%', '100%']) assert.ok(texts.includes(t), `text ${t}`);
  assert.equal(countMarks(svg, 'rect mark'), cells.length);
  assert.equal(countMarks(svg, 'text mark'), cells.length, 'each cell labelled with its accuracy');
  const cellY = (label: string) => Number(new RegExp(`aria-label="${label}[^"]*"[^>]*d="M[-\\d.]+,([-\\d.]+)`).exec(svg)![1]);
  assert.ok(cellY('length 128, depth 0%') < cellY('length 128, depth 50%') && cellY('length 128, depth 50%') < cellY('length 128, depth 100%'), 'depth grows downwards');
  const img = decodePng(await svgToPng(svg));
  assertWholeChart(img, svg);
  assert.ok(countPixels(img, near('#a50026', 20)) > 1000, 'a red cell (0%)');
  assert.ok(countPixels(img, near('#006837', 20)) > 3000, 'green cells (100%)');
});

test('loss chart: the legend names held-out loss only when there are held-out points', async () => {
  const train = Array.from({ length: 60 }, (_, i) => ({ step: i + 1, loss: 6 - i / 20 }));
  const without = await renderChartSvg(lossChartSpec(train, [], 'skein train: tiny'));
  let texts = svgTexts(without);
  for (const t of ['skein train: tiny', 'optimizer step', 'loss (nats / token)', 'train loss', 'moving average']) assert.ok(texts.includes(t), `text ${t}`);
  assert.ok(!without.includes('held-out'), 'no held-out legend (or point) without held-out data');
  assert.equal(countMarks(without, 'line mark'), 2);
  assert.equal(countMarks(without, 'point'), 0);
  const img = decodePng(await svgToPng(without));
  assertWholeChart(img, without);
  assert.ok(countPixels(img, near('#08519c')) > 500, 'the moving average is drawn');
  assert.equal(countPixels(img, near('#e6550d', 30)), 0, 'nothing in the held-out colour');

  const withHeld = await renderChartSvg(lossChartSpec(train, [{ step: 30, loss: 5.1 }, { step: 60, loss: 4.9 }], 'skein train: tiny'));
  texts = svgTexts(withHeld);
  assert.ok(texts.includes('held-out loss'));
  assert.equal(countMarks(withHeld, 'point'), 2);
  assert.match(withHeld, /aria-label="[^"]*step 60: held-out loss 4\.9000"/);
  const img2 = decodePng(await svgToPng(withHeld));
  assertWholeChart(img2, withHeld);
  assert.ok(countPixels(img2, near('#e6550d', 30)) > 100, 'held-out points and their legend symbol are drawn');
});

test('movingAverage: bias-corrected (starts at the first loss), constant on a constant curve, skips non-finite losses', () => {
  const flat = movingAverage(Array.from({ length: 40 }, (_, i) => ({ step: i, loss: 3 })));
  for (const p of flat) assert.ok(Math.abs(p.loss - 3) < 1e-12);
  const ema = movingAverage([{ step: 1, loss: 10 }, { step: 2, loss: NaN }, { step: 3, loss: 0 }]);
  assert.deepEqual(ema.map((p) => p.step), [1, 3]);
  assert.equal(ema[0]!.loss, 10);
});

test('positions chart: one line per row with its label in the legend, axis titles, labels escaped', async () => {
  const reset = Int32Array.from({ length: 300 }, (_, i) => i % 100);
  const cont = Int32Array.from({ length: 300 }, (_, i) => i);
  const svg = await renderChartSvg(positionsChartSpec([{ label: 'a <b> & "c"', positions: reset }, { label: 'row 1', positions: cont }], { title: 'shards: position id vs token index' }));
  parseXml(svg);
  assert.equal(countMarks(svg, 'line mark'), 2);
  const texts = svgTexts(svg);
  for (const t of ['shards: position id vs token index', 'token index', 'position id', 'a <b> & "c"', 'row 1']) assert.ok(texts.includes(t), `text ${t}`);
  const img = decodePng(await svgToPng(svg));
  assertWholeChart(img, svg);
});

test('chartFormatOf: .svg and .png (any case) pick the format; another name is a user error naming the flag', () => {
  assert.equal(chartFormatOf('a/lengths.svg', '--chart'), 'svg');
  assert.equal(chartFormatOf('LENGTHS.PNG', '--chart'), 'png');
  assert.throws(() => chartFormatOf('lengths.pdf', '--chart'), (e: unknown) => e instanceof UserError && /--chart lengths\.pdf: .*\.svg or \.png/.test(e.message));
});

test('PNG: the native and the WebAssembly build of resvg give the same bytes; native is the default where its binary exists', async () => {
  // @resvg/resvg-js ships binaries for these platforms (its optionalDependencies).
  const native = ['linux-x64', 'linux-arm64', 'linux-arm', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-ia32', 'win32-arm64', 'android-arm64', 'android-arm'];
  if (native.includes(`${process.platform}-${process.arch}`) && !process.env.SKEIN_RASTERIZER) assert.equal(await rasterizerName(), 'resvg-js');
  assert.equal(await rasterizerName('resvg-wasm'), 'resvg-wasm');
  const cells = [{ length: 128, depth: 0, accuracy: 0.5, samples: 2 }];
  const svg = await renderChartSvg(heatmapChartSpec(cells, { text: 'passkey: exact match by context length × depth' }));
  const a = await svgToPng(svg, { rasterizer: 'resvg-js' });
  const b = await svgToPng(svg, { rasterizer: 'resvg-wasm' });
  assert.deepEqual(Buffer.from(a), Buffer.from(b));
  assertWholeChart(decodePng(b), svg);
  const small = decodePng(await svgToPng(svg, { scale: 1 }));
  assert.equal(small.width, Number(parseXml(svg).attrs.width));
});
