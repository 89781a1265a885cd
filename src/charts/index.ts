/**
 * Charts: Vega-Lite specs of skein's charts (length histograms, position plots, eval heatmaps,
 * loss curves), rendered headless to SVG and rasterized to PNG. Vega, Vega-Lite and the
 * rasterizer load on first use.
 */
export { renderChartSvg, CHART_CONFIG, type ChartSpec } from './render-svg.js';
export { svgToPng, rasterizerName, CHART_FONT_FAMILY, CHART_FONT_FILES, type PngOptions, type RasterizerName } from './render-png.js';
export { chartFormatOf, writeChart, writeChartPair, type ChartFormat } from './write-chart.js';
export { histogramChartSpec, histogramChartSvg, type ChartOptions, type ChartSeries } from './histogram-chart.js';
export { positionsChartSpec, positionsSvg, breakpoints, type PositionSeries, type PositionsChartOptions } from './positions-chart.js';
export { heatmapChartSpec, heatmapSvg, type HeatmapCell, type HeatmapTitle } from './heatmap-chart.js';
export { lossChartSpec, lossCurveSvg, movingAverage, type LossPoint } from './loss-chart.js';
