/**
 * The training loop: shards → windows → micro-batches → AdamW steps, with JSONL logs, held-out
 * evaluation, atomic checkpoints, exact resume and a loss chart (SVG and PNG) at the end.
 *
 * Run folder (`output`):
 * ```
 * log.jsonl          one JSON object per line: {"step","loss","lr","grad_norm","tokens","tokens_per_s","epoch","elapsed_s"}
 *                    and {"step","eval_loss","eval_targets"} for held-out evaluations
 * loss.svg, loss.png the loss chart (written at the end of every invocation)
 * checkpoints/       see checkpoint.ts
 * ```
 * Exact resume: the checkpoint holds the weights, the AdamW moments and step count, the data
 * position and the settings; the data order is a pure function of the settings (data-loader.ts)
 * and the backends compute deterministically, so steps after a resume produce the losses an
 * uninterrupted run produces. `log.jsonl` is cut back to the checkpoint's step before appending.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../shards/atomic-file.js';
import { shardsFingerprint } from '../shards/hf-layout.js';
import { openDataset, type Dataset } from '../shards/reader.js';
import { UserError } from '../util/errors.js';
import { AdamW } from './adamw.js';
import { selectBackend, type BackendChoice, type BackendName } from './backend.js';
import { decodeCheckpoint, disposeCheckpoint, modelFromCheckpoint, restoreOptimizer, saveCheckpoint, type DataPosition, type TrainState } from './checkpoint.js';
import { readCheckpointFiles } from './checkpoint-files.js';
import { checkModelConfig, type ModelConfig } from './config.js';
import { trainingWindows } from './data-loader.js';
import { heldOutLoss } from './heldout-loss.js';
import { lossChartSpec, type LossPoint } from '../charts/loss-chart.js';
import { writeChartPair } from '../charts/write-chart.js';
import { countParameters, disposeModel, initModel, type Model } from './model.js';
import { learningRate } from './schedule.js';
import { conflictingOptions, resolveSettings, type TrainSettings, type TrainSettingsInput } from './settings.js';
import { checkTrainMemory } from './memory-estimate.js';
import { trainStep } from './train-step.js';
import { TokenCounter, vocabFromSpec, type Vocab, type VocabSpec } from './vocab.js';
import { makeBatch, type Window } from './windows.js';
import { pathExists } from '../util/path-exists.js';

/** Options of {@link train}: the run's settings plus where and how to run it. */
export interface TrainOptions extends TrainSettingsInput {
  /** The training shards (a folder written by `skein build`). */
  data: string;
  /** The run folder: logs, checkpoints, loss curve. */
  output: string;
  /** Continue the run in `output` from its latest checkpoint. */
  resume?: boolean;
  /** Backend (default `auto`, see backend.ts). */
  backend?: BackendName | 'auto';
  /** Checkpoint every N steps (default 100; one is always written at the end). */
  checkpointEvery?: number;
  /** Step folders kept (default 2). */
  keepCheckpoints?: number;
  /** Held-out shards evaluated every `evalEvery` steps and at the end. */
  evalData?: string;
  /** Default: at the end only. */
  evalEvery?: number;
  /** Held-out windows per evaluation (default 32). */
  evalWindows?: number;
  /** Stop after this optimizer step (a checkpoint is written), e.g. to fit a job's time limit. */
  stopAfter?: number;
  /** Called after every step with its log entry. */
  onStep?: (entry: StepLog, totalSteps: number) => void;
  /** Called with human-readable notes (backend chosen, vocabulary, checkpoints). */
  onNote?: (line: string) => void;
  /** skein's version, recorded in checkpoints. */
  skeinVersion?: string;
}

/** One `log.jsonl` training entry. */
export interface StepLog {
  step: number;
  loss: number;
  lr: number;
  grad_norm: number;
  tokens: number;
  tokens_per_s: number;
  epoch: number;
  elapsed_s: number;
}

/** One `log.jsonl` held-out entry. */
export interface EvalLog {
  step: number;
  eval_loss: number;
  eval_targets: number;
}

