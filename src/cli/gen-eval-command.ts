import path from 'node:path';
import { TOKENIZER_HELP } from '../tokenize/resolve-tokenizer.js';
import { Command } from 'commander';
import { generateEvalSet, DEFAULT_DEPTHS } from '../eval/gen-eval.js';
import { EVAL_TASKS, type EvalTask } from '../eval/eval-sample.js';
import { SKEIN_VERSION } from '../run/run-build.js';
import { UserError } from '../util/errors.js';
import { nonNegativeInt, positiveInt } from './parse-number.js';
import { intList, numberList } from './parse-option.js';
import { taskProgress } from './task-progress.js';

/** Flags of `skein gen-eval`. */
interface GenEvalFlags {
  lengths: number[];
  tokenizer: string;
  output?: string;
  depths?: number[];
  samples: number;
  seed: number;
  haystack?: string;
  bos?: boolean;
  quiet?: boolean;
}

/** `skein gen-eval <task>`. */
export function genEvalCommand(): Command {
  return new Command('gen-eval')
    .description('Generate a long-context eval set (passkey, niah, RULER vt/cwe/fwe) as shards: prompt + answer tokens per row.')
    .argument('<task>', EVAL_TASKS.join(' | '))
    .requiredOption('--lengths <list>', 'context lengths in tokens, e.g. 1024,2048,4096', intList('--lengths', 16))
    .option('-t, --tokenizer <name>', `the tokenizer the model was trained with: ${TOKENIZER_HELP}`, 'llama3')
    .option('-o, --output <dir>', 'output folder (default ./eval-<task>)')
    .option('--depths <list>', `needle depths in % for passkey/niah (default ${DEFAULT_DEPTHS.join(',')})`, numberList('--depths', 0, 100))
    .option('--samples <n>', 'samples per length (× depth) cell', positiveInt('--samples'), 5)
    .option('--seed <n>', 'seed of every random choice', nonNegativeInt('--seed'), 42)
    .option('--haystack <file>', 'haystack for niah/cwe: .jsonl with a "text" field or .txt (default: the bundled corpus)')
    .option('--no-bos', "do not prepend the tokenizer's BOS token (default: prepend when it has one, like skein build)")
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (task: string, f: GenEvalFlags) => {
      if (!(EVAL_TASKS as readonly string[]).includes(task)) throw new UserError(`unknown eval task '${task}': use one of ${EVAL_TASKS.join(', ')}`);
      const output = f.output ?? `eval-${task}`;
      const bar = taskProgress(process.stderr, `generating ${task} samples`, 'samples', { quiet: f.quiet });
      const m = await generateEvalSet({
        task: task as EvalTask,
        lengths: f.lengths,
        tokenizer: f.tokenizer,
        output,
        depths: f.depths,
        samples: f.samples,
        seed: f.seed,
        haystack: f.haystack,
        bos: f.bos === false ? false : 'auto',
        skeinVersion: SKEIN_VERSION,
        onSample: (done, total) => bar.update(done, total),
      }).finally(() => bar.stop());
      if (!f.quiet) {
        const rel = path.relative(process.cwd(), path.resolve(output)) || '.';
        process.stdout.write(
          `skein gen-eval: ${m.totals.rows} ${task} samples (${m.totals.tokens} tokens) at lengths ${m.eval.lengths.join(', ')}${m.eval.depths.length ? ` × depths ${m.eval.depths.join(', ')}%` : ''} → ${rel}/\n  tokenizer ${m.tokenizer.name}; next: npx skein eval <run folder> ${rel}\n`,
        );
      }
    });
}
