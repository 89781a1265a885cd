import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { parseXml } from './xml.js';

/** A decoded PNG: size and RGBA pixels (decoded by pngjs, not by the rasterizer under test). */
export interface Image {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Decodes PNG bytes; throws on anything that is not a valid PNG. */
export function decodePng(bytes: Uint8Array): Image {
  const png = PNG.sync.read(Buffer.from(bytes));
  return { width: png.width, height: png.height, data: png.data };
}

/** The RGBA of pixel (x, y). */
export function pixel(img: Image, x: number, y: number): [number, number, number, number] {
  const i = 4 * (y * img.width + x);
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!, img.data[i + 3]!];
}

/** Pixels in the rectangle [x0, x1) × [y0, y1) for which `pred` holds. */
export function countPixels(img: Image, pred: (rgba: [number, number, number, number]) => boolean, x0 = 0, y0 = 0, x1 = img.width, y1 = img.height): number {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (pred(pixel(img, x, y))) n++;
  return n;
}

/** Near-black (text) pixels. */
export const isDark = ([r, g, b]: number[]) => r! < 80 && g! < 80 && b! < 80;
/** Pixels that are not (near) white. */
export const isInk = ([r, g, b]: number[]) => r! < 235 || g! < 235 || b! < 235;
/** Pixels within `tol` of an `#rrggbb` colour. */
export const near = (hex: string, tol = 12) => {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return ([r, g, b]: number[]) => Math.abs(r! - c[0]!) <= tol && Math.abs(g! - c[1]!) <= tol && Math.abs(b! - c[2]!) <= tol;
};

/**
 * Checks what a user sees of a chart image: `scale`× the SVG's size, opaque, ink on it, dark text
 * in its top band (the title), and a white margin on all four sides, so that nothing (a title, a
 * label, a legend) is cut at the edge.
 */
export function assertWholeChart(img: Image, svg: string, scale = 2): void {
  const root = parseXml(svg);
  assert.equal(img.width, Number(root.attrs.width) * scale);
  assert.equal(img.height, Number(root.attrs.height) * scale);
  assert.equal(countPixels(img, ([, , , a]) => a !== 255), 0, 'opaque');
  assert.ok(countPixels(img, isInk) > 0.02 * img.width * img.height, 'more than 2% of the pixels carry ink');
  assert.ok(countPixels(img, isDark, 0, 0, img.width, 40 * scale) > 200, 'dark title text drawn in the top band');
  const m = 4 * scale;
  const edges = countPixels(img, isInk, 0, 0, img.width, m) + countPixels(img, isInk, 0, img.height - m, img.width, img.height) + countPixels(img, isInk, 0, 0, m, img.height) + countPixels(img, isInk, img.width - m, 0, img.width, img.height);
  assert.equal(edges, 0, 'a white margin on every side: nothing is cut at the edge');
}

/** The text content of every `<text>` element of an SVG document (entities decoded). */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
  );
}

/** How many marks of an ARIA role description (`bar`, `point`, `line mark`, `rect mark`, ...) the SVG holds. */
export function countMarks(svg: string, role: string): number {
  return svg.split(`aria-roledescription="${role}"`).length - 1;
}
