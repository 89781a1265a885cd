/**
 * Vega-Lite specs → standalone SVG documents, headless: the spec is compiled by `vega-lite`, laid
 * out by a `vega` View with the `none` renderer (no canvas, no DOM) and serialized with
 * `View.toSVG`. Text widths come from Vega's estimate (no canvas is installed), so the same spec
 * gives the same bytes on every machine. Both libraries are imported on first use: `import 'skein'`
 * and commands that draw nothing do not pay for loading them.
 */
import type { TopLevelSpec } from 'vega-lite';

/** A Vega-Lite spec as skein's charts build them (`$schema` optional). */
export type ChartSpec = TopLevelSpec;

/** Shared look of every skein chart: white background, room around the edges, no view border. */
export const CHART_CONFIG = {
  background: 'white',
  padding: 12,
  view: { stroke: null },
  title: { fontSize: 15, subtitleFontSize: 12, subtitleColor: '#555555', anchor: 'start', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 400 },
} as const;

/** Renders a Vega-Lite spec to an SVG document (UTF-8 text with an XML declaration). */
export async function renderChartSvg(spec: ChartSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile({ ...spec, config: { ...CHART_CONFIG, ...spec.config } } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`;
  } finally {
    view.finalize();
  }
}
