/**
 * Writing a chart to disk as SVG (text: any browser opens it, diffs well) and/or PNG (an image:
 * what a user who wants to look, or a chat/issue/notebook that does not show SVG, needs).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { svgToPng } from './render-png.js';
import { renderChartSvg, type ChartSpec } from './render-svg.js';

/** The file formats a chart is written in. */
export type ChartFormat = 'svg' | 'png';

/**
 * The format a chart file name asks for, from its extension (`.svg` or `.png`, any case); a
 * {@link UserError} naming `flag` for any other name.
 */
export function chartFormatOf(file: string, flag: string): ChartFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.svg' || ext === '.png') return ext.slice(1) as ChartFormat;
  throw new UserError(`${flag} ${file}: skein writes charts as SVG or PNG; give a file name ending in .svg or .png`);
}

/** Renders `spec` and writes it to `file` in the format its extension names (folders created). */
export async function writeChart(file: string, spec: ChartSpec, flag = 'chart'): Promise<void> {
  const format = chartFormatOf(file, flag);
  const svg = await renderChartSvg(spec);
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, format === 'svg' ? svg : await svgToPng(svg));
}

/**
 * Renders `spec` once and writes it both as `<base>.svg` and `<base>.png` (the files a run or an
 * evaluation leaves for a user to open). Returns the two paths.
 */
export async function writeChartPair(base: string, spec: ChartSpec): Promise<[string, string]> {
  const svg = await renderChartSvg(spec);
  const files: [string, string] = [`${base}.svg`, `${base}.png`];
  await mkdir(path.dirname(path.resolve(base)), { recursive: true });
  await writeFile(files[0], svg);
  await writeFile(files[1], await svgToPng(svg));
  return files;
}