/** What a run did. */
export interface TrainResult {
  output: string;
  backend: BackendChoice;
  settings: TrainSettings;
  config: ModelConfig;
  parameters: number;
  /** Total steps of the run and the last step done now. */
  steps: number;
  lastStep: number;
  /** Training losses of the steps done by this invocation. */
  losses: number[];
  /** Held-out losses of this invocation, by step. */
  evalLosses: LossPoint[];
  checkpoint: string;
  /** Mean tokens/s over this invocation's steps (first step excluded when there are several). */
  tokensPerSecond: number;
}

/** The model config a settings object describes, for a vocabulary of `vocabSize` ids. */
export function modelConfigOf(s: TrainSettings, vocabSize: number): ModelConfig {
  const c: ModelConfig = { vocabSize, dModel: s.dModel, nLayers: s.nLayers, nHeads: s.nHeads, ffMult: s.ffMult, normEps: 1e-6, rope: s.rope };
  checkModelConfig(c);
  return c;
}

/** One pass over the training shards: token counts (for the compact vocabulary) and windows per epoch. */
async function scanDataset(ds: Dataset, seqLen: number): Promise<{ counter: TokenCounter; windows: number }> {
  const counter = new TokenCounter();
  let windows = 0;
  for await (const row of ds.rows()) {
    counter.add(row.inputIds);
    windows += Math.ceil(row.inputIds.length / seqLen);
  }
  return { counter, windows };
}


/** Reads `log.jsonl` entries (training and held-out). */
export async function readTrainLog(runDir: string): Promise<Array<StepLog | EvalLog>> {
  const file = path.join(runDir, 'log.jsonl');
  if (!(await pathExists(file))) return [];
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as StepLog | EvalLog);
}

/** Rewrites `log.jsonl` without entries after `step` (a resumed run redoes them). */
async function truncateLog(runDir: string, step: number): Promise<void> {
  const kept = (await readTrainLog(runDir)).filter((e) => e.step <= step);
  await writeFileAtomic(path.join(runDir, 'log.jsonl'), kept.map((e) => `${JSON.stringify(e)}\n`).join(''));
}

/** Writes `loss.svg` and `loss.png` from the whole `log.jsonl`. */
async function writeLossCurve(runDir: string, title: string): Promise<void> {
  const log = await readTrainLog(runDir);
  const train = log.filter((e): e is StepLog => 'loss' in e).map((e) => ({ step: e.step, loss: e.loss }));
  const held = log.filter((e): e is EvalLog => 'eval_loss' in e).map((e) => ({ step: e.step, loss: e.eval_loss }));
  await writeChartPair(path.join(runDir, 'loss'), lossChartSpec(train, held, title));
}

