/**
 * `skein inspect --plot`: position id against token index, one line per row, as a Vega-Lite spec.
 */
import { renderChartSvg, type ChartSpec } from './render-svg.js';

/** One row to draw: its label and per-token position ids. */
export interface PositionSeries {
  label: string;
  positions: ArrayLike<number>;
}

/** Options of {@link positionsChartSpec}. */
export interface PositionsChartOptions {
  /** Plot width in pixels (default 720). */
  width?: number;
  /** Plot height in pixels (default 400). */
  height?: number;
  title?: string;
  /** Most points drawn per row; longer rows are reduced to per-bucket minima and maxima. */
  maxPoints?: number;
}

/**
 * The points of a polyline through `(i, positions[i])` that draws it exactly: the ends and every
 * index where the slope changes (a position jump or a reset). Piecewise-linear rows (continuous,
 * reset, PoSE chunks) need only a few points; when more than `maxPoints` remain (RandPos), the
 * row is reduced to the minimum and maximum of each of `maxPoints / 2` buckets. (Vega-Lite draws
 * every data point it is given, so this reduction keeps long rows to a few thousand points.)
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

/**
 * Position id against token index as a Vega-Lite spec, one line per row with a legend of the
 * row labels: continuous rows are one diagonal, reset rows a saw-tooth, PoSE rows diagonal pieces
 * with jumps, RandPos rows a rising scatter.
 */
export function positionsChartSpec(series: readonly PositionSeries[], opts: PositionsChartOptions = {}): ChartSpec {
  const maxPoints = opts.maxPoints ?? 4000;
  const values = series.flatMap((s, k) => breakpoints(s.positions, maxPoints).map(([token, position], order) => ({ row: s.label, key: k, order, token, position })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: opts.title ?? 'position id vs token index' },
    width: opts.width ?? 720,
    height: opts.height ?? 400,
    data: { values },
    mark: { type: 'line', strokeWidth: 1.5, opacity: 0.85 },
    encoding: {
      x: { field: 'token', type: 'quantitative', title: 'token index', scale: { nice: false } },
      y: { field: 'position', type: 'quantitative', title: 'position id' },
      color: { field: 'row', type: 'nominal', title: null, sort: series.map((s) => s.label), scale: { scheme: 'category10' }, legend: { orient: 'bottom', direction: 'vertical' } },
      order: { field: 'order', type: 'quantitative' },
      detail: { field: 'key', type: 'nominal' },
    },
  } as ChartSpec;
}

/** {@link positionsChartSpec} rendered as an SVG document. */
export function positionsSvg(series: readonly PositionSeries[], opts: PositionsChartOptions = {}): Promise<string> {
  return renderChartSvg(positionsChartSpec(series, opts));
}
