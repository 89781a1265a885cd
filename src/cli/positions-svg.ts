/** One row to draw: its label and per-token position ids. */
export interface PositionSeries {
  label: string;
  positions: ArrayLike<number>;
}

/** Options of {@link positionsSvg}. */
export interface PositionsSvgOptions {
  width?: number;
  height?: number;
  title?: string;
  /** Most points drawn per row; longer rows are reduced to per-pixel minima and maxima. */
  maxPoints?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** Escapes text for XML content and attribute values. */
function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The points of a polyline through `(i, positions[i])` that draws it exactly: the ends and every
 * index where the slope changes (a position jump or a reset). Piecewise-linear rows (continuous,
 * reset, PoSE chunks) need only a few points; when more than `maxPoints` remain (RandPos), the
 * row is reduced to the minimum and maximum of each of `maxPoints / 2` buckets.
 */
export function breakpoints(positions: ArrayLike<number>, maxPoints: number): Array<[number, number]> {
  const n = positions.length;
  if (n === 0) return [];
  const pts: Array<[number, number]> = [[0, positions[0]!]];
  for (let i = 1; i < n - 1; i++) {
    if (positions[i]! - positions[i - 1]! !== positions[i + 1]! - positions[i]!) pts.push([i, positions[i]!]);
  }
  if (n > 1) pts.push([n - 1, positions[n - 1]!]);
  if (pts.length <= maxPoints) return pts;
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const out: Array<[number, number]> = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * n) / buckets);
    const hi = Math.floor(((b + 1) * n) / buckets);
    if (hi <= lo) continue;
    let min = lo;
    let max = lo;
    for (let i = lo; i < hi; i++) {
      if (positions[i]! < positions[min]!) min = i;
      if (positions[i]! > positions[max]!) max = i;
    }
    for (const i of min <= max ? [min, max] : [max, min]) out.push([i, positions[i]!]);
  }
  return out;
}

/** Round tick values from 0 to `max` (about five). */
function ticks(max: number): number[] {
  if (max <= 0) return [0];
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = 0; v <= max; v += step) out.push(v);
  return out;
}

/**
 * A standalone SVG plot of position id against token index, one polyline per row, with axes,
 * ticks and a legend (`skein inspect --plot`): continuous rows are one diagonal, reset rows a
 * saw-tooth, PoSE rows diagonal pieces with jumps, RandPos rows a rising scatter. Opens in any
 * browser; no script, no external resource.
 */
export function positionsSvg(series: readonly PositionSeries[], opts: PositionsSvgOptions = {}): string {
  const W = opts.width ?? 800;
  const H = opts.height ?? 480;
  const maxPoints = opts.maxPoints ?? 4000;
  const m = { left: 70, right: 20, top: 40, bottom: 50 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  let maxX = 1;
  let maxY = 1;
  for (const s of series) {
    maxX = Math.max(maxX, s.positions.length - 1);
    for (let i = 0; i < s.positions.length; i++) maxY = Math.max(maxY, s.positions[i]!);
  }
  const x = (i: number) => (m.left + (i / maxX) * pw).toFixed(1);
  const y = (p: number) => (m.top + ph - (p / maxY) * ph).toFixed(1);
  const parts: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${xml(opts.title ?? 'position id vs token index')}</text>`,
    `<g stroke="#ccc" stroke-width="1">`,
  ];
  for (const t of ticks(maxX)) parts.push(`<line x1="${x(t)}" y1="${m.top}" x2="${x(t)}" y2="${m.top + ph}"/>`);
  for (const t of ticks(maxY)) parts.push(`<line x1="${m.left}" y1="${y(t)}" x2="${m.left + pw}" y2="${y(t)}"/>`);
  parts.push('</g>', `<g fill="#333">`);
  for (const t of ticks(maxX)) parts.push(`<text x="${x(t)}" y="${m.top + ph + 16}" text-anchor="middle">${t}</text>`);
  for (const t of ticks(maxY)) parts.push(`<text x="${m.left - 6}" y="${y(t)}" text-anchor="end" dominant-baseline="middle">${t}</text>`);
  parts.push(
    `<text x="${m.left + pw / 2}" y="${H - 10}" text-anchor="middle">token index</text>`,
    `<text x="16" y="${m.top + ph / 2}" text-anchor="middle" transform="rotate(-90 16 ${m.top + ph / 2})">position id</text>`,
    '</g>',
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
  );
  series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length]!;
    const pts = breakpoints(s.positions, maxPoints)
      .map(([i, p]) => `${x(i)},${y(p)}`)
      .join(' ');
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" stroke-opacity="0.85" points="${pts}"><title>${xml(s.label)}</title></polyline>`);
    const ly = m.top + 16 + k * 16;
    parts.push(`<line x1="${m.left + 10}" y1="${ly}" x2="${m.left + 30}" y2="${ly}" stroke="${color}" stroke-width="2"/>`, `<text x="${m.left + 36}" y="${ly + 4}">${xml(s.label)}</text>`);
  });
  parts.push('</svg>', '');
  return parts.join('\n');
}
