import path from 'node:path';
import { taskProgress } from './task-progress.js';
import { Command } from 'commander';
import { humanCount } from '../run/progress.js';
import { openDataset, readManifest, renderHistogram, verifyShards, type Manifest } from '../shards/index.js';
import type { TokenizerEngine } from '../tokenize/engine.js';
import { loadTokenizer } from '../tokenize/load-tokenizer.js';
import { UserError } from '../util/errors.js';
import { showStructure } from './inspect-structure.js';
import { megatronLines } from './megatron-summary.js';
import { mixSummary } from './mix-summary.js';
import { registerManifestTokens } from './manifest-tokenizer.js';
import { nonNegativeInt, positiveInt } from './parse-number.js';
import { chartFormatOf } from '../charts/write-chart.js';

interface InspectFlags {
  rows: number;
  chars: number;
  decode: boolean;
  verify?: boolean;
  json?: boolean;
  explain?: number;
  plot?: string;
  plotRows: number;
}

/** The manifest summary: what was built, from what, and how rows read. */
export function manifestSummary(m: Manifest, dir: string): string[] {
  const t = m.totals;
  const d = m.documents;
  const lines = [
    `${dir}: skein shards v${m.format_version} (skein ${m.skein_version}), seed ${m.seed}`,
    `  rows ${t.rows}, tokens ${humanCount(t.tokens)} (${t.tokens}), shards ${t.shards}, ${(t.bytes / 1e6).toFixed(1)} MB`,
    `  builder ${m.builder.name} seq_len ${m.builder.seq_len}; attention ${m.attention}; positions ${m.positions}; columns ${m.columns.join(', ')}`,
    `  tokenizer ${m.tokenizer.name} (${m.tokenizer.source}), vocab ${m.tokenizer.vocab_size}, special ${JSON.stringify(m.tokenizer.special_ids)}, bos ${m.tokenizer.add_bos ? 'on' : 'off'}, eos ${m.tokenizer.add_eos ? 'on' : 'off'}, sha256 ${m.tokenizer.sha256.slice(0, 12)}…`,
    `  encoded by ${m.tokenizer.engine}${m.tokenizer.worker_pool ? ` on ${m.tokenizer.workers} worker threads` : ' in-process'}`,
    `  documents read ${d.read} = written ${d.written} + dropped ${d.read - d.written} ${JSON.stringify(d.dropped)}`,
    `  packing fill ${(m.packing.fill * 100).toFixed(1)}% of ${humanCount(m.packing.capacity_tokens)} token slots, ${m.packing.split_documents} documents split across rows`,
    '  sources:',
    ...Object.entries(m.sources).map(([name, s]) => `    ${name.padEnd(24)} ${String(s.documents).padStart(9)} docs ${humanCount(s.tokens).padStart(8)} tokens`),
    ...mixSummary(m),
    ...(m.scale_out?.rank !== undefined ? [`  rank ${m.scale_out.rank} of ${m.scale_out.world_size} (${m.scale_out.units?.mine ?? '?'} of ${m.scale_out.units?.total ?? '?'} input units); join the ranks with skein merge`] : []),
    ...(m.scale_out?.ranks ? [`  merged from ${m.scale_out.ranks.length} ranks: ${m.scale_out.ranks.map((r) => r.dir).join(', ')}`] : []),
    ...(m.megatron ? megatronLines(m.megatron) : []),
    '  shards:',
    ...m.shards.map(
      (s) =>
        `    ${s.file}  ${String(s.rows).padStart(7)} rows ${humanCount(s.tokens).padStart(8)} tokens ${(s.bytes / 1e6).toFixed(1).padStart(7)} MB  sha256 ${s.sha256.slice(0, 12)}…${s.index ? `  + ${s.index.file} (${s.documents} documents)` : ''}`,
    ),
  ];
  if (m.rejects.count) lines.push(`  rejects: ${m.rejects.count} in ${m.rejects.file ?? m.rejects.files?.join(', ')}`);
  return lines;
}

/** Shortens text for display: the head and tail, with the middle elided and newlines shown as ⏎. */
function clip(text: string, chars: number): string {
  const flat = text.replace(/\n/g, '⏎');
  if (flat.length <= chars) return flat;
  const head = Math.ceil(chars * 0.7);
  return `${flat.slice(0, head)} … ${flat.slice(flat.length - (chars - head))}`;
}

