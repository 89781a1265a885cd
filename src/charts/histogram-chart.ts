/**
 * `skein stats --chart`: document-length histograms, one panel per source, as a Vega-Lite spec.
 */
import { humanSize, type Histogram } from '../shards/histogram.js';
import { percent, shareAtLeast } from '../shards/histogram-summary.js';
import { renderChartSvg, type ChartSpec } from './render-svg.js';

/** One histogram to draw, with its name (a source). */
export interface ChartSeries {
  name: string;
  histogram: Histogram;
}

/** Options of {@link histogramChartSpec}. */
export interface ChartOptions {
  /** Title above the panels. */
  title?: string;
  /** Dashed marker lines at these lengths (powers of two), e.g. 4096 and 32768. */
  markers?: readonly number[];
  /** Width of a panel's plot in pixels (default 680). */
  width?: number;
}

/** Tableau 10, one colour per panel. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** The axis label of the bucket starting at `lo`. */
const bucketLabel = (lo: number) => (lo === 0 ? '0' : humanSize(lo));

/**
 * Document-length histograms as a Vega-Lite spec: one panel per series, stacked, on a shared x
 * axis of power-of-two length buckets (the buckets of {@link Histogram}, from the smallest to the
 * largest seen in any series, empty ones included); each bar is the share of that series'
 * documents in the bucket (one bar per non-empty bucket), and each panel is subtitled with its
 * counts ("73% under 4K, 1% at or over 32K"). Markers are dashed lines at the start of their
 * bucket.
 */
export function histogramChartSpec(series: readonly ChartSeries[], opts: ChartOptions = {}): ChartSpec {
  const keys = series.flatMap((s) => s.histogram.buckets.map((b) => (b.lo === 0 ? -1 : Math.log2(b.lo))));
  const minK = keys.length ? Math.min(...keys) : 0;
  const maxK = keys.length ? Math.max(...keys) : 0;
  const domain: string[] = [];
  for (let k = minK; k <= maxK; k++) domain.push(k < 0 ? '0' : humanSize(2 ** k));
  const markers = (opts.markers ?? []).filter((m) => Math.log2(m) >= minK && Math.log2(m) <= maxK).map((m) => ({ bucket: humanSize(m) }));
  const panels = series.map((s, i) => {
    const h = s.histogram;
    const under = h.count ? 1 - shareAtLeast(h, 4096).documents : 0;
    const over = shareAtLeast(h, 32768).documents;
    const last = i === series.length - 1;
    const x = {
      field: 'bucket',
      type: 'ordinal' as const,
      scale: { domain },
      sort: domain,
      axis: { labelAngle: 0, title: last ? 'document length in tokens (bucket start; each bucket spans a power of two)' : null },
    };
    const bars = h.buckets.map((b) => ({
      bucket: bucketLabel(b.lo),
      share: h.count ? b.count / h.count : 0,
      description: `${b.lo === 0 ? '0' : `${humanSize(b.lo)}–${humanSize(b.hi)}`} tokens: ${b.count} documents (${(h.count ? (100 * b.count) / h.count : 0).toFixed(1)}%)`,
    }));
    return {
      title: { text: s.name, subtitle: `${h.count} documents, mean ${Math.round(h.mean)} tokens; ${percent(under)} under 4K, ${percent(over)} at or over 32K`, fontSize: 13, offset: 2 },
      width: opts.width ?? 680,
      height: 120,
      layer: [
        {
          data: { values: bars },
          mark: { type: 'bar' as const, color: PALETTE[i % PALETTE.length] },
          encoding: {
            x,
            y: { field: 'share', type: 'quantitative' as const, axis: { format: '.0%', title: 'share of documents', tickCount: 4 } },
            description: { field: 'description' },
          },
        },
        ...(markers.length
          ? [{ data: { values: markers }, mark: { type: 'rule' as const, color: '#333333', strokeDash: [4, 3] }, encoding: { x: { ...x, bandPosition: 0 } } }]
          : []),
      ],
    };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(opts.title ? { title: { text: opts.title, fontSize: 16 } } : {}),
    vconcat: panels,
    spacing: 28,
  } as ChartSpec;
}

/** {@link histogramChartSpec} rendered as an SVG document (any browser or SVG viewer opens it). */
export function histogramChartSvg(series: readonly ChartSeries[], opts: ChartOptions = {}): Promise<string> {
  return renderChartSvg(histogramChartSpec(series, opts));
}
