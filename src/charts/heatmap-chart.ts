/**
 * `skein eval`'s needle-style heatmap: context length on the x axis, needle depth on the y axis
 * (0 % at the top), each cell coloured by exact-match accuracy and labelled with it.
 */
import { renderChartSvg, type ChartSpec } from './render-svg.js';

/** One cell of the heatmap. */
export interface HeatmapCell {
  length: number;
  depth: number;
  accuracy: number;
  samples: number;
}

/** Title lines of {@link heatmapChartSpec}. */
export interface HeatmapTitle {
  /** e.g. "passkey: exact match by context length × depth". */
  text: string;
  /** A second, smaller line, e.g. "checkpoint step 1500". */
  subtitle?: string;
}

/**
 * The heatmap as a Vega-Lite spec: one cell per (length, depth) with its accuracy printed in it,
 * coloured from red (0 %) through yellow to green (100 %) on a fixed 0…1 scale, so that heatmaps
 * of different runs compare by colour. The chart is as wide as its title needs, so a long title
 * over few lengths is never cut.
 */
export function heatmapChartSpec(cells: readonly HeatmapCell[], title: HeatmapTitle): ChartSpec {
  const values = cells.map((c) => ({
    ...c,
    label: `${Math.round(c.accuracy * 100)}%`,
    description: `length ${c.length}, depth ${c.depth}%: ${Math.round(c.accuracy * 100)}% of ${c.samples} samples`,
  }));
  const x = { field: 'length', type: 'ordinal' as const, title: 'context length (tokens)', axis: { labelAngle: 0 } };
  const y = { field: 'depth', type: 'ordinal' as const, title: 'needle depth', sort: 'ascending' as const, axis: { labelExpr: "datum.label + '%'" } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title.text, ...(title.subtitle ? { subtitle: title.subtitle } : {}) },
    data: { values },
    width: { step: 72 },
    height: { step: 36 },
    encoding: { x, y },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: { field: 'accuracy', type: 'quantitative', title: 'exact match', scale: { domain: [0, 1], scheme: 'redyellowgreen' }, legend: { format: '.0%', gradientLength: 120 } },
          description: { field: 'description' },
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'label' },
          color: { condition: { test: 'datum.accuracy < 0.15 || datum.accuracy > 0.85', value: 'white' }, value: 'black' },
        },
      },
    ],
  } as ChartSpec;
}

/** {@link heatmapChartSpec} rendered as an SVG document. */
export function heatmapSvg(cells: readonly HeatmapCell[], title: HeatmapTitle): Promise<string> {
  return renderChartSvg(heatmapChartSpec(cells, title));
}
