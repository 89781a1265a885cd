import path from 'node:path';
import { TOKENIZER_HELP } from '../tokenize/resolve-tokenizer.js';
import { taskProgress } from './task-progress.js';
import { Command, Option } from 'commander';
import { lengthStats, type LengthStats } from '../stats/length-stats.js';
import { humanCount } from '../run/progress.js';
import { histogramChartSpec } from '../charts/histogram-chart.js';
import { chartFormatOf, writeChart } from '../charts/write-chart.js';
import { humanSize, LENGTH_THRESHOLDS, lengthSentence, renderHistogram, sharesUnder, type Histogram } from '../shards/index.js';
import { expandInputs } from '../sources/expand-inputs.js';
import { isRemotePath } from '../sources/remote/remote-url.js';
import { resolveBosEos } from '../tokenize/bos-eos-policy.js';
import { loadTokenizer } from '../tokenize/load-tokenizer.js';
import { positiveInt } from './parse-number.js';

interface StatsFlags {
  tokenizer: string;
  textField: string;
  idField: string;
  sourceField?: string;
  name?: string;
  chart?: string;
  maxDocs?: number;
  onError: 'fail' | 'skip';
  json?: boolean;
  bins: boolean;
}

/** A share for the table: never rounded up to 100% or down to 0% when it is not exactly that. */
function shareCell(s: number): string {
  if (s === 0 || s === 1) return `${s * 100}%`;
  if (s > 0.995) return '>99%';
  if (s < 0.005) return '<1%';
  return `${Math.round(s * 100)}%`;
}

/** The `under 1K … under 128K` table: one row per source, the share of its documents under each length. */
export function underTable(rows: Array<{ name: string; histogram: Histogram }>): string[] {
  const w = Math.max(6, ...rows.map((r) => r.name.length));
  const head = `  ${'source'.padEnd(w)}  ${'docs'.padStart(8)}  ${'tokens'.padStart(7)}  ${'mean'.padStart(7)}  ${LENGTH_THRESHOLDS.map((t) => `<${humanSize(t)}`.padStart(6)).join(' ')}`;
  const lines = [head];
  for (const r of rows) {
    const h = r.histogram;
    const shares = sharesUnder(h).map((s) => shareCell(s).padStart(6));
    lines.push(`  ${r.name.padEnd(w)}  ${String(h.count).padStart(8)}  ${humanCount(h.sum).padStart(7)}  ${Math.round(h.mean).toString().padStart(7)}  ${shares.join(' ')}`);
  }
  return lines;
}

/** The report `skein stats` prints. */
export function statsReport(s: LengthStats, tokenizer: string, bins: boolean): string[] {
  const rows = Object.entries(s.sources).map(([name, histogram]) => ({ name, histogram }));
  const lines = [`document lengths in ${tokenizer} tokens (BOS/EOS as a build adds them)${s.truncated ? ', first documents only (--max-docs)' : ''}:`, ''];
  lines.push(...underTable(rows.length > 1 ? [...rows, { name: 'all', histogram: s.all }] : rows), '');
  for (const r of rows) {
    lines.push(`${r.name}: ${lengthSentence(r.histogram)}`);
    if (bins) for (const l of renderHistogram(r.histogram, 32)) lines.push(`  ${l}`);
  }
  if (rows.length > 1) lines.push(`all: ${lengthSentence(s.all)}`);
  const dropped = Object.entries(s.dropped);
  if (dropped.length) lines.push(`not measured: ${dropped.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  return lines;
}

/** `skein stats <inputs...>`: document-length histograms per source, printed and drawn as SVG. */
export function statsCommand(): Command {
  return new Command('stats')
    .description('Document-length statistics in tokens, per source: the share under 1K…128K, histograms, and a chart (SVG or PNG).')
    .argument('<inputs...>', 'input files, folders or globs (.jsonl[.gz|.zst], .parquet, .zip)')
    .requiredOption('-t, --tokenizer <name>', TOKENIZER_HELP)
    .option('--text-field <path>', 'dotted path of the text field', 'text')
    .option('--id-field <path>', 'dotted path of the id field', 'id')
    .option('--source-field <path>', 'dotted path of the source-name field, e.g. meta.redpajama_set_name (default: one source per file name)')
    .option('--name <name>', 'source name for records without a source field')
    .option('--chart <file>', 'write the histograms as a chart: SVG or PNG, by the file name (lengths.svg, lengths.png)')
    .option('--max-docs <n>', 'measure only the first N documents', positiveInt('--max-docs'))
    .addOption(new Option('--on-error <policy>', 'bad records: fail or skip').choices(['fail', 'skip']).default('fail'))
    .option('--no-bins', 'leave out the per-bucket bars')
    .option('--json', 'print the histograms as JSON')
    .action(async (inputs: string[], flags: StatsFlags) => {
      if (flags.chart) chartFormatOf(flags.chart, '--chart');
      const files = await expandInputs(inputs.map((p) => (isRemotePath(p) ? p : path.resolve(p))));
      const t = flags.tokenizer;
      const engine = await loadTokenizer({ name: t.startsWith('.') || t.startsWith('/') || t.endsWith('.json') ? path.resolve(t) : t });
      const policy = resolveBosEos(engine.info, 'auto', 'auto');
      const bar = taskProgress(process.stderr, 'measuring', 'documents', { quiet: flags.json });
      const stats = await lengthStats({
        onDocuments: (n) => bar.update(n),
        files,
        fields: { text: flags.textField, id: flags.idField, source: flags.sourceField },
        name: flags.name,
        engine,
        policy,
        onError: flags.onError,
        maxDocs: flags.maxDocs,
        displayRoot: process.cwd(),
      }).finally(() => bar.stop());
      const out = (s: string) => process.stdout.write(`${s}\n`);
      if (flags.json) out(JSON.stringify({ tokenizer: engine.info.name, ...stats }, null, 2));
      else for (const l of statsReport(stats, engine.info.name, flags.bins)) out(l);
      if (flags.chart) {
        const series = Object.entries(stats.sources).map(([name, histogram]) => ({ name, histogram }));
        await writeChart(flags.chart, histogramChartSpec(series, { title: `Document lengths (${engine.info.name} tokens)`, markers: [4096, 32768] }), '--chart');
        if (!flags.json) out(`chart: ${flags.chart}`);
      }
    });
}
