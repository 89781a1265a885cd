/**
 * `npm run bench -- charts [--repeat N]`: what the charts cost. Per chart (realistic sizes: the
 * SlimPajama fixture's 7 sources, 4 rows of 32K positions with a RandPos row, a 4 × 5 heatmap, a
 * 1,500-step loss curve): the first render in a fresh process (importing Vega and Vega-Lite,
 * loading each rasterizer and the fonts) and the median of N further renders: SVG, PNG with the
 * native resvg-js and PNG with resvg-wasm; and the install size the charting packages add: the
 * files of every package reachable from vega, vega-lite, @resvg/resvg-js (with its platform
 * binary), @resvg/resvg-wasm and dejavu-fonts-ttf that no other dependency of skein reaches.
 */
import fs from 'node:fs';
import path from 'node:path';
import { heatmapChartSpec, histogramChartSpec, lossChartSpec, positionsChartSpec, renderChartSvg, svgToPng, type ChartSpec } from '../src/charts/index.js';
import { LengthHistogram } from '../src/shards/histogram.js';
import { rngFor } from '../src/util/rng.js';

/** One chart's timings. */
export interface ChartBench {
  chart: string;
  svgBytes: number;
  pngBytes: number;
  /** Median SVG render (spec → SVG text), ms. */
  svgMs: number;
  /** Median PNG rasterization of that SVG with the native resvg-js, ms. */
  pngMs: number;
  /** The same with resvg-wasm, ms. */
  wasmMs: number;
}

/** The whole benchmark. */
export interface ChartsBench {
  /** First SVG render of the process (imports Vega and Vega-Lite), ms. */
  firstSvgMs: number;
  /** First PNG of the process with the native resvg-js (loading it and the fonts), ms. */
  firstPngMs: number;
  /** First PNG of the process with resvg-wasm (compiling the WebAssembly, loading the fonts), ms. */
  firstWasmMs: number;
  charts: ChartBench[];
  /** Bytes on disk added by the charting packages, per root and in all. */
  install: { packages: number; bytes: number; byRoot: Record<string, number> };
}

const CHART_ROOTS = ['vega', 'vega-lite', '@resvg/resvg-js', '@resvg/resvg-wasm', 'dejavu-fonts-ttf'];

/** Sizes of the files under a folder. */
function folderBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += folderBytes(p);
    else if (e.isFile()) n += fs.statSync(p).size;
  }
  return n;
}

/** Where `name` resolves from the package folder `from` (Node's lookup: nested node_modules first, then each parent's). */
function resolvePackage(root: string, from: string, name: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const p = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(p, 'package.json'))) return p;
    if (dir === root || dir === path.dirname(dir)) return undefined;
  }
}

/** The package folders reachable from `roots` through (installed optional) dependencies, as Node resolves them. */
function closure(root: string, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (dir: string | undefined) => {
    if (!dir || seen.has(dir)) return;
    seen.add(dir);
    const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    for (const d of Object.keys({ ...pj.dependencies, ...pj.optionalDependencies })) visit(resolvePackage(root, dir, d));
  };
  for (const r of roots) visit(resolvePackage(root, root, r));
  return seen;
}

/** Install size of the charting packages that skein's other production dependencies do not share. */
function installSize(root: string): ChartsBench['install'] {
  const pj = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const prod = Object.keys({ ...pj.dependencies, ...pj.optionalDependencies });
  const others = closure(root, prod.filter((d) => !CHART_ROOTS.includes(d)));
  const added = [...closure(root, CHART_ROOTS)].filter((p) => !others.has(p));
  // A nested package folder is counted once, not again inside its parent's size.
  const own = (dir: string) => folderBytes(dir) - added.filter((p) => p !== dir && p.startsWith(`${dir}${path.sep}`)).reduce((n, p) => n + folderBytes(p), 0);
  const byRoot: Record<string, number> = {};
  for (const r of CHART_ROOTS) byRoot[r] = folderBytes(path.join(root, 'node_modules', r));
  byRoot['@resvg/resvg-js (with its binary)'] = [...closure(root, ['@resvg/resvg-js'])].reduce((n, p) => n + folderBytes(p), 0);
  delete byRoot['@resvg/resvg-js'];
  return { packages: added.length, bytes: added.reduce((n, p) => n + own(p), 0), byRoot };
}

