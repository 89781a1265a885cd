import path from 'node:path';
import { Command, Option } from 'commander';
import { SKEIN_VERSION } from '../run/run-build.js';
import { BACKENDS, type BackendName } from '../train/backend-names.js';
import { PRESETS, type PresetName, type RopeScaling } from '../train/config.js';
import type { TrainResult } from '../train/trainer.js';
import { UserError } from '../util/errors.js';
import { nonNegativeInt, positiveInt } from './parse-number.js';
import { numberOption } from './parse-option.js';
import { trainProgress } from './train-progress.js';

/** Flags of `skein train`. */
interface TrainFlags {
  output: string;
  preset?: PresetName;
  steps?: number;
  epochs?: number;
  batchSize?: number;
  gradAccum?: number;
  seqLen?: number;
  vocabSize?: string;
  dModel?: number;
  layers?: number;
  heads?: number;
  lr?: number;
  minLr?: number;
  warmup?: number;
  weightDecay?: number;
  clip?: number;
  seed?: number;
  shuffleWindows?: number;
  ropeBase?: number;
  ropeScaling?: RopeScaling;
  ropeFactor?: number;
  ropeOriginalLen?: number;
  backend: BackendName | 'auto' | 'list';
  checkpointEvery: number;
  keep: number;
  evalData?: string;
  evalEvery?: number;
  evalWindows?: number;
  resume?: boolean;
  stopAfter?: number;
  progress: boolean;
  quiet?: boolean;
  json?: boolean;
}

/** The `--vocab-size` value: a positive integer or `full`. */
function vocabSizeOf(v: string | undefined): number | 'full' | undefined {
  if (v === undefined || v === 'full') return v;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 2) throw new UserError(`--vocab-size must be an integer ≥ 2 or 'full', got '${v}'`);
  return n;
}

/** The end-of-run summary. */
export function trainSummary(r: TrainResult): string {
  const rel = (p: string) => path.relative(process.cwd(), p) || '.';
  const first = r.losses[0];
  const last = r.losses[r.losses.length - 1];
  return [
    `skein train: step ${r.lastStep}/${r.steps} on ${r.backend.name}; ${r.parameters.toLocaleString('en-US')} parameters; ${Math.round(r.tokensPerSecond).toLocaleString('en-US')} tokens/s`,
    ...(first !== undefined ? [`  loss ${first.toFixed(4)} → ${last!.toFixed(4)} over this run's ${r.losses.length} steps`] : []),
    ...(r.evalLosses.length ? [`  held-out loss ${r.evalLosses.map((p) => `${p.loss.toFixed(4)} @${p.step}`).join(', ')}`] : []),
    `  checkpoint ${rel(r.checkpoint)}; log ${rel(path.join(r.output, 'log.jsonl'))}; loss chart ${rel(path.join(r.output, 'loss.png'))} (and .svg)`,
    r.lastStep < r.steps ? `  next: npx skein train <same shards> --output ${rel(r.output)} --resume` : `  next: npx skein eval ${rel(r.output)} <eval folder>`,
  ].join('\n');
}

