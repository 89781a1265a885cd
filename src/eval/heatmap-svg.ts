/**
 * The needle-style heatmap: context length on the x axis, needle depth on the y axis (0 % at the
 * top), each cell coloured by exact-match accuracy from red (0) through yellow to green (1).
 */
import { escapeXml, svgOpen } from '../util/svg.js';

/** One cell of the heatmap. */
export interface HeatmapCell {
  length: number;
  depth: number;
  accuracy: number;
  samples: number;
}

/** Red → yellow → green for 0 → 0.5 → 1. */
function colour(a: number): string {
  const t = Math.min(1, Math.max(0, a));
  const r = t < 0.5 ? 215 : Math.round(215 - (t - 0.5) * 2 * (215 - 26));
  const g = t < 0.5 ? Math.round(48 + t * 2 * (190 - 48)) : Math.round(190 - (t - 0.5) * 2 * (190 - 150));
  const b = t < 0.5 ? 39 : Math.round(39 + (t - 0.5) * 2 * (80 - 39));
  return `rgb(${r},${g},${b})`;
}

/** Renders the heatmap as an SVG document. */
export function heatmapSvg(cells: readonly HeatmapCell[], title: string): string {
  const lengths = [...new Set(cells.map((c) => c.length))].sort((a, b) => a - b);
  const depths = [...new Set(cells.map((c) => c.depth))].sort((a, b) => a - b);
  const cw = Math.max(48, Math.min(96, 720 / Math.max(1, lengths.length)));
  const ch = Math.max(24, Math.min(40, 400 / Math.max(1, depths.length)));
  const m = { l: 70, t: 40, r: 20, b: 50 };
  const W = m.l + cw * lengths.length + m.r;
  const H = m.t + ch * depths.length + m.b;
  const parts = [svgOpen(W, H), `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(title)}</text>\n`];
  for (const c of cells) {
    const x = m.l + cw * lengths.indexOf(c.length);
    const y = m.t + ch * depths.indexOf(c.depth);
    parts.push(
      `<rect x="${x}" y="${y}" width="${cw}" height="${ch}" fill="${colour(c.accuracy)}" stroke="white"><title>length ${c.length}, depth ${c.depth}%: ${(c.accuracy * 100).toFixed(0)}% of ${c.samples}</title></rect>` +
        `<text x="${x + cw / 2}" y="${y + ch / 2 + 4}" text-anchor="middle" font-size="11">${(c.accuracy * 100).toFixed(0)}%</text>\n`,
    );
  }
  lengths.forEach((l, i) => parts.push(`<text x="${m.l + cw * i + cw / 2}" y="${m.t + ch * depths.length + 16}" text-anchor="middle">${l}</text>\n`));
  depths.forEach((d, i) => parts.push(`<text x="${m.l - 6}" y="${m.t + ch * i + ch / 2 + 4}" text-anchor="end">${d}%</text>\n`));
  parts.push(`<text x="${m.l + (cw * lengths.length) / 2}" y="${H - 12}" text-anchor="middle">context length (tokens)</text>\n`);
  parts.push(`<text transform="translate(16 ${m.t + (ch * depths.length) / 2}) rotate(-90)" text-anchor="middle">needle depth</text>\n`);
  parts.push('</svg>\n');
  return parts.join('');
}
