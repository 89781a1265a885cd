import type { Manifest } from '../shards/manifest.js';

/**
 * Summary lines about what a recipe did that a user must act on or check: where UtK's markers
 * came from (special tokens of the tokenizer, or new ids that need an embedding resize), and how
 * many rows of a position builder train extended positions. Empty when neither applies.
 */
export function recipeSummary(m: Manifest): string[] {
  const lines: string[] = [];
  const stats = m.builder.stats as { rows: number; extended_rows: number; extended_share: number } | undefined;
  if (stats) lines.push(`  extended positions: ${stats.extended_rows} of ${stats.rows} rows (${(100 * stats.extended_share).toFixed(1)} %)`);
  for (const a of m.augment ?? []) {
    if (a.type !== 'utk' || a.marker_source === 'none' || !a.marker_ids) continue;
    const ids = a.marker_ids as Record<string, number>;
    const added = m.tokenizer.added_tokens ?? {};
    const fresh = Object.keys(ids).filter((t) => t in added).length;
    const existing = Object.keys(ids).length - fresh;
    const parts: string[] = [];
    if (existing) parts.push(`${existing} special tokens of the tokenizer (no embedding resize)`);
    if (fresh) parts.push(`${fresh} new token ids past the vocabulary (tokenizer.added_tokens): resize the model's embeddings to ${m.tokenizer.total_vocab_size}`);
    lines.push(`  UtK markers: ${parts.join(' and ')}`);
  }
  return lines;
}