/** `skein inspect <dir>`. */
export function inspectCommand(): Command {
  return new Command('inspect')
    .description('Show what a shard folder holds: manifest summary, length histograms and a few decoded rows.')
    .argument('<dir>', 'a folder written by skein build')
    .option('-n, --rows <n>', 'rows to show', nonNegativeInt('--rows'), 3)
    .option('--chars <n>', 'characters shown per document piece', positiveInt('--chars'), 240)
    .option('--no-decode', 'show token ids instead of text')
    .option('--verify', 'recompute every shard sha256 and compare with the manifest')
    .option('--json', 'print the manifest as JSON')
    .option('--explain <n>', 'show row n with its structure: pieces, markers, chunk IDs and summaries, masked spans, position jumps', nonNegativeInt('--explain'))
    .option('--plot <file>', 'write a plot of position id against token index for the first rows: SVG or PNG, by the file name (.svg, .png)')
    .option('--plot-rows <n>', 'rows drawn by --plot', positiveInt('--plot-rows'), 4)
    .action(async (dirArg: string, flags: InspectFlags) => {
      if (flags.plot) chartFormatOf(flags.plot, '--plot');
      const dir = path.resolve(dirArg);
      // A Megatron folder has a summary and checksums but no rows to show.
      const m = await readManifest(dir);
      const ds = m.shard_format === 'megatron' ? undefined : await openDataset(dir);
      const out = (s: string) => process.stdout.write(`${s}\n`);
      if (flags.json) {
        out(JSON.stringify(m, null, 2));
        return;
      }
      if (flags.explain !== undefined || flags.plot) {
        if (!ds) throw new UserError(`--explain and --plot show Arrow rows, but ${dirArg} holds Megatron .bin/.idx shards (documents, not rows); build with output.format arrow to look at rows`);
        await showStructure(ds, { explain: flags.explain, plot: flags.plot && path.resolve(flags.plot), plotRows: flags.plotRows, chars: flags.chars, decode: flags.decode }, out);
        return;
      }
      for (const l of manifestSummary(m, dirArg)) out(l);
      out('');
      out('document lengths (tokens):');
      for (const l of renderHistogram(m.histograms.document_tokens)) out(`  ${l}`);
      out('row lengths (tokens):');
      for (const l of renderHistogram(m.histograms.sample_tokens)) out(`  ${l}`);
      if (flags.verify) {
        const bar = taskProgress(process.stderr, 'verifying shards', 'bytes');
        let bad;
        try {
          bad = await verifyShards(dir, (done, total) => bar.update(done, total));
        } finally {
          bar.stop();
        }
        if (bad.length) throw new UserError(`${bad.length} shard(s) do not match the manifest checksums (${bad.map((b) => b.file).join(', ')}); rebuild them`);
        out(`verified: ${m.shards.length} shards match their sha256`);
      }
      if (flags.rows === 0 || !ds) return;
      let engine: TokenizerEngine | undefined;
      if (flags.decode) {
        try {
          engine = await loadTokenizer({ name: m.tokenizer.source.startsWith('package:') || m.tokenizer.source.startsWith('hf:') || m.tokenizer.kind === 'openai' ? m.tokenizer.name : m.tokenizer.source });
          registerManifestTokens(engine, m);
          if (engine.info.sha256 !== m.tokenizer.sha256) out(`(note: the tokenizer found now differs from the one used for the build; decoded text may be wrong)`);
        } catch (e) {
          out(`(cannot load tokenizer ${m.tokenizer.name} to decode: ${(e as Error).message}; showing ids)`);
        }
      }
      out('');
      let i = 0;
      for await (const row of ds.rows()) {
        if (i >= flags.rows) break;
        const pieces = Array.from(row.docLengths);
        out(`row ${i}: ${row.inputIds.length} tokens, ${pieces.length} document piece${pieces.length === 1 ? '' : 's'} [${pieces.map((n, k) => `${row.docSources?.[k] ?? '?'} ${n}`).join(' | ')}]`);
        let off = 0;
        for (let k = 0; k < pieces.length; k++) {
          const ids = row.inputIds.subarray(off, off + pieces[k]!);
          const pos = row.positionIds;
          const text = engine ? clip(await engine.decode(ids), flags.chars) : `[${Array.from(ids.subarray(0, 24)).join(' ')}${ids.length > 24 ? ' …' : ''}]`;
          out(`  piece ${k} (tokens ${off}–${off + pieces[k]! - 1}, positions ${pos[off]}–${pos[off + pieces[k]! - 1]}, segment ${row.segmentIds[off]}): ${text}`);
          off += pieces[k]!;
        }
        i++;
      }
    });
}
