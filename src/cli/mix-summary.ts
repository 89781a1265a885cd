import { humanCount } from '../run/progress.js';
import { humanSize, type Manifest } from '../shards/index.js';
import { percent, powerOfTwoAtMost, shareAtLeast } from '../shards/histogram-summary.js';

/**
 * Summary lines for a manifest's mixing: per source the target and achieved tokens and shares,
 * then what the short-document rule did to the length distribution (share of documents and of
 * tokens in documents at or over the threshold, before and after mixing). Empty without mixing.
 */
export function mixSummary(m: Manifest): string[] {
  const mix = m.mix;
  if (!mix) return [];
  const lines: string[] = [];
  const unit = mix.length === 'chars' ? ` (budgets in chars/${mix.chars_per_token})` : '';
  const unfilled = Object.entries(mix.sources).filter(([, s]) => s.target_tokens !== undefined && s.budget_used < s.target_tokens).map(([n]) => n);
  const end = mix.stopped_early
    ? '; every budget full, reading stopped there'
    : unfilled.length
      ? `; the inputs ran out before ${unfilled.length === 1 ? 'this source' : 'these sources'} filled: ${unfilled.join(', ')}`
      : '';
  lines.push(`  mix ${mix.mode}${mix.total_tokens !== null ? `, budget ${humanCount(mix.total_tokens)} tokens${unit}` : ''}: kept ${humanCount(mix.tokens)} tokens${end}`);
  const names = Object.keys(mix.sources);
  if (names.length === 0) return lines;
  const w = Math.max(8, ...names.map((n) => n.length));
  // Under the chars estimate, budgets are in estimated tokens: show what was used of them beside the real tokens.
  const est = mix.length === 'chars';
  lines.push(`    ${'source'.padEnd(w)}  ${'target'.padStart(8)} ${est ? `${'used(est)'.padStart(9)} ` : ''}${'achieved'.padStart(9)}  ${'target%'.padStart(7)} ${'achieved%'.padStart(9)}  ${'docs'.padStart(8)}`);
  for (const name of names) {
    const s = mix.sources[name]!;
    const target = s.target_tokens !== undefined ? humanCount(s.target_tokens) : '-';
    const tShare = s.target_share !== undefined ? `${(s.target_share * 100).toFixed(2)}%` : '-';
    const used = est ? `${humanCount(s.budget_used).padStart(9)} ` : '';
    lines.push(`    ${name.padEnd(w)}  ${target.padStart(8)} ${used}${humanCount(s.tokens).padStart(9)}  ${tShare.padStart(7)} ${`${(s.share * 100).toFixed(2)}%`.padStart(9)}  ${String(s.documents).padStart(8)}`);
  }
  const hs = m.histograms.sources;
  if (hs && mix.mode !== 'none') {
    const edge = powerOfTwoAtMost(Math.max(1, mix.short_threshold));
    lines.push(`    documents ≥ ${humanSize(edge)} tokens, before → after mixing (share of documents / of tokens):`);
    for (const name of names) {
      const h = hs[name];
      if (!h || h.read.count === 0) continue;
      const b = shareAtLeast(h.read, edge);
      const a = shareAtLeast(h.kept, edge);
      lines.push(`    ${name.padEnd(w)}  ${percent(b.documents)} / ${percent(b.tokens)} → ${percent(a.documents)} / ${percent(a.tokens)}`);
    }
  }
  return lines;
}
