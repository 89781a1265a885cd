import fs from 'node:fs';
import path from 'node:path';
import { rngFor } from '../../src/util/rng.js';
import { ROOT } from './corpus.js';
import { skeinAsync, type AsyncCliResult } from './spawn.js';

/** What identifies a finished training run: every logged step and the final checkpoint's file hashes. */
export interface RunSignature {
  /** [step, loss, lr, grad_norm] of every training log entry. */
  steps: Array<[number, number, number, number]>;
  /** sha256 of the last checkpoint's weights.bin and optimizer.bin (as model.json records them). */
  weights: string;
  optimizer: string;
}

/** The signature of a finished run folder. */
export function runSignature(runDir: string): RunSignature {
  const log = fs
    .readFileSync(path.join(runDir, 'log.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((e) => 'loss' in e);
  const latest = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoints', 'latest.json'), 'utf8')) as { dir: string };
  const files = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoints', latest.dir, 'model.json'), 'utf8')).userDefinedMetadata.skein.files;
  return { steps: log.map((e) => [e.step, e.loss, e.lr, e.grad_norm]), weights: files['weights.bin'].sha256, optimizer: files['optimizer.bin'].sha256 };
}

/** Runs `skein train` and, when `killAfterMs` is given, SIGKILLs it after that many milliseconds. */
function trainProcess(args: string[], killAfterMs: number | undefined, env: NodeJS.ProcessEnv): Promise<AsyncCliResult> {
  return skeinAsync(['train', ...args], env, ROOT, killAfterMs);
}

/** One interrupted run: how often it was killed, and at which delays. */
export interface KilledRun {
  kills: number;
  delaysMs: number[];
  /** Invocations that resumed from a checkpoint. */
  resumes: number;
}

/**
 * Trains `args` into `runDir` the way a user whose job keeps dying would: start, SIGKILL after a
 * seeded random delay in [`minDelayMs`, `maxDelayMs`] (rngFor(seed, 'test/train-kill', trial)), rerun with
 * `--resume` when a checkpoint exists (without it otherwise), at most `maxKills` kills, then let
 * it finish. Throws when an invocation fails other than by the kill.
 */
export async function killedRun(o: { args: string[]; runDir: string; seed: number; trial: number; minDelayMs: number; maxDelayMs: number; maxKills: number; env?: NodeJS.ProcessEnv }): Promise<KilledRun> {
  const rng = rngFor(o.seed, 'test/train-kill', o.trial);
  const out: KilledRun = { kills: 0, delaysMs: [], resumes: 0 };
  for (;;) {
    const resume = fs.existsSync(path.join(o.runDir, 'checkpoints', 'latest.json'));
    if (resume) out.resumes++;
    const delay = out.kills < o.maxKills ? rng.int(o.minDelayMs, o.maxDelayMs) : undefined;
    const r = await trainProcess([...o.args, '--output', o.runDir, ...(resume ? ['--resume'] : [])], delay, o.env ?? {});
    if (r.signal === 'SIGKILL') {
      out.kills++;
      out.delaysMs.push(delay!);
      continue;
    }
    if (r.code !== 0) throw new Error(`skein train ${resume ? '--resume ' : ''}exited with ${r.code} after ${out.kills} kills: ${r.stderr.trim().split('\n').at(-1)}`);
    return out;
  }
}

/**
 * Trains `args` into `runDir` without interruption; returns the wall time in ms and the part of
 * it spent before the first step (start-up: loading Node, tfjs, the backend, the shards), from
 * the log's elapsed time.
 */
export async function uninterruptedRun(args: string[], runDir: string, env: NodeJS.ProcessEnv = {}): Promise<{ wallMs: number; startupMs: number }> {
  const t0 = performance.now();
  const r = await trainProcess([...args, '--output', runDir], undefined, env);
  if (r.code !== 0) throw new Error(`skein train exited with ${r.code}: ${r.stderr.trim().split('\n').at(-1)}`);
  const wallMs = performance.now() - t0;
  const last = fs.readFileSync(path.join(runDir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => 'elapsed_s' in e).at(-1);
  return { wallMs, startupMs: Math.max(0, wallMs - (last?.elapsed_s ?? 0) * 1000) };
}
