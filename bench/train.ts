/**
 * Benchmark of the trainer: tokens/s of full training steps (forward, backward, clipping, AdamW)
 * for the `tiny` and `small` presets on each backend (default: the native `tensorflow` and `wasm`,
 * side by side in one run), and the achieved GFLOP/s (trainFlopsPerToken × tokens/s) against the
 * same backend's plain 2-D matmul GFLOP/s measured in the same run. Every rate is given per wall
 * second and per CPU second of the process (user + system): on a shared machine the CPU-second
 * figures are the stable ones, and they charge a multi-threaded backend for all its threads.
 * Batches are random token ids (the step's cost depends only on shapes); positions are reset per
 * 64-token document and attention is document-masked, as on packed shards.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../src/train/adamw.js';
import { selectBackend, type BackendName } from '../src/train/backend.js';
import { parameterCount, PRESETS, trainFlopsPerToken, type PresetName } from '../src/train/config.js';
import { disposeModel, initModel } from '../src/train/model.js';
import { trainStep } from '../src/train/train-step.js';
import type { HostBatch } from '../src/train/windows.js';
import { resolveSettings } from '../src/train/settings.js';
import { modelConfigOf } from '../src/train/trainer.js';

/** One measured configuration. */
export interface TrainBenchResult {
  backend: BackendName;
  preset: PresetName;
  parameters: number;
  tokensPerStep: number;
  steps: number;
  /** Median over timed steps (wall clock). */
  msPerStep: number;
  /** Median process CPU time per step (user + system; robust to other load on a shared machine). */
  cpuMsPerStep: number;
  tokensPerSec: number;
  /** Tokens per second of process CPU time (what the step costs when the machine is shared). */
  tokensPerCpuSec: number;
  achievedGflops: number;
  matmulGflops: number;
  /** achieved / plain matmul. */
  ratio: number;
  /** The same per CPU second: what the training step achieves and what the plain matmul reaches. */
  achievedGflopsPerCpuSec: number;
  matmulGflopsPerCpuSec: number;
  ratioPerCpuSec: number;
}

/** A backend's square 1024 × 1024 matmul, the reference figure of its raw speed. */
export interface SquareMatmul {
  backend: BackendName;
  gflops: number;
  gflopsPerCpuSec: number;
}

/** Median of numbers. */
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Best GFLOP/s of a plain 2-D NN matmul [M,K]×[K,N] on the current backend, per wall second and per CPU second (median of the CPU figures). */
async function matmulGflops(M: number, K: number, N: number, seconds: number): Promise<{ wall: number; cpu: number }> {
  const a = tf.randomNormal([M, K]);
  const b = tf.randomNormal([K, N]);
  let best = 0;
  const perCpu: number[] = [];
  const until = performance.now() + seconds * 1000;
  for (let i = 0; i < 3 || (performance.now() < until && i < 50); i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const c = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
    await c.data();
    const ms = performance.now() - t0;
    const cu = process.cpuUsage(c0);
    c.dispose();
    if (i > 0) {
      best = Math.max(best, (2 * M * K * N) / (ms * 1e6));
      perCpu.push((2 * M * K * N) / (((cu.user + cu.system) / 1000) * 1e6));
    }
  }
  a.dispose();
  b.dispose();
  return { wall: best, cpu: median(perCpu) };
}

/** A random batch with 64-token documents (reset positions, document segments). */
function randomBatch(B: number, T: number, vocab: number, seed: number): HostBatch {
  let s = seed >>> 0;
  const next = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
  const n = B * T;
  return {
    batch: B,
    seqLen: T,
    inputIds: Int32Array.from({ length: n }, () => Math.floor(next() * vocab)),
    positions: Int32Array.from({ length: n }, (_, i) => (i % T) % 64),
    segments: Int32Array.from({ length: n }, (_, i) => Math.floor((i % T) / 64)),
    labels: Int32Array.from({ length: n }, () => Math.floor(next() * vocab)),
    weights: new Float32Array(n).fill(1),
    tokens: n,
    targets: n,
  };
}