/** The four charts on realistic data, seeded. */
function specs(): Array<[string, ChartSpec]> {
  const r = rngFor(1, 'bench/charts', 'data');
  const rng = () => r.float();
  const sources = ['RedPajamaArXiv', 'RedPajamaBook', 'RedPajamaC4', 'RedPajamaCommonCrawl', 'RedPajamaGithub', 'RedPajamaStackExchange', 'RedPajamaWikipedia'];
  const series = sources.map((name, i) => {
    const h = new LengthHistogram();
    for (let k = 0; k < 2000; k++) h.add(Math.round(2 ** (6 + i + 6 * rng())));
    return { name, histogram: h.toJSON() };
  });
  const n = 32768;
  let p = 0;
  const rows = [
    { label: 'row 0 (continuous)', positions: Int32Array.from({ length: n }, (_, i) => i) },
    { label: 'row 1 (reset)', positions: Int32Array.from({ length: n }, (_, i) => i % 3000) },
    { label: 'row 2 (PoSE)', positions: Int32Array.from({ length: n }, (_, i) => (i < 9000 ? i : i + 50000)) },
    { label: 'row 3 (RandPos)', positions: Int32Array.from({ length: n }, () => (p += 1 + Math.floor(4 * rng()))) },
  ];
  const cells = [1024, 2048, 4096, 8192].flatMap((length) => [0, 25, 50, 75, 100].map((depth) => ({ length, depth, accuracy: rng(), samples: 10 })));
  const train = Array.from({ length: 1500 }, (_, i) => ({ step: i + 1, loss: 2 + 6 * Math.exp(-i / 300) + 0.3 * rng() }));
  const held = Array.from({ length: 15 }, (_, i) => ({ step: (i + 1) * 100, loss: 2.2 + 6 * Math.exp(-(i + 1) / 3) }));
  return [
    ['histogram (7 sources)', histogramChartSpec(series, { title: 'Document lengths (llama2 tokens)', markers: [4096, 32768] })],
    ['positions (4 rows × 32K)', positionsChartSpec(rows, { title: 'bench: position id vs token index' })],
    ['heatmap (4 × 5)', heatmapChartSpec(cells, { text: 'passkey: exact match by context length × depth', subtitle: 'bench' })],
    ['loss (1,500 steps, 15 held-out)', lossChartSpec(train, held, 'skein train: bench')],
  ];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs the benchmark (`repeat` timed renders per chart after the first). */
export async function benchCharts(repeat: number): Promise<ChartsBench> {
  const all = specs();
  let t = performance.now();
  const firstSvg = await renderChartSvg(all[0]![1]);
  const firstSvgMs = performance.now() - t;
  t = performance.now();
  await svgToPng(firstSvg, { rasterizer: 'resvg-js' });
  const firstPngMs = performance.now() - t;
  t = performance.now();
  await svgToPng(firstSvg, { rasterizer: 'resvg-wasm' });
  const firstWasmMs = performance.now() - t;
  const charts: ChartBench[] = [];
  for (const [chart, spec] of all) {
    const svgTimes: number[] = [];
    const pngTimes: number[] = [];
    const wasmTimes: number[] = [];
    let svg = '';
    let png: Uint8Array = new Uint8Array();
    for (let i = 0; i < repeat; i++) {
      t = performance.now();
      svg = await renderChartSvg(spec);
      svgTimes.push(performance.now() - t);
      t = performance.now();
      png = await svgToPng(svg, { rasterizer: 'resvg-js' });
      pngTimes.push(performance.now() - t);
      t = performance.now();
      await svgToPng(svg, { rasterizer: 'resvg-wasm' });
      wasmTimes.push(performance.now() - t);
    }
    charts.push({ chart, svgBytes: Buffer.byteLength(svg), pngBytes: png.length, svgMs: median(svgTimes), pngMs: median(pngTimes), wasmMs: median(wasmTimes) });
  }
  return { firstSvgMs, firstPngMs, firstWasmMs, charts, install: installSize(path.resolve(import.meta.dirname, '..')) };
}
