import { Command } from 'commander';
import { extrapolationBound, longContextBound } from '../train/rope-base.js';
import { positiveInt } from './parse-number.js';
import { numberOption } from './parse-option.js';

/** Flags of `skein rope-base`. */
interface RopeBaseFlags {
  headDim: number;
  trainLen: number;
  target: number;
  base: number;
  json?: boolean;
}

/** Formats a base like 1.49e5. */
const sci = (x: number) => (Number.isFinite(x) ? x.toExponential(2).replace('e+', 'e') : 'none ≤ 1e12');

/** `skein rope-base`. */
export function ropeBaseCommand(): Command {
  return new Command('rope-base')
    .description('Lower bounds on the RoPE base for a target context (Liu et al. 2023 extrapolation bound; Men et al. 2024 long-context bound).')
    .requiredOption('--head-dim <n>', 'attention head size d', positiveInt('--head-dim'))
    .requiredOption('--train-len <n>', 'pre-training context T_train', positiveInt('--train-len'))
    .requiredOption('--target <n>', 'target context T', positiveInt('--target'))
    .option('--base <x>', 'pre-training RoPE base b₀', numberOption('--base', 1), 10000)
    .option('--json', 'print the numbers as JSON')
    .action((f: RopeBaseFlags) => {
      const e = extrapolationBound(f.headDim, f.trainLen, f.base, f.target);
      const l = longContextBound(f.headDim, f.target);
      if (f.json) {
        process.stdout.write(`${JSON.stringify({ head_dim: f.headDim, train_len: f.trainLen, base: f.base, target: f.target, extrapolation: e, long_context: l }, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        [
          `RoPE base for head dim ${f.headDim}, trained at ${f.trainLen} with base ${f.base}, target ${f.target}:`,
          `  extrapolation bound (Liu et al. 2023): critical dim d_extra = ${e.criticalDim}; base ${f.base} supports ${Math.round(e.baseSupports)} tokens; target needs base ≥ ${sci(e.minBase)}`,
          `  long-context bound (Men et al. 2024): B(m; b) ≥ 0 for all m ≤ ${f.target} first at base ${sci(l.firstPassing)}; for every base from ${sci(l.stable)} up to ${sci(l.firstPassing * 10)} (the criterion is not monotone in b)`,
          `  pick a base ≥ ${sci(Math.max(e.minBase, l.firstPassing))} (both bounds)${l.stable > Math.max(e.minBase, l.firstPassing) ? `, ${sci(Math.max(e.minBase, l.stable))} to stay clear of the non-monotone region` : ''}`,
        ].join('\n') + '\n',
      );
    });
}