/** Measures one preset on the current backend for about `seconds` (1 warm-up step, then at least 2 timed steps, or 1 when the warm-up exceeded the budget). */
async function benchPreset(backend: BackendName, preset: PresetName, seconds: number): Promise<TrainBenchResult> {
  const s = resolveSettings({ preset });
  const config = modelConfigOf(s, PRESETS[preset].vocabSize);
  const model = initModel(config, 0);
  const opt = new AdamW(model.params, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 });
  const batch = randomBatch(s.batchSize, s.seqLen, config.vocabSize, 1);
  const wall: number[] = [];
  const cpu: number[] = [];
  try {
    const w0 = performance.now();
    await trainStep(model, opt, [batch], 1e-3, 1);
    // At least 2 timed steps, or 1 when the warm-up step alone took longer than the budget (cpu, small).
    const minSteps = performance.now() - w0 > seconds * 1000 ? 1 : 2;
    const until = performance.now() + seconds * 1000;
    while (wall.length < minSteps || (performance.now() < until && wall.length < 200)) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await trainStep(model, opt, [batch], 1e-3, 1);
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
  } finally {
    disposeModel(model);
    opt.dispose();
  }
  const ms = median(wall);
  const tokens = s.batchSize * s.seqLen;
  const tokensPerSec = tokens / (ms / 1000);
  const achieved = (trainFlopsPerToken(config, s.seqLen) * tokensPerSec) / 1e9;
  // The plain matmul at the shape of the model's MLP input projection: [B·T, d] × [d, 4d].
  const mm = await matmulGflops(tokens, config.dModel, config.ffMult * config.dModel, Math.min(3, seconds / 4));
  const tokensPerCpuSec = tokens / (median(cpu) / 1000);
  const achievedCpu = (trainFlopsPerToken(config, s.seqLen) * tokensPerCpuSec) / 1e9;
  return {
    backend,
    preset,
    parameters: parameterCount(config),
    tokensPerStep: tokens,
    steps: wall.length,
    msPerStep: +ms.toFixed(1),
    cpuMsPerStep: +median(cpu).toFixed(1),
    tokensPerSec: Math.round(tokensPerSec),
    tokensPerCpuSec: Math.round(tokensPerCpuSec),
    achievedGflops: +achieved.toFixed(2),
    matmulGflops: +mm.wall.toFixed(2),
    ratio: +(achieved / mm.wall).toFixed(3),
    achievedGflopsPerCpuSec: +achievedCpu.toFixed(2),
    matmulGflopsPerCpuSec: +mm.cpu.toFixed(2),
    ratioPerCpuSec: +(achievedCpu / mm.cpu).toFixed(3),
  };
}

/** The machine a benchmark ran on: cores, CPU model, Node, load average before and after. */
export interface BenchMachine {
  cores: number;
  cpu: string;
  node: string;
  loadBefore: number[];
  loadAfter: number[];
}

/**
 * Runs the benchmark on `backends` (default: tensorflow and wasm) for `presets`, spending
 * about `seconds` per configuration. Backends that do not load are returned as skipped.
 */
export async function benchTrain(opts: { backends?: BackendName[]; presets?: PresetName[]; seconds?: number } = {}): Promise<{ results: TrainBenchResult[]; square: SquareMatmul[]; skipped: Array<{ backend: BackendName; reason: string }>; machine: BenchMachine }> {
  const results: TrainBenchResult[] = [];
  const square: SquareMatmul[] = [];
  const skipped: Array<{ backend: BackendName; reason: string }> = [];
  const load = () => os.loadavg().map((x) => +x.toFixed(2));
  const loadBefore = load();
  for (const backend of opts.backends ?? (['tensorflow', 'wasm'] as BackendName[])) {
    try {
      await selectBackend(backend);
    } catch (e) {
      skipped.push({ backend, reason: (e as Error).message.replace(/^backend \S+ is not available \((.*?)\):.*$/, '$1') });
      continue;
    }
    const sq = await matmulGflops(1024, 1024, 1024, 3);
    square.push({ backend, gflops: +sq.wall.toFixed(2), gflopsPerCpuSec: +sq.cpu.toFixed(2) });
    for (const preset of opts.presets ?? (['tiny', 'small'] as PresetName[])) results.push(await benchPreset(backend, preset, opts.seconds ?? 20));
  }
  return { results, square, skipped, machine: { cores: os.availableParallelism(), cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadBefore, loadAfter: load() } };
}

/** The benchmark's report: one line per configuration, then native ÷ wasm per CPU second. */
export function describeTrainBench(r: Awaited<ReturnType<typeof benchTrain>>): string {
  const m = r.machine;
  const lines = [`${m.cores} cores, ${m.cpu}, Node ${m.node}; load average ${m.loadBefore.join(' ')} before, ${m.loadAfter.join(' ')} after`];
  for (const s of r.skipped) lines.push(`${s.backend.padEnd(11)} skipped: ${s.reason}`);
  for (const q of r.square) lines.push(`${q.backend.padEnd(11)} 1024² matmul: ${q.gflopsPerCpuSec} GFLOP/s per CPU-s (best ${q.gflops} per wall-s)`);
  for (const x of r.results) {
    lines.push(
      `${x.backend.padEnd(11)} ${x.preset.padEnd(5)} ${x.parameters.toLocaleString('en-US').padStart(9)} params | ${x.tokensPerStep} tok/step, ${x.steps} steps | ${x.msPerStep} ms/step (CPU ${x.cpuMsPerStep} ms) | ${x.tokensPerSec} tok/s, ${x.tokensPerCpuSec} per CPU-s | per CPU-s: ${x.achievedGflopsPerCpuSec} GFLOP/s achieved vs ${x.matmulGflopsPerCpuSec} plain matmul = ${(x.ratioPerCpuSec * 100).toFixed(1)}% (wall: ${x.achievedGflops} vs ${x.matmulGflops})`,
    );
  }
  for (const preset of new Set(r.results.map((x) => x.preset))) {
    const tf = r.results.find((x) => x.preset === preset && x.backend === 'tensorflow');
    const wasm = r.results.find((x) => x.preset === preset && x.backend === 'wasm');
    if (tf && wasm) lines.push(`${preset}: tensorflow ÷ wasm = ${(tf.tokensPerCpuSec / wasm.tokensPerCpuSec).toFixed(2)}× tokens per CPU-s, ${(tf.tokensPerSec / wasm.tokensPerSec).toFixed(2)}× tokens per wall-s`);
  }
  return lines.join('\n');
}
