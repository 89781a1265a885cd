import path from 'node:path';
import { UserError } from '../util/errors.js';

/** Which part of a scaled-out build this process does. */
export interface ScaleOut {
  /** 0-based rank of this process. */
  rank: number;
  /** Number of ranks. */
  worldSize: number;
  /** Where the values came from (for the summary): `flags`, `SKEIN_RANK`, `slurm`, `kubernetes` or `default`. */
  from: 'flags' | 'env' | 'slurm' | 'kubernetes' | 'default';
}

/** Parses a non-negative integer environment value, naming the variable on failure. */
function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v.trim())) throw new UserError(`environment variable ${name}=${JSON.stringify(v)} is not a whole number; fix it or pass --rank and --world-size`);
  return Number(v.trim());
}

/** Checks a rank/world pair. */
function checked(rank: number, worldSize: number, from: ScaleOut['from'], what: string): ScaleOut {
  if (!Number.isInteger(worldSize) || worldSize < 1) throw new UserError(`${what}: world size must be at least 1, got ${worldSize}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) throw new UserError(`${what}: rank ${rank} is outside 0..${worldSize - 1}; ranks count from 0 and must be below the world size`);
  return { rank, worldSize, from };
}

/**
 * Decides this process's rank and the world size, in this order of precedence:
 *
 * 1. `--rank` / `--world-size` (both, or `--world-size 1` alone);
 * 2. `SKEIN_RANK` / `SKEIN_WORLD_SIZE`;
 * 3. a Slurm job array: rank = (`SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN`) / `SLURM_ARRAY_TASK_STEP`,
 *    world size = `SLURM_ARRAY_TASK_COUNT` (an array `--array=1-8` has ids 1..8 and ranks 0..7;
 *    irregular lists such as `--array=1,4,9` cannot be mapped and are refused);
 * 4. a Kubernetes Indexed Job: rank = `JOB_COMPLETION_INDEX`, world size from `--world-size` or
 *    `SKEIN_WORLD_SIZE` (Kubernetes does not expose the completion count; pass
 *    `.spec.completions` there);
 * 5. otherwise rank 0 of 1.
 */
export function resolveScaleOut(flags: { rank?: number; worldSize?: number }, env: NodeJS.ProcessEnv = process.env): ScaleOut {
  if (flags.rank !== undefined || flags.worldSize !== undefined) {
    if (flags.worldSize === undefined) throw new UserError('--rank needs --world-size (the number of ranks)');
    if (flags.rank === undefined) {
      if (flags.worldSize === 1) return checked(0, 1, 'flags', '--world-size');
      const k8s = envInt(env, 'JOB_COMPLETION_INDEX');
      if (k8s !== undefined) return checked(k8s, flags.worldSize, 'kubernetes', 'JOB_COMPLETION_INDEX');
      const slurm = slurmRank(env);
      if (slurm) {
        if (slurm.worldSize !== flags.worldSize) throw new UserError(`--world-size ${flags.worldSize} disagrees with SLURM_ARRAY_TASK_COUNT=${slurm.worldSize}; drop --world-size or fix the array`);
        return slurm;
      }
      throw new UserError('--world-size needs --rank (or run inside a Slurm array or a Kubernetes Indexed Job, which give the rank)');
    }
    return checked(flags.rank, flags.worldSize, 'flags', '--rank/--world-size');
  }
  const rank = envInt(env, 'SKEIN_RANK');
  const world = envInt(env, 'SKEIN_WORLD_SIZE');
  if (rank !== undefined) {
    if (world === undefined) throw new UserError('SKEIN_RANK is set but SKEIN_WORLD_SIZE is not; set both');
    return checked(rank, world, 'env', 'SKEIN_RANK/SKEIN_WORLD_SIZE');
  }
  const slurm = slurmRank(env);
  if (slurm) return slurm;
  const k8s = envInt(env, 'JOB_COMPLETION_INDEX');
  if (k8s !== undefined) {
    if (world === undefined) {
      throw new UserError('JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but the number of completions is unknown; pass --world-size or set SKEIN_WORLD_SIZE to .spec.completions');
    }
    return checked(k8s, world, 'kubernetes', 'JOB_COMPLETION_INDEX');
  }
  return { rank: 0, worldSize: world ?? 1, from: 'default' };
}

/** The rank of a Slurm array task, or undefined outside an array. */
function slurmRank(env: NodeJS.ProcessEnv): ScaleOut | undefined {
  const id = envInt(env, 'SLURM_ARRAY_TASK_ID');
  if (id === undefined) return undefined;
  const count = envInt(env, 'SLURM_ARRAY_TASK_COUNT');
  const min = envInt(env, 'SLURM_ARRAY_TASK_MIN') ?? 0;
  const max = envInt(env, 'SLURM_ARRAY_TASK_MAX');
  const step = envInt(env, 'SLURM_ARRAY_TASK_STEP') ?? 1;
  if (count === undefined) throw new UserError('SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; pass --rank and --world-size');
  if (step < 1 || (id - min) % step !== 0 || (max !== undefined && (max - min) / step + 1 !== count)) {
    throw new UserError(
      `cannot map Slurm array task ${id} to a rank (min ${min}, max ${max ?? '?'}, step ${step}, count ${count}): use a range array such as --array=0-${count - 1}, or pass --rank and --world-size`,
    );
  }
  return checked((id - min) / step, count, 'slurm', 'SLURM_ARRAY_TASK_ID');
}

/** The output folder of rank `rank` of `worldSize` inside `dir` (`dir` itself for a world of one). */
export function rankDir(dir: string, s: { rank: number; worldSize: number }): string {
  if (s.worldSize === 1) return dir;
  return path.join(dir, rankDirName(s.rank, s.worldSize));
}

/** `rank-00002-of-00008`: the folder name of a rank's output. */
export function rankDirName(rank: number, worldSize: number): string {
  return `rank-${String(rank).padStart(5, '0')}-of-${String(worldSize).padStart(5, '0')}`;
}