/** `skein train <shards>`. */
export function trainCommand(): Command {
  return new Command('train')
    .description('Train the bundled small decoder-only LM on shards (TensorFlow.js: the native backend after skein setup-backend tensorflow, else wasm; skein doctor lists the backends).')
    .argument('[shards]', 'a folder written by skein build')
    .option('-o, --output <dir>', 'run folder: log.jsonl, loss.png and loss.svg, checkpoints/', 'run')
    .addOption(new Option('--preset <name>', 'model size').choices(Object.keys(PRESETS)))
    .option('--steps <n>', 'optimizer steps (default: --epochs epochs)', positiveInt('--steps'))
    .option('--epochs <n>', 'epochs when --steps is not given (default 1)', numberOption('--epochs', 0))
    .option('--batch-size <n>', 'windows per micro-batch', positiveInt('--batch-size'))
    .option('--grad-accum <n>', 'micro-batches per optimizer step', positiveInt('--grad-accum'))
    .option('--seq-len <n>', 'training window in tokens (rows are cut into windows)', positiveInt('--seq-len'))
    .option('--vocab-size <n|full>', 'compact vocabulary: the N−1 most frequent ids + 1 out-of-vocabulary id, or full')
    .option('--d-model <n>', 'model width', positiveInt('--d-model'))
    .option('--layers <n>', 'transformer blocks', positiveInt('--layers'))
    .option('--heads <n>', 'attention heads', positiveInt('--heads'))
    .option('--lr <x>', 'peak learning rate', numberOption('--lr', 0))
    .option('--min-lr <x>', 'floor of the cosine decay (default lr/10)', numberOption('--min-lr', 0))
    .option('--warmup <n>', 'linear warmup steps (default 5% of the steps)', nonNegativeInt('--warmup'))
    .option('--weight-decay <x>', 'AdamW decoupled weight decay (default 0.1)', numberOption('--weight-decay', 0))
    .option('--clip <x>', 'global gradient-norm clip, 0 = none (default 1)', numberOption('--clip', 0))
    .option('--seed <n>', 'seed of the initial weights and the data order', nonNegativeInt('--seed'))
    .option('--shuffle-windows <n>', 'shuffle buffer in windows (default 2^20 tokens worth)', positiveInt('--shuffle-windows'))
    .option('--rope-base <x>', 'RoPE base θ (default 10000)', numberOption('--rope-base', 1))
    .addOption(new Option('--rope-scaling <kind>', 'RoPE scaling').choices(['none', 'linear', 'ntk', 'yarn']))
    .option('--rope-factor <x>', 'RoPE scaling factor s', numberOption('--rope-factor', 1))
    .option('--rope-original-len <n>', "YaRN's original context (default --seq-len)", positiveInt('--rope-original-len'))
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend (list: which load here)').choices(['auto', ...BACKENDS, 'list']).default('auto'))
    .option('--checkpoint-every <n>', 'checkpoint every N steps (and always at the end)', positiveInt('--checkpoint-every'), 100)
    .option('--keep <n>', 'checkpoints kept', positiveInt('--keep'), 2)
    .option('--eval-data <dir>', 'held-out shards: loss logged every --eval-every steps and at the end')
    .option('--eval-every <n>', 'steps between held-out evaluations (default: only at the end)', positiveInt('--eval-every'))
    .option('--eval-windows <n>', 'held-out windows per evaluation (default 32)', positiveInt('--eval-windows'))
    .option('--resume', 'continue the run in --output from its latest checkpoint')
    .option('--stop-after <n>', 'stop (with a checkpoint) after this step; --resume continues', positiveInt('--stop-after'))
    .option('--no-progress', 'no progress bar or progress lines')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print the result as JSON')
    .action(async (shards: string | undefined, f: TrainFlags) => {
      if (f.backend === 'list') {
        const { backendTable, probeBackends } = await import('./backend-report.js');
        process.stdout.write(backendTable(await probeBackends()));
        return;
      }
      if (shards === undefined) throw new UserError("skein train needs the shards folder: skein train <shards> (a folder written by skein build)");
      const backend = f.backend;
      const progress = trainProgress(process.stderr, { quiet: f.quiet || !f.progress });
      const { train } = await import('../train/trainer.js'); // loads TensorFlow.js only for this command
      let r: TrainResult;
      try {
        r = await train({
          data: shards,
          output: f.output,
          resume: f.resume,
          backend,
          preset: f.preset,
          steps: f.steps,
          epochs: f.epochs,
          batchSize: f.batchSize,
          gradAccum: f.gradAccum,
          seqLen: f.seqLen,
          vocabSize: vocabSizeOf(f.vocabSize),
          dModel: f.dModel,
          nLayers: f.layers,
          nHeads: f.heads,
          lr: f.lr,
          minLr: f.minLr,
          warmup: f.warmup,
          weightDecay: f.weightDecay,
          clip: f.clip,
          seed: f.seed,
          shuffleWindows: f.shuffleWindows,
          ropeBase: f.ropeBase,
          ropeScaling: f.ropeScaling,
          ropeFactor: f.ropeFactor,
          ropeOriginalContext: f.ropeOriginalLen,
          checkpointEvery: f.checkpointEvery,
          keepCheckpoints: f.keep,
          evalData: f.evalData,
          evalEvery: f.evalEvery,
          evalWindows: f.evalWindows,
          stopAfter: f.stopAfter,
          skeinVersion: SKEIN_VERSION,
          onStep: (e, total) => progress.step(e, total),
          onNote: (line) => {
            if (f.quiet) return;
            if (f.progress) progress.note(line);
            else process.stderr.write(`skein: ${line}\n`);
          },
        });
      } finally {
        progress.stop();
      }
      if (f.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else if (!f.quiet) process.stdout.write(`${trainSummary(r)}\n`);
    });
}
