import { humanSize, type Histogram } from './histogram.js';
import { percent, shareAtLeast } from './histogram-summary.js';

/** One histogram to draw, with its name (a source). */
export interface ChartSeries {
  name: string;
  histogram: Histogram;
}

/** Options of {@link histogramChartSvg}. */
export interface ChartOptions {
  /** Title above the panels. */
  title?: string;
  /** Dashed marker lines at these lengths (powers of two), e.g. 4096 and 32768. */
  markers?: readonly number[];
  /** Width in pixels (default 760). */
  width?: number;
}

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** Escapes text for XML content and attribute values. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * Draws document-length histograms as an SVG document (a browser or any SVG viewer opens it):
 * one panel per series, stacked, sharing the x axis of power-of-two length buckets (the buckets
 * of {@link Histogram}); each bar is the share of that series' documents in the bucket, and each
 * panel is titled with its counts ("73% under 4K, 1% at or over 32K"). Hand-written
 * (a few rectangles and labels) rather than a charting dependency.
 */
export function histogramChartSvg(series: readonly ChartSeries[], opts: ChartOptions = {}): string {
  const width = opts.width ?? 760;
  const left = 56;
  const right = 16;
  const top = opts.title ? 40 : 16;
  const panelH = 120;
  const gap = 34;
  const axisH = 36;
  // The x axis: every bucket key from the smallest to the largest seen in any series.
  const keys = new Set<number>();
  for (const s of series) for (const b of s.histogram.buckets) keys.add(b.lo === 0 ? -1 : Math.log2(b.lo));
  const minK = keys.size ? Math.min(...keys) : 0;
  const maxK = keys.size ? Math.max(...keys) : 0;
  const nb = maxK - minK + 1;
  const plotW = width - left - right;
  const bw = plotW / nb;
  const height = top + series.length * (panelH + gap) + axisH;
  const x = (k: number) => left + (k - minK) * bw;
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  if (opts.title) out.push(`<text x="${left}" y="22" font-size="15" font-weight="bold">${esc(opts.title)}</text>`);
  series.forEach((s, i) => {
    const y0 = top + i * (panelH + gap) + 16;
    const h = s.histogram;
    const color = PALETTE[i % PALETTE.length]!;
    let most = 0;
    for (const b of h.buckets) most = Math.max(most, h.count ? b.count / h.count : 0);
    const yMax = most > 0 ? Math.min(1, Math.ceil(most * 10) / 10) : 1;
    out.push(`<g>`);
    out.push(`<title>${esc(`${s.name}: ${h.count} documents, ${h.sum} tokens`)}</title>`);
    out.push(`<text x="${left}" y="${y0 - 4}" font-weight="bold">${esc(s.name)}</text>`);
    const under = h.count ? 1 - shareAtLeast(h, 4096).documents : 0;
    const over = shareAtLeast(h, 32768).documents;
    out.push(`<text x="${width - right}" y="${y0 - 4}" text-anchor="end" fill="#555555">${esc(`${h.count} docs, mean ${Math.round(h.mean)} tokens; ${percent(under)} under 4K, ${percent(over)} at or over 32K`)}</text>`);
    out.push(`<line x1="${left}" y1="${y0 + panelH}" x2="${width - right}" y2="${y0 + panelH}" stroke="#888888"/>`);
    for (const frac of [0, 0.5, 1]) {
      const yy = y0 + panelH - frac * panelH;
      out.push(`<line x1="${left - 3}" y1="${yy}" x2="${left}" y2="${yy}" stroke="#888888"/>`);
      out.push(`<text x="${left - 6}" y="${yy + 4}" text-anchor="end" fill="#555555">${Math.round(frac * yMax * 100)}%</text>`);
    }
    for (const b of h.buckets) {
      const k = b.lo === 0 ? -1 : Math.log2(b.lo);
      const share = h.count ? b.count / h.count : 0;
      const bh = (share / yMax) * panelH;
      out.push(
        `<rect x="${(x(k) + 1).toFixed(1)}" y="${(y0 + panelH - bh).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="${color}"><title>${esc(`${b.lo === 0 ? '0' : `${humanSize(b.lo)}–${humanSize(b.hi)}`}: ${b.count} documents (${(share * 100).toFixed(1)}%)`)}</title></rect>`,
      );
    }
    for (const m of opts.markers ?? []) {
      const k = Math.log2(m);
      if (k < minK || k > maxK + 1) continue;
      out.push(`<line x1="${x(k).toFixed(1)}" y1="${y0}" x2="${x(k).toFixed(1)}" y2="${y0 + panelH}" stroke="#333333" stroke-dasharray="4 3"/>`);
    }
    out.push(`</g>`);
  });
  const yAxis = top + series.length * (panelH + gap) + 4;
  for (let k = minK; k <= maxK; k++) {
    const label = k < 0 ? '0' : humanSize(2 ** k);
    out.push(`<text x="${(x(k) + bw / 2).toFixed(1)}" y="${yAxis}" text-anchor="middle" fill="#333333">${esc(label)}</text>`);
  }
  out.push(`<text x="${left + plotW / 2}" y="${yAxis + 20}" text-anchor="middle" fill="#333333">document length in tokens (bucket start; each bucket spans a power of two)</text>`);
  out.push(`</svg>`);
  return `${out.join('\n')}\n`;
}
