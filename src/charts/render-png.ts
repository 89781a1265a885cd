/**
 * SVG → PNG with resvg, from one of two builds of the same version (2.6.2, pinned together): the
 * native `@resvg/resvg-js` (an optional dependency with prebuilt binaries for Linux, macOS,
 * Windows and Android on x64/arm) where it loads, else `@resvg/resvg-wasm`, which runs wherever
 * Node does. Both give byte-identical PNGs (tested); native is several times faster, above all on
 * the first image of a process, where WebAssembly is still being compiled (docs/benchmarks.md).
 * `SKEIN_RASTERIZER=wasm` forces the WebAssembly build.
 *
 * The text is drawn with DejaVu Sans (regular and bold) from the `dejavu-fonts-ttf` package (a
 * free licence: Bitstream Vera's terms, DejaVu's changes in the public domain), never with system
 * fonts (WebAssembly cannot see them, and they differ between machines), and the font stands in
 * for the generic `sans-serif` family the charts ask for. Same SVG → same PNG bytes.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The TTF files loaded into the rasterizer, resolved inside `dejavu-fonts-ttf`. */
export const CHART_FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => require.resolve(`dejavu-fonts-ttf/ttf/${f}`));

/** The family name of {@link CHART_FONT_FILES}. */
export const CHART_FONT_FAMILY = 'DejaVu Sans';

/** The two builds of resvg. */
export type RasterizerName = 'resvg-js' | 'resvg-wasm';

/** Options of {@link svgToPng}. */
export interface PngOptions {
  /** Pixels per SVG unit (default 2: sharp on high-density screens, still small files). */
  scale?: number;
  /** Force one build of resvg (default: native where it loads, else WebAssembly; `SKEIN_RASTERIZER`). */
  rasterizer?: RasterizerName;
}

/** What both builds' `Resvg` classes offer (resvg-js frees its memory itself; resvg-wasm needs `free`). */
interface ResvgLike {
  render(): { asPng(): Uint8Array; free?(): void };
  free?(): void;
}
type ResvgClass = new (svg: string, options: Record<string, unknown>) => ResvgLike;

interface Rasterizer {
  name: RasterizerName;
  Resvg: ResvgClass;
  /** The `font` option of this build: resvg-js reads font files, resvg-wasm takes their bytes. */
  font: Record<string, unknown>;
}

const common = { loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY, sansSerifFamily: CHART_FONT_FAMILY };

/** Loads the native build, or undefined when its binary is not installed for this platform. */
async function loadNative(): Promise<Rasterizer | undefined> {
  try {
    const { Resvg } = require('@resvg/resvg-js') as { Resvg: ResvgClass };
    return { name: 'resvg-js', Resvg, font: { ...common, fontFiles: CHART_FONT_FILES } };
  } catch {
    return undefined;
  }
}

/** Loads the WebAssembly build (once per process: resvg-wasm refuses a second initialization). */
async function loadWasm(): Promise<Rasterizer> {
  const resvg = await import('@resvg/resvg-wasm');
  const [wasm, ...fonts] = await Promise.all([readFile(require.resolve('@resvg/resvg-wasm/index_bg.wasm')), ...CHART_FONT_FILES.map((f) => readFile(f))]);
  await resvg.initWasm(wasm);
  return { name: 'resvg-wasm', Resvg: resvg.Resvg as unknown as ResvgClass, font: { ...common, fontBuffers: fonts } };
}

let nativeLoading: Promise<Rasterizer> | undefined;
let wasmLoading: Promise<Rasterizer> | undefined;

/** The WebAssembly build if `wanted`, else the native one where it loads, else the WebAssembly one. */
function rasterizer(wanted: RasterizerName | undefined): Promise<Rasterizer> {
  const wasm = () => (wasmLoading ??= loadWasm());
  if (wanted === 'resvg-wasm') return wasm();
  return (nativeLoading ??= loadNative().then((n) => n ?? wasm()));
}

/** Which build {@link svgToPng} uses by default here: `resvg-js` where its binary loads, else `resvg-wasm`. */
export async function rasterizerName(wanted?: RasterizerName): Promise<RasterizerName> {
  return (await rasterizer(wanted ?? envRasterizer())).name;
}

/** `SKEIN_RASTERIZER=wasm` (or `resvg-wasm`) forces the WebAssembly build. */
function envRasterizer(): RasterizerName | undefined {
  const v = process.env.SKEIN_RASTERIZER;
  return v === 'wasm' || v === 'resvg-wasm' ? 'resvg-wasm' : undefined;
}

/** Rasterizes an SVG document to PNG bytes, on a white background. */
export async function svgToPng(svg: string, opts: PngOptions = {}): Promise<Uint8Array> {
  const { Resvg, font } = await rasterizer(opts.rasterizer ?? envRasterizer());
  const r = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: opts.scale ?? 2 }, font });
  try {
    const image = r.render();
    try {
      return image.asPng();
    } finally {
      image.free?.();
    }
  } finally {
    r.free?.();
  }
}
