import { ENGINE_CHOICES, type EngineChoice } from '../tokenize/load-tokenizer.js';
import { TOKENIZER_HELP } from '../tokenize/resolve-tokenizer.js';
import path from 'node:path';
import { Command, Option } from 'commander';
import { BUILDERS } from '../setup/builder-registry.js';
import type { BuilderConfig } from '../config/config-schema.js';
import { readConfigJson, validateConfig, type LoadedConfig } from '../config/load-config.js';
import { humanCount, progressRates } from '../run/progress.js';
import { runBuild, type BuildResult } from '../run/run-build.js';
import { UserError } from '../util/errors.js';
import { DEFAULT_PIPELINE, resolvePipelineFile } from './default-pipeline.js';
import { parseSubsetSuffix } from '../mix/subset.js';
import { isRemotePath } from '../sources/remote/remote-url.js';
import { mixSummary } from './mix-summary.js';
import { megatronLines } from './megatron-summary.js';
import { recipeSummary } from './recipe-summary.js';
import { byteSize, positiveInt, nonNegativeInt, tokenCount } from './parse-number.js';
import { applySet } from './set-override.js';
import { interruptSignal } from './interrupt-signal.js';
import { progressReporter } from './progress-reporter.js';

/** Builders whose config has a `target_len` (kept when `--builder` switches between them). */
const TARGET_BUILDERS = new Set<string>(['pose', 'randpos', 'longrecipe']);

