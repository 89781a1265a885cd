/**
 * `skein eval <checkpoint> <dirs...>`: loads a checkpoint and evaluates it on each folder — an
 * eval set from `gen-eval` (exact match per length × depth, plus a heatmap SVG for passkey/NIAH)
 * or ordinary held-out shards (perplexity per position bucket) — and writes `report.json`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { jsonText } from '../shards/atomic-file.js';
import { readManifest } from '../shards/manifest.js';
import { selectBackend, type BackendChoice, type BackendName } from '../train/backend.js';
import type { RopeConfig } from '../train/config.js';
import { disposeModel } from '../train/model.js';
import { UserError } from '../util/errors.js';
import { loadEvalModel } from './eval-model.js';
import { DEPTH_TASKS } from './eval-sample.js';
import { heatmapChartSpec } from '../charts/heatmap-chart.js';
import { writeChartPair } from '../charts/write-chart.js';
import { perplexityByPosition, type PerplexityReport } from './perplexity.js';
import { scoreEvalSet, type TaskReport } from './score-tasks.js';

/** Options of {@link runEval}. */
export interface RunEvalOptions {
  checkpoint: string;
  dirs: string[];
  /** Report folder: report.json and the heatmaps. */
  output: string;
  backend?: BackendName | 'auto';
  /** RoPE settings overriding the checkpoint's (e.g. YaRN for longer contexts). */
  rope?: Partial<RopeConfig>;
  /** Window for held-out perplexity (default: the training window). */
  seqLen?: number;
  /** Held-out windows per folder (default 64). */
  maxWindows?: number;
  /** Samples per eval set (default all). */
  maxSamples?: number;
  /** Notes for the user. */
  onNote?: (line: string) => void;
  /** Progress within one folder: `done` of `total` samples (eval sets) or windows (held-out shards). */
  onProgress?: (dir: string, unit: 'samples' | 'windows', done: number, total: number) => void;
}

/** The whole report. */
export interface EvalReport {
  checkpoint: string;
  step: number;
  backend: string;
  rope: RopeConfig;
  vocab: { kind: string; size: number };
  tasks: TaskReport[];
  perplexity: PerplexityReport[];
  /** Files written (report.json, heatmaps). */
  files: string[];
}

/** Evaluates a checkpoint on folders and writes the report (see the module comment). */
export async function runEval(o: RunEvalOptions): Promise<EvalReport> {
  if (o.dirs.length === 0) throw new UserError('give at least one folder to evaluate on: an eval set from `skein gen-eval` or held-out shards from `skein build`');
  const note = o.onNote ?? (() => {});
  const backend: BackendChoice = await selectBackend(o.backend ?? 'auto');
  const em = await loadEvalModel(o.checkpoint, o.rope);
  note(`checkpoint ${em.checkpoint} (step ${em.step}) on ${backend.name}; RoPE ${em.model.config.rope.scaling} base ${em.model.config.rope.base} factor ${em.model.config.rope.factor}`);
  const out = path.resolve(o.output);
  await mkdir(out, { recursive: true });
  const report: EvalReport = {
    checkpoint: em.checkpoint,
    step: em.step,
    backend: backend.name,
    rope: em.model.config.rope,
    vocab: { kind: em.vocab.spec.kind, size: em.vocab.size },
    tasks: [],
    perplexity: [],
    files: [],
  };
  try {
    for (const d of o.dirs) {
      const dir = path.resolve(d);
      const m = await readManifest(dir);
      if (m.tokenizer.sha256 !== em.tokenizer.sha256) {
        throw new UserError(`${d} was tokenized with ${m.tokenizer.name} but the checkpoint was trained on ${em.tokenizer.name} tokens: regenerate it with --tokenizer ${em.tokenizer.name}`);
      }
      if ('eval' in m) {
        const r = await scoreEvalSet(em, dir, { maxSamples: o.maxSamples, onSample: (done, total) => o.onProgress?.(d, 'samples', done, total) });
        report.tasks.push(r);
        note(`${d}: ${r.task} exact match ${(r.exact_match * 100).toFixed(1)}% over ${r.samples} samples (token accuracy ${(r.token_accuracy * 100).toFixed(1)}%)`);
        if (DEPTH_TASKS.includes(r.task)) {
          const taken = report.files.filter((f) => path.basename(f).startsWith(`${r.task}-heatmap`) && f.endsWith('.svg')).length;
          const cells = r.cells.map((c) => ({ length: c.length, depth: c.depth, accuracy: c.exact_match, samples: c.samples }));
          const spec = heatmapChartSpec(cells, { text: `${r.task}: exact match by context length × depth`, subtitle: `${path.basename(d)}, checkpoint step ${em.step}` });
          report.files.push(...(await writeChartPair(path.join(out, `${r.task}-heatmap${taken ? `-${taken + 1}` : ''}`), spec)));
        }
      } else {
        const seqLen = o.seqLen ?? em.trainSeqLen;
        const r = await perplexityByPosition(em, dir, seqLen, o.maxWindows ?? 64, (done, total) => o.onProgress?.(d, 'windows', done, total));
        report.perplexity.push(r);
        note(`${d}: perplexity ${r.perplexity.toFixed(2)} (loss ${r.loss.toFixed(4)}) over ${r.targets} targets in ${r.windows} windows of ${seqLen}`);
      }
    }
  } finally {
    disposeModel(em.model);
  }
  const file = path.join(out, 'report.json');
  report.files.unshift(file);
  await writeFile(file, jsonText(report));
  return report;
}