/**
 * Trains (or resumes) a run. See the module comment for what it writes. Throws a
 * {@link UserError} for bad options, a missing dataset, a run folder that already holds a run
 * without `resume`, or options that contradict the resumed run.
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const note = opts.onNote ?? (() => {});
  const runDir = path.resolve(opts.output);
  const hasRun = await pathExists(path.join(runDir, 'checkpoints', 'latest.json'));
  if (opts.resume && !hasRun) throw new UserError(`--resume: ${runDir} holds no checkpoint to resume; drop --resume to start a new run there`);
  if (!opts.resume && hasRun) throw new UserError(`${runDir} already holds a training run: pass --resume to continue it, or choose another --output`);
  const ds = await openDataset(path.resolve(opts.data));
  const fingerprint = shardsFingerprint(ds.manifest.shards);
  // Everything that can be checked without tensors is checked before the backend loads: a
  // resumed run's checkpoint files (sizes, sha256s, finite values) and settings, a new run's options.
  const resumeFiles = opts.resume ? await readCheckpointFiles(runDir) : null;
  let settings: TrainSettings;
  let vocabSpec: VocabSpec;
  let position: DataPosition = { epoch: 0, window: 0 };
  let step = 0;
  if (resumeFiles) {
    const stored = resumeFiles.meta.train;
    settings = stored.settings as unknown as TrainSettings;
    const bad = conflictingOptions(opts, settings);
    if (bad.length) throw new UserError(`--resume: ${bad.join(', ')} differ from the run in ${runDir}; give the run's own values (or none), or start a new run with another --output`);
    if (stored.dataset.fingerprint !== fingerprint) {
      throw new UserError(`--resume: the shards in ${ds.dir} are not the ones the run trained on (fingerprint ${fingerprint} vs ${stored.dataset.fingerprint}); point at the run's data (${stored.dataset.dir})`);
    }
    vocabSpec = resumeFiles.meta.vocab;
    position = stored.data;
    step = stored.step;
  } else {
    settings = resolveSettings(opts);
    const needScan = settings.vocabSize !== 'full' || settings.steps === null;
    const scan = needScan ? await scanDataset(ds, settings.seqLen) : null;
    if (settings.vocabSize === 'full') vocabSpec = { kind: 'full', size: ds.manifest.tokenizer.vocab_size };
    else vocabSpec = scan!.counter.compact(settings.vocabSize);
    if (settings.steps === null) {
      settings.steps = Math.max(1, Math.ceil((settings.epochs * scan!.windows) / (settings.batchSize * settings.gradAccum)));
    }
    settings.warmup ??= Math.max(1, Math.round(settings.steps * 0.05));
  }
  const totalSteps = settings.steps!;
  const config = modelConfigOf(settings, vocabSpec.size);

  const backend = await selectBackend(opts.backend ?? 'auto');
  // Backends skipped because they were never set up or installed are expected; others (a set-up that does not load) are worth a word.
  const failed = backend.skipped.filter((s) => !/^not set up|not installed$/.test(s.reason));
  note(`backend ${backend.name}${backend.detail ? `: ${backend.detail}` : ''}${failed.length ? ` (skipped: ${failed.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : ''}`);
  checkTrainMemory(config, settings, backend.name);

  let model: Model;
  let opt: AdamW;
  if (resumeFiles) {
    const ck = decodeCheckpoint(resumeFiles);
    model = modelFromCheckpoint(ck);
    opt = new AdamW(model.params, { beta1: settings.beta1, beta2: settings.beta2, eps: settings.eps, weightDecay: settings.weightDecay });
    restoreOptimizer(ck, opt);
    disposeCheckpoint(ck);
    await truncateLog(runDir, step);
    note(`resuming ${runDir} at step ${step} of ${totalSteps} (epoch ${position.epoch}, window ${position.window}); checkpoint ${resumeFiles.checksummed ? 'files match their sha256s' : 'of format 1: no sha256s to verify'}`);
  } else {
    model = initModel(config, settings.seed);
    opt = new AdamW(model.params, { beta1: settings.beta1, beta2: settings.beta2, eps: settings.eps, weightDecay: settings.weightDecay });
    await mkdir(runDir, { recursive: true });
    await writeFile(path.join(runDir, 'log.jsonl'), '');
    note(
      `vocabulary ${vocabSpec.kind === 'full' ? `full (${vocabSpec.size} ids)` : `compact: ${vocabSpec.size - 1} most frequent of the tokenizer's ${ds.manifest.tokenizer.vocab_size} ids + 1 out-of-vocabulary id`}`,
    );
  }
  const vocab: Vocab = vocabFromSpec(vocabSpec);
  const parameters = countParameters(model);
  note(`model ${settings.preset}: ${parameters.toLocaleString('en-US')} parameters (d ${settings.dModel}, ${settings.nLayers} layers, ${settings.nHeads} heads, vocab ${vocab.size}); ${totalSteps} steps of ${settings.gradAccum} × ${settings.batchSize} × ${settings.seqLen} tokens`);

  const evalDs = opts.evalData ? await openDataset(path.resolve(opts.evalData)) : null;
  const evalEvery = opts.evalEvery ?? 0;
  const evalWindows = opts.evalWindows ?? 32;
  const checkpointEvery = opts.checkpointEvery ?? 100;
  const stopAt = Math.min(totalSteps, opts.stopAfter ?? totalSteps);
  const schedule = { lr: settings.lr, warmup: settings.warmup!, steps: totalSteps, minLr: settings.minLr };
  const state = (): TrainState => ({
    step,
    data: position,
    settings: settings as unknown as Record<string, unknown>,
    dataset: { dir: ds.dir, fingerprint, attention: ds.manifest.attention, positions: ds.manifest.positions },
    seqLen: settings.seqLen,
  });
  const save = async () => {
    const dir = await saveCheckpoint(runDir, { model, optimizer: opt, vocab: vocabSpec, tokenizer: ds.manifest.tokenizer, state: state(), skeinVersion: opts.skeinVersion ?? 'unknown' }, opts.keepCheckpoints ?? 2);
    note(`checkpoint ${path.relative(process.cwd(), dir) || dir}`);
    return dir;
  };
  const log = (entry: StepLog | EvalLog) => appendFile(path.join(runDir, 'log.jsonl'), `${JSON.stringify(entry)}\n`);
  const evaluate = async () => {
    if (!evalDs) return;
    const r = await heldOutLoss(model, vocab, evalDs, settings.seqLen, evalWindows, settings.batchSize);
    const entry: EvalLog = { step, eval_loss: r.loss, eval_targets: r.targets };
    await log(entry);
    evalLosses.push({ step, loss: r.loss });
    note(`step ${step}: held-out loss ${r.loss.toFixed(4)} over ${r.targets} targets`);
  };

  const losses: number[] = [];
  const evalLosses: LossPoint[] = [];
  let checkpoint = '';
  const rates: number[] = [];
  const started = performance.now();
  const windows = trainingWindows(ds, { seqLen: settings.seqLen, seed: settings.seed, bufferWindows: settings.shuffleWindows }, position);
  try {
    if (evalDs && step === 0) await evaluate();
    while (step < stopAt) {
      const t0 = performance.now();
      const micro = [];
      for (let k = 0; k < settings.gradAccum; k++) {
        const ws: Window[] = [];
        while (ws.length < settings.batchSize) {
          const next = await windows.next();
          if (next.done) throw new Error('the window stream ended');
          ws.push(next.value.window);
          position = next.value.next;
        }
        micro.push(makeBatch(ws, vocab));
      }
      const lr = learningRate(schedule, step + 1);
      const r = await trainStep(model, opt, micro, lr, settings.clip);
      step++;
      const seconds = (performance.now() - t0) / 1000;
      const entry: StepLog = {
        step,
        loss: r.loss,
        lr,
        grad_norm: r.gradNorm,
        tokens: r.tokens,
        tokens_per_s: Math.round(r.tokens / seconds),
        epoch: position.epoch,
        elapsed_s: Number(((performance.now() - started) / 1000).toFixed(3)),
      };
      if (!Number.isFinite(r.loss)) throw new Error(`loss is ${r.loss} at step ${step}: training diverged (lower --lr)`);
      losses.push(r.loss);
      rates.push(entry.tokens_per_s);
      await log(entry);
      opts.onStep?.(entry, totalSteps);
      if (evalDs && evalEvery > 0 && step % evalEvery === 0 && step !== totalSteps) await evaluate();
      if (step === stopAt || step % checkpointEvery === 0) {
        if (step === totalSteps) await evaluate();
        checkpoint = await save();
      }
    }
    if (!checkpoint) checkpoint = await save();
    await writeLossCurve(runDir, `skein train: ${settings.preset}, ${parameters.toLocaleString('en-US')} parameters, ${path.basename(ds.dir)}`);
  } finally {
    await windows.return(undefined);
    disposeModel(model);
    opt.dispose();
  }
  const steady = rates.length > 1 ? rates.slice(1) : rates;
  return {
    output: runDir,
    backend,
    settings,
    config: modelConfigOf(settings, vocab.size),
    parameters,
    steps: totalSteps,
    lastStep: step,
    losses,
    evalLosses,
    checkpoint,
    tokensPerSecond: steady.length ? steady.reduce((a, b) => a + b, 0) / steady.length : 0,
  };
}