/** Flags of `skein build`. */
export interface BuildFlags {
  input?: string[];
  name?: string;
  textField?: string;
  idField?: string;
  sourceField?: string;
  output?: string;
  tokenizer?: string;
  builder?: BuilderConfig['type'];
  seqLen?: number;
  targetLen?: number;
  seed?: number;
  onError?: 'fail' | 'skip';
  shardTokens?: number;
  format?: 'arrow' | 'megatron';
  totalTokens?: number;
  workers?: number;
  engine?: EngineChoice;
  maxLineBytes?: number;
  set?: string[];
  rank?: number;
  worldSize?: number;
  s3Endpoint?: string;
  overwrite?: boolean;
  allowEmpty?: boolean;
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
  const { file, bundled } = configFile === undefined ? { file: DEFAULT_PIPELINE, bundled: false } : resolvePipelineFile(configFile);
  if (bundled && !flags.quiet) process.stderr.write(`skein: no ${configFile} here; using skein's bundled ${path.relative(process.cwd(), file)}\n`);
  const raw = readConfigJson(file);
  if (flags.input) {
    if (flags.input.some((p) => p.trim() === '')) throw new UserError('--input got an empty path; name a file, folder or glob');
    const fields: Record<string, string> = {};
    if (flags.textField) fields.text = flags.textField;
    if (flags.idField) fields.id = flags.idField;
    if (flags.sourceField) fields.source = flags.sourceField;
    // The config's field mapping (e.g. a preset's meta.redpajama_set_name) carries over unless overridden.
    const first = Array.isArray(raw.inputs) ? (raw.inputs[0] as { fields?: Record<string, string> } | undefined) : undefined;
    const merged = { ...(first?.fields ?? {}), ...fields };
    const extra = { ...(flags.name ? { name: flags.name } : {}), ...(Object.keys(merged).length ? { fields: merged } : {}) };
    // A path with a [N] subset is an input of its own (the subset applies to one input).
    // URLs stay as they are; local paths resolve against the working directory.
    const where = (p: string): string => (isRemotePath(p) ? p : path.resolve(p));
    raw.inputs = flags.input.some((p) => parseSubsetSuffix(p).subset !== undefined)
      ? flags.input.map((p) => ({ path: where(p), ...extra }))
      : [{ path: flags.input.map(where), ...extra }];
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
  if (flags.format) section('output').format = flags.format;
  if (flags.tokenizer) {
    // A tokenizer path on the command line is relative to the working directory.
    const t = flags.tokenizer;
    const isPath = t.startsWith('.') || t.startsWith('/') || t.endsWith('.json');
    section('tokenizer').name = isPath ? path.resolve(t) : t;
  }
  if (flags.builder) {
    const b = section('builder');
    const seq = b.seq_len;
    const target = b.target_len;
    raw.builder = { type: flags.builder, ...(seq !== undefined ? { seq_len: seq } : {}), ...(target !== undefined && TARGET_BUILDERS.has(flags.builder) ? { target_len: target } : {}) };
  }
  if (flags.seqLen) section('builder').seq_len = flags.seqLen;
  if (flags.targetLen) section('builder').target_len = flags.targetLen;
  if (flags.seed !== undefined) raw.seed = flags.seed;
  if (flags.totalTokens) section('mix').total_tokens = flags.totalTokens;
  if (flags.workers !== undefined) section('tokenizer').workers = flags.workers;
  if (flags.engine !== undefined) section('tokenizer').engine = flags.engine;
  if (flags.maxLineBytes !== undefined) section('limits').max_line_bytes = flags.maxLineBytes;
  for (const expr of flags.set ?? []) applySet(raw, expr);
  if (flags.onError) raw.on_error = flags.onError;
  if (flags.allowEmpty) section('output').allow_empty = true;
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
  const rank = r.scale.worldSize > 1 ? ` (rank ${r.scale.rank} of ${r.scale.worldSize})` : '';
  const status =
    r.status === 'complete'
      ? ['  already complete: nothing was built (pass --overwrite to build again)']
      : r.status === 'resumed' && r.resumedFrom
        ? [`  resumed: kept ${r.resumedFrom.shards} finished shard${r.resumedFrom.shards === 1 ? '' : 's'} (${r.resumedFrom.rows} rows, checksums verified) and rebuilt the rest`]
        : [];
  return [
    `skein build${rank}: ${m.totals.rows} rows (${humanCount(m.totals.tokens)} tokens) in ${m.totals.shards} shard${m.totals.shards === 1 ? '' : 's'} → ${rel}/`,
    ...status,
    ...r.notes.filter((n) => r.status !== 'complete' || !n.startsWith('the output folder already')).map((n) => `  note: ${n}`),
    `  builder ${m.builder.name}, seq_len ${m.builder.seq_len}, attention ${m.attention}, positions ${m.positions}; tokenizer ${m.tokenizer.name} (${m.tokenizer.engine})`,
    `  documents: read ${m.documents.read} = written ${m.documents.written} + dropped ${m.documents.read - m.documents.written}${dropped ? ` (${dropped})` : ''}`,
    ...(r.status === 'complete' ? [] : [`  ${((r.progress.bytesRead - (r.progress.startBytes ?? 0)) / 1e6).toFixed(1)} MB read in ${r.progress.seconds.toFixed(2)} s (+ ${r.progress.setupSeconds.toFixed(2)} s setup): ${rates.mbPerSec.toFixed(1)} MB/s, ${humanCount(rates.tokensPerSec)} tokens/s${r.status === 'resumed' ? ' (this run, after the checkpoint)' : ''}`]),
    ...mixSummary(m),
    ...(m.megatron ? megatronLines(m.megatron) : []),
    ...recipeSummary(m),
    ...(m.rejects.count ? [`  ${m.rejects.count} bad records skipped: see ${rel}/rejects.jsonl`] : []),
    ...(m.totals.rows === 0 ? ['  warning: no rows were written (--allow-empty): the inputs hold no documents or all were dropped (see the counts above)'] : []),
    `  next: npx skein inspect ${rel}`,
  ].join('\n');
}

/** `skein build [config]`. */
export function buildCommand(): Command {
  return new Command('build')
    .description('Build Arrow shards from a pipeline config (default: the bundled corpus with pipelines/default.json).')
    .argument('[config]', 'pipeline JSON file (see pipelines/); default pipelines/default.json')
    .option('-i, --input <paths...>', 'input files, folders, globs or URLs: https://..., hf://datasets/<owner>/<name>/<glob>, s3://<bucket>/<glob> (replace the config inputs)')
    .option('--name <name>', 'source name for --input documents without a source field')
    .option('--text-field <path>', 'dotted path of the text field in --input records (default text; \\. for a dot inside a key)')
    .option('--id-field <path>', 'dotted path of the id field in --input records (default id)')
    .option('--source-field <path>', 'dotted path of the source-name field, e.g. meta.redpajama_set_name')
    .option('-o, --output <dir>', 'output folder (default ./shards)')
    .option('-t, --tokenizer <name>', TOKENIZER_HELP)
    .addOption(new Option('--builder <type>', 'sample builder').choices(Object.keys(BUILDERS)))
    .option('--seq-len <n>', 'tokens per row', positiveInt('--seq-len'))
    .option('--target-len <n>', 'target window of pose, randpos and longrecipe (positions stay below it)', positiveInt('--target-len'))
    .option('--seed <n>', 'seed of every random choice', nonNegativeInt('--seed'))
    .addOption(new Option('--on-error <policy>', 'bad records: fail (stop, naming file and line) or skip (count, log to rejects.jsonl)').choices(['fail', 'skip']))
    .option('--shard-tokens <n>', 'target tokens per shard', positiveInt('--shard-tokens'))
    .addOption(new Option('--format <format>', 'shard format (output.format): arrow, or megatron (.bin/.idx pairs for Megatron-LM --data-path)').choices(['arrow', 'megatron']))
    .option('--total-tokens <n>', 'token budget of the mix (mix.total_tokens): 1e9, 1B, 500M', tokenCount('--total-tokens'))
    .option('--workers <n>', 'tokenizer worker threads (tokenizer.workers; default: available cores; 0: main thread)', nonNegativeInt('--workers'))
    .addOption(new Option('--engine <name>', 'tokenizer engine (tokenizer.engine; default auto: the fastest identical one)').choices(ENGINE_CHOICES))
    .option('--max-line-bytes <size>', 'longest JSON line or array element (limits.max_line_bytes; default 64MiB): longer ones are line_too_long rejects', byteSize('--max-line-bytes'))
    .option('--set <key=value...>', 'override any config key: --set mix.short_threshold=1024 --set order.shuffle_buffer=1000')
    .option('--rank <n>', 'this process\'s rank of a scaled-out build (default: from Slurm / Kubernetes / SKEIN_RANK)', nonNegativeInt('--rank'))
    .option('--world-size <n>', 'number of ranks (default: from Slurm / SKEIN_WORLD_SIZE; 1)', positiveInt('--world-size'))
    .option('--s3-endpoint <url>', 'S3-compatible store for s3:// inputs (MinIO, Ceph, R2; path-style addressing; default AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, else AWS)')
    .option('--overwrite', 'replace a build of another configuration found in the output folder')
    .option('--allow-empty', 'write an empty dataset when no row is built (output.allow_empty), instead of failing')
    .option('--no-progress', 'no progress bar or progress lines')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print the manifest as JSON instead of the summary')
    .action(async (configFile: string | undefined, flags: BuildFlags) => {
      const loaded = configFromFlags(configFile, flags);
      const reporter = progressReporter(process.stderr, { quiet: flags.quiet || !flags.progress });
      const interrupt = interruptSignal('run the same command again to resume from the last checkpoint');
      let result: BuildResult;
      try {
        result = await runBuild(loaded, {
          rank: flags.rank,
          worldSize: flags.worldSize,
          overwrite: flags.overwrite,
          s3Endpoint: flags.s3Endpoint,
          signal: interrupt.signal,
          onProgress: (p) => reporter.update(p),
          onPhase: (text) => reporter.phase(text),
          log: (line) => {
            if (!flags.quiet) process.stderr.write(`skein: ${line}\n`);
          },
        });
      } finally {
        interrupt.dispose();
        reporter.stop();
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(result.manifest, null, 2)}\n`);
      else if (!flags.quiet) process.stdout.write(`${buildSummary(result)}\n`);
    });
}
