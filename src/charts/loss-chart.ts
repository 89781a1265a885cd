/**
 * The trainer's loss chart (`loss.svg`, `loss.png`): training loss per step (thin), its
 * exponential moving average (thick) and held-out loss points, against the optimizer step.
 */
import { renderChartSvg, type ChartSpec } from './render-svg.js';

/** One point of a loss curve. */
export interface LossPoint {
  step: number;
  loss: number;
}

const TRAIN = 'train loss';
const AVERAGE = 'moving average';
const HELD_OUT = 'held-out loss';

/**
 * The exponential moving average of the training losses over about 1/20 of the run,
 * bias-corrected so that it starts at the first losses. Non-finite losses are skipped.
 */
export function movingAverage(train: readonly LossPoint[]): LossPoint[] {
  const beta = 1 - 1 / Math.max(1, train.length / 20);
  const out: LossPoint[] = [];
  let acc = 0;
  let weight = 0;
  for (const p of train) {
    if (!Number.isFinite(p.loss)) continue;
    acc = beta * acc + (1 - beta) * p.loss;
    weight = beta * weight + (1 - beta);
    out.push({ step: p.step, loss: weight > 0 ? acc / weight : p.loss });
  }
  return out;
}

/**
 * The loss chart as a Vega-Lite spec. The legend names only the series that have points: a run
 * without `--eval-data` shows no held-out entry.
 */
export function lossChartSpec(train: readonly LossPoint[], heldOut: readonly LossPoint[], title: string): ChartSpec {
  const finite = (pts: readonly LossPoint[], series: string) => pts.filter((p) => Number.isFinite(p.loss)).map((p) => ({ ...p, series }));
  const lines = [...finite(train, TRAIN), ...finite(movingAverage(train), AVERAGE)];
  const points = finite(heldOut, HELD_OUT).map((p) => ({ ...p, description: `step ${p.step}: held-out loss ${p.loss.toFixed(4)}` }));
  const present = [TRAIN, AVERAGE, HELD_OUT].filter((s) => (s === HELD_OUT ? points : lines).some((p) => p.series === s));
  const colours: Record<string, string> = { [TRAIN]: '#9ecae1', [AVERAGE]: '#08519c', [HELD_OUT]: '#e6550d' };
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    scale: { domain: present, range: present.map((s) => colours[s]!) },
    legend: { orient: 'top-right' as const, fillColor: 'white', strokeColor: '#cccccc', padding: 6, symbolSize: 60 },
  };
  // Lines show as strokes and held-out points as dots in the one legend of colour and shape.
  const shape = { field: 'series', type: 'nominal' as const, title: null, scale: { domain: present, range: present.map((s) => (s === HELD_OUT ? 'circle' : 'stroke')) } };
  const x = { field: 'step', type: 'quantitative' as const, title: 'optimizer step', axis: { format: '~s' } };
  const y = { field: 'loss', type: 'quantitative' as const, title: 'loss (nats / token)', scale: { zero: false } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title },
    width: 720,
    height: 340,
    layer: [
      {
        data: { values: lines },
        mark: { type: 'line', clip: true },
        encoding: { x, y, color, detail: { field: 'series' }, strokeWidth: { condition: { test: `datum.series === '${AVERAGE}'`, value: 2 }, value: 1 } },
      },
      ...(points.length
        ? [
            {
              data: { values: points },
              mark: { type: 'point' as const, filled: true, size: 50, opacity: 1 },
              encoding: { x, y, color, shape, description: { field: 'description' } },
            },
          ]
        : []),
    ],
    resolve: { scale: { color: 'shared' } },
  } as ChartSpec;
}

/** {@link lossChartSpec} rendered as an SVG document. */
export function lossCurveSvg(train: readonly LossPoint[], heldOut: readonly LossPoint[], title: string): Promise<string> {
  return renderChartSvg(lossChartSpec(train, heldOut, title));
}
