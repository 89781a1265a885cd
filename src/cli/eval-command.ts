import path from 'node:path';
import { Command, Option } from 'commander';
import { BACKENDS, type BackendName } from '../train/backend-names.js';
import type { RopeScaling } from '../train/config.js';
import { positiveInt } from './parse-number.js';
import { numberOption } from './parse-option.js';
import { taskProgress, type TaskProgress } from './task-progress.js';

/** Flags of `skein eval`. */
interface EvalFlags {
  output: string;
  backend: BackendName | 'auto';
  seqLen?: number;
  maxWindows: number;
  maxSamples?: number;
  ropeBase?: number;
  ropeScaling?: RopeScaling;
  ropeFactor?: number;
  ropeOriginalLen?: number;
  quiet?: boolean;
  json?: boolean;
}

/** `skein eval <checkpoint> <dirs...>`. */
export function evalCommand(): Command {
  return new Command('eval')
    .description('Evaluate a checkpoint: exact match per length × depth on gen-eval sets (+ heatmap PNG and SVG), perplexity per position bucket on held-out shards.')
    .argument('<checkpoint>', 'a run folder from skein train (its latest checkpoint) or a checkpoint step folder')
    .argument('<dirs...>', 'eval sets from skein gen-eval and/or held-out shards from skein build')
    .option('-o, --output <dir>', 'report folder: report.json and heatmaps', 'eval-report')
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['auto', ...BACKENDS]).default('auto'))
    .option('--seq-len <n>', 'window for held-out perplexity (default: the training window)', positiveInt('--seq-len'))
    .option('--max-windows <n>', 'held-out windows per folder', positiveInt('--max-windows'), 64)
    .option('--max-samples <n>', 'samples per eval set (default all)', positiveInt('--max-samples'))
    .option('--rope-base <x>', "override the checkpoint's RoPE base", numberOption('--rope-base', 1))
    .addOption(new Option('--rope-scaling <kind>', "override the checkpoint's RoPE scaling").choices(['none', 'linear', 'ntk', 'yarn']))
    .option('--rope-factor <x>', 'RoPE scaling factor', numberOption('--rope-factor', 1))
    .option('--rope-original-len <n>', "YaRN's original context (default: the checkpoint's)", positiveInt('--rope-original-len'))
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print the report as JSON')
    .action(async (checkpoint: string, dirs: string[], f: EvalFlags) => {
      const { runEval } = await import('../eval/run-eval.js'); // loads TensorFlow.js only for this command
      // One progress display per folder, replaced when the next folder starts.
      let bar: { dir: string; progress: TaskProgress } | undefined;
      const onProgress = (dir: string, unit: string, done: number, total: number) => {
        if (bar?.dir !== dir) {
          bar?.progress.stop();
          bar = { dir, progress: taskProgress(process.stderr, `evaluating ${dir}`, unit, { quiet: f.quiet || f.json }) };
        }
        bar.progress.update(done, total);
      };
      const r = await runEval({
        checkpoint,
        dirs,
        output: f.output,
        backend: f.backend,
        seqLen: f.seqLen,
        maxWindows: f.maxWindows,
        maxSamples: f.maxSamples,
        rope: { base: f.ropeBase, scaling: f.ropeScaling, factor: f.ropeFactor, originalContext: f.ropeOriginalLen },
        onNote: (l) => {
          bar?.progress.stop();
          bar = undefined;
          if (!f.quiet && !f.json) process.stderr.write(`skein: ${l}\n`);
        },
        onProgress,
      }).finally(() => bar?.progress.stop());
      if (f.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else if (!f.quiet) {
        const rel = (p: string) => path.relative(process.cwd(), p) || '.';
        const lines = [`skein eval: step ${r.step} on ${r.backend}`];
        for (const t of r.tasks) {
          lines.push(`  ${t.task} (${rel(t.dir)}): exact match ${(t.exact_match * 100).toFixed(1)}% of ${t.samples}; by length ${t.by_length.map((l) => `${l.length}: ${(l.exact_match * 100).toFixed(0)}%`).join(', ')}`);
        }
        for (const p of r.perplexity) {
          lines.push(`  perplexity ${p.perplexity.toFixed(2)} (${rel(p.dir)}, ${p.targets} targets); by position ${p.buckets.map((b) => `${b.from}–${b.to - 1}: ${b.perplexity.toFixed(1)}`).join(', ')}`);
        }
        lines.push(`  wrote ${r.files.map(rel).join(', ')}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
    });
}
