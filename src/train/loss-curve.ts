/**
 * The loss-curve SVG written at the end of a run: training loss per step (thin), its exponential
 * moving average over ~1/20 of the run (thick) and held-out loss points, against the optimizer step.
 */
import { escapeXml, niceTicks, shortNumber, svgOpen } from '../util/svg.js';

/** One point of a loss curve. */
export interface LossPoint {
  step: number;
  loss: number;
}

/** Renders the curves as an SVG document (800 × 420). */
export function lossCurveSvg(train: readonly LossPoint[], heldOut: readonly LossPoint[], title: string): string {
  const W = 800;
  const H = 420;
  const m = { l: 60, r: 20, t: 36, b: 48 };
  const all = [...train, ...heldOut].filter((p) => Number.isFinite(p.loss));
  const maxStep = Math.max(1, ...all.map((p) => p.step));
  const lo = Math.min(...all.map((p) => p.loss), Infinity);
  const hi = Math.max(...all.map((p) => p.loss), -Infinity);
  const yLo = Number.isFinite(lo) ? Math.max(0, lo - 0.05 * (hi - lo || 1)) : 0;
  const yHi = Number.isFinite(hi) ? hi + 0.05 * (hi - lo || 1) : 1;
  const x = (s: number) => m.l + ((W - m.l - m.r) * s) / maxStep;
  const y = (v: number) => H - m.b - ((H - m.t - m.b) * (v - yLo)) / (yHi - yLo || 1);
  const path = (pts: readonly LossPoint[]) => pts.filter((p) => Number.isFinite(p.loss)).map((p, i) => `${i ? 'L' : 'M'}${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join(' ');
  // Exponential moving average over about 1/20 of the run, bias-corrected so it starts at the first losses.
  const beta = 1 - 1 / Math.max(1, train.length / 20);
  const ema: LossPoint[] = [];
  let acc = 0;
  let weight = 0;
  for (const p of train) {
    if (!Number.isFinite(p.loss)) continue;
    acc = beta * acc + (1 - beta) * p.loss;
    weight = beta * weight + (1 - beta);
    ema.push({ step: p.step, loss: weight > 0 ? acc / weight : p.loss });
  }
  const parts: string[] = [svgOpen(W, H)];
  parts.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>\n`);
  for (const t of niceTicks(yLo, yHi, 6)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e5e5e5"/><text x="${m.l - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${shortNumber(t)}</text>\n`);
  }
  for (const t of niceTicks(0, maxStep, 8)) {
    parts.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${H - m.b}" y2="${H - m.b + 4}" stroke="#333"/><text x="${x(t).toFixed(1)}" y="${H - m.b + 18}" text-anchor="middle">${shortNumber(t)}</text>\n`);
  }
  parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#333"/><line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#333"/>\n`);
  parts.push(`<text x="${W / 2}" y="${H - 10}" text-anchor="middle">optimizer step</text><text transform="translate(16 ${H / 2}) rotate(-90)" text-anchor="middle">loss (nats / token)</text>\n`);
  if (train.length) {
    parts.push(`<path d="${path(train)}" fill="none" stroke="#9ecae1" stroke-width="1"/>\n`);
    parts.push(`<path d="${path(ema)}" fill="none" stroke="#08519c" stroke-width="2"/>\n`);
  }
  for (const p of heldOut) if (Number.isFinite(p.loss)) parts.push(`<circle cx="${x(p.step).toFixed(1)}" cy="${y(p.loss).toFixed(1)}" r="4" fill="#e6550d"><title>step ${p.step}: held-out ${p.loss.toFixed(4)}</title></circle>\n`);
  parts.push(`<g transform="translate(${W - m.r - 190} ${m.t + 4})"><rect width="186" height="52" fill="white" stroke="#ccc"/>`);
  parts.push(`<line x1="8" x2="28" y1="14" y2="14" stroke="#9ecae1"/><text x="34" y="18">train loss</text>`);
  parts.push(`<line x1="8" x2="28" y1="30" y2="30" stroke="#08519c" stroke-width="2"/><text x="34" y="34">moving average</text>`);
  parts.push(`<circle cx="18" cy="44" r="4" fill="#e6550d"/><text x="34" y="48">held-out loss</text></g>\n`);
  parts.push('</svg>\n');
  return parts.join('');
}
