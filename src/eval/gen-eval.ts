/**
 * `gen-eval`: generates one long-context task at several lengths (and depths) and writes it as an
 * eval set (eval-shards.ts). Every random choice comes from rngFor(seed, task, cell): the same
 * options give the same bytes.
 */
import path from 'node:path';
import type { ManifestTokenizer } from '../shards/manifest.js';
import { loadTokenizer } from '../tokenize/load-tokenizer.js';
import { UserError } from '../util/errors.js';
import { DEPTH_TASKS, EVAL_TASKS, type EvalSample, type EvalTask } from './eval-sample.js';
import { writeEvalSet, type EvalManifest } from './eval-shards.js';
import { BUNDLED_CORPUS, readHaystack } from './haystack.js';
import type { TaskContext } from './task-context.js';
import { cweSample } from './tasks/cwe.js';
import { fweSample } from './tasks/fwe.js';
import { niahSample } from './tasks/niah.js';
import { passkeySample } from './tasks/passkey.js';
import { vtSample } from './tasks/vt.js';

/** Options of {@link generateEvalSet}. */
export interface GenEvalOptions {
  task: EvalTask;
  /** Context lengths in tokens (prompt + answer ≤ length). */
  lengths: number[];
  /** Tokenizer name as `skein build` takes it (default llama3). */
  tokenizer?: string;
  output: string;
  /** Depths in % for passkey/NIAH (default 0, 25, 50, 75, 100). */
  depths?: number[];
  /** Samples per (length, depth) cell (default 5; NIAH's first sample of a cell starts the haystack at its beginning). */
  samples?: number;
  seed?: number;
  /** Haystack file (default: the bundled corpus). */
  haystack?: string;
  /** Prepend the tokenizer's BOS to prompts: `auto` (default) = when it has one, as `skein build` does. */
  bos?: boolean | 'auto';
  skeinVersion?: string;
  /** Called after each sample. */
  onSample?: (done: number, total: number) => void;
}

/** The default depths. */
export const DEFAULT_DEPTHS = [0, 25, 50, 75, 100];

/**
 * Generates the samples and writes the eval set. Throws a {@link UserError} for an unknown task,
 * bad lengths/depths, or a length too short for the task's fixed text.
 */
export async function generateEvalSet(o: GenEvalOptions): Promise<EvalManifest> {
  if (!EVAL_TASKS.includes(o.task)) throw new UserError(`unknown eval task '${o.task}': use one of ${EVAL_TASKS.join(', ')}`);
  if (o.lengths.length === 0 || o.lengths.some((l) => !Number.isInteger(l) || l < 16)) throw new UserError(`--lengths must be integers ≥ 16, got ${o.lengths.join(',')}`);
  const hasDepth = DEPTH_TASKS.includes(o.task);
  const depths = hasDepth ? (o.depths ?? DEFAULT_DEPTHS) : [];
  if (depths.some((d) => !(d >= 0 && d <= 100))) throw new UserError(`--depths must be percentages in [0, 100], got ${depths.join(',')}`);
  const samples = o.samples ?? 5;
  if (!Number.isInteger(samples) || samples < 1) throw new UserError(`--samples must be a positive integer, got ${samples}`);
  const seed = o.seed ?? 42;
  const engine = await loadTokenizer({ name: o.tokenizer ?? 'llama3' });
  const bosId = engine.info.specialIds.bos;
  const wantBos = o.bos === undefined || o.bos === 'auto' ? bosId !== undefined : o.bos;
  if (wantBos && bosId === undefined) throw new UserError(`tokenizer ${engine.info.name} has no BOS token: drop --bos`);
  const usesHaystack = o.task === 'niah' || o.task === 'cwe';
  const haystackFile = usesHaystack ? path.resolve(o.haystack ?? BUNDLED_CORPUS) : null;
  const ctx: TaskContext = { engine, seed, bos: wantBos ? bosId : undefined, haystack: haystackFile ? await readHaystack(haystackFile) : [], cache: new Map() };

  const cells: Array<{ length: number; depth: number; index: number }> = [];
  for (const length of o.lengths) {
    for (const depth of hasDepth ? depths : [-1]) for (let index = 0; index < samples; index++) cells.push({ length, depth, index });
  }
  const out: EvalSample[] = [];
  for (const c of cells) {
    switch (o.task) {
      case 'passkey':
        out.push(await passkeySample(ctx, c.length, c.depth, c.index));
        break;
      case 'niah':
        out.push(await niahSample(ctx, c.length, c.depth, c.index));
        break;
      case 'vt':
        out.push(await vtSample(ctx, c.length, c.index));
        break;
      case 'cwe':
        out.push(await cweSample(ctx, c.length, c.index));
        break;
      case 'fwe':
        out.push(await fweSample(ctx, c.length, c.index));
        break;
    }
    o.onSample?.(out.length, cells.length);
  }
  const tokenizer: ManifestTokenizer = {
    name: engine.info.name,
    kind: engine.info.kind,
    source: engine.info.source,
    engine: engine.info.engine,
    vocab_size: engine.info.vocabSize,
    special_ids: engine.info.specialIds,
    sha256: engine.info.sha256,
    add_bos: wantBos,
    add_eos: false,
    special_text: 'plain',
  };
  return writeEvalSet(path.resolve(o.output), out, {
    info: {
      task: o.task,
      lengths: o.lengths,
      depths,
      samples_per_cell: samples,
      haystack: haystackFile,
      bos: wantBos,
      extra_columns: {
        task: 'task name',
        context_length: 'requested length in tokens: prompt + answer ≤ it',
        depth: 'needle depth in % of the context (0 = start, 100 = end); -1 for tasks without one',
        prompt_length: 'prompt tokens: the answer is input_ids[prompt_length:] (loss_mask marks it too)',
        answer: 'answer text',
        sample: 'ordinal of the sample in its (length, depth) cell',
      },
    },
    tokenizer,
    seed,
    skeinVersion: o.skeinVersion ?? 'unknown',
    config: { task: o.task, lengths: o.lengths, depths, samples, seed, tokenizer: o.tokenizer ?? 'llama3', haystack: haystackFile, bos: wantBos },
  });
}
