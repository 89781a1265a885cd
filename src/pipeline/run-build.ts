import { createWriteStream, type WriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Sample } from '../build/sample.js';
import { builderStage } from '../build/builder.js';
import { columnNames, LengthHistogram, shardsFingerprint, shardTotals, writeHfLayout, writeManifest, writeShards, type ColumnSet, type Manifest } from '../shards/index.js';
import { expandInputs, readDocs, type Doc, type FileReport, type InputFile } from '../sources/index.js';
import { resolveBosEos } from '../tokenize/bos-eos-policy.js';
import { loadTokenizer } from '../tokenize/load-tokenizer.js';
import type { TokDoc } from '../tokenize/tok-doc.js';
import { TokenizeStage } from '../tokenize/tokenize-stage.js';
import { RejectSink, type Reject } from '../util/reject-sink.js';
import { builderFactory } from './builder-registry.js';
import type { PipelineConfig } from './config-schema.js';
import type { LoadedConfig } from './load-config.js';
import { prepareOutputDir } from './output-dir.js';
import type { BuildProgress } from './progress.js';
import { tap } from './taps.js';

const require = createRequire(import.meta.url);
/** This package's version, recorded in every manifest. */
export const SKEIN_VERSION: string = (require('../../package.json') as { version: string }).version;

/** Options of {@link runBuild}. */
export interface BuildOptions {
  /** Called every `progressIntervalMs` and once at the end. */
  onProgress?: (p: BuildProgress) => void;
  progressIntervalMs?: number;
  /** Receives warnings (each skipped record, up to `maxLoggedRejects`, then a count). */
  log?: (line: string) => void;
  maxLoggedRejects?: number;
}

/** What a finished build returns. */
export interface BuildResult {
  /** The output folder (absolute). */
  dir: string;
  manifest: Manifest;
  /** The final progress snapshot (rates of the whole build). */
  progress: BuildProgress;
}

/** The output folder of a config: `output.dir` relative to the config's folder, else `./shards`. */
export function outputDirOf(loaded: LoadedConfig): string {
  const d = loaded.config.output.dir;
  return d ? path.resolve(loaded.baseDir, d) : path.resolve(process.cwd(), 'shards');
}

/** Serialises a reject as one line of rejects.jsonl. */
function rejectLine(r: Reject): string {
  return `${JSON.stringify({ reason: r.reason, ...r.location, detail: r.detail, documents: r.documents })}\n`;
}

/**
 * Runs a whole build: inputs → tokenize → builder → Arrow shards, then writes manifest.json,
 * state.json and dataset_info.json (design.md §4). Every stage is a Node stream joined with
 * `stream.pipeline`, so memory is bounded by the stages' buffers, not by the corpus.
 *
 * Document accounting reconciles: read = written + Σ dropped, where drops come from bad input
 * (under `on_error: skip`), empty documents, and the builder (`remainder`, `too_long`).
 */
export async function runBuild(loaded: LoadedConfig, opts: BuildOptions = {}): Promise<BuildResult> {
  const { config, baseDir } = loaded;
  const setupStarted = performance.now();
  const dir = outputDirOf(loaded);

  // Resolve everything that can fail on user input before touching the output folder.
  const groups: Array<{ input: PipelineConfig['inputs'][number]; files: InputFile[] }> = [];
  let bytesTotal = 0;
  for (const input of config.inputs) {
    const patterns = (Array.isArray(input.path) ? input.path : [input.path]).map((p) => path.resolve(baseDir, p));
    const files = await expandInputs(patterns);
    for (const f of files) bytesTotal += f.size;
    groups.push({ input, files });
  }
  const engine = await loadTokenizer({ name: config.tokenizer.name, bosToken: config.tokenizer.bos_token, eosToken: config.tokenizer.eos_token, baseDir });
  const policy = resolveBosEos(engine.info, config.tokenizer.add_bos, config.tokenizer.add_eos);
  const factory = builderFactory(config.builder);
  const semantics = factory.semantics(config.builder);
  const builder = factory.create(config.builder, true);
  await prepareOutputDir(dir);

  const rejects = new RejectSink(config.on_error);
  let rejectsOut: WriteStream | undefined;
  let rejectCount = 0;
  const maxLogged = opts.maxLoggedRejects ?? 20;
  rejects.onReject((r) => {
    rejectsOut ??= createWriteStream(path.join(dir, 'rejects.jsonl'));
    rejectsOut.write(rejectLine(r));
    rejectCount++;
    if (rejectCount <= maxLogged) opts.log?.(`skipped ${RejectSink.describe(r)}`);
    else if (rejectCount === maxLogged + 1) opts.log?.(`more records skipped; see rejects.jsonl`);
  });

  const started = performance.now();
  const progress: BuildProgress = { documents: 0, tokens: 0, bytesRead: 0, bytesTotal, rows: 0, shards: 0, seconds: 0, setupSeconds: (started - setupStarted) / 1000 };
  const reports: FileReport[] = [];
  const sourceDocs: Record<string, number> = {};
  const docHist = new LengthHistogram();
  const sampleHist = new LengthHistogram();

  async function* allDocs(): AsyncGenerator<Doc> {
    for (const { input, files } of groups) {
      const fields = { text: input.fields.text, id: input.fields.id, source: input.fields.source };
      yield* readDocs(files, { fields, name: input.name, rejects, reports, displayRoot: loaded.displayRoot ?? baseDir, onBytes: (n) => (progress.bytesRead += n) });
    }
  }

  const tokenize = new TokenizeStage(engine, { policy, batchDocs: config.tokenizer.batch_docs });
  const columns: ColumnSet = { positionIds: semantics.explicitPositions, lossMask: semantics.lossMask, docSources: true };
  const writer = writeShards(dir, {
    columns,
    shardTokens: config.output.shard_tokens,
    batchRows: config.output.batch_rows,
  });
  const tick = () => {
    progress.seconds = (performance.now() - started) / 1000;
    progress.shards = writer.shards.length;
    opts.onProgress?.({ ...progress });
  };
  const timer = opts.onProgress ? setInterval(tick, opts.progressIntervalMs ?? 500) : undefined;
  try {
    await pipeline(
      Readable.from(allDocs(), { objectMode: true, highWaterMark: 64 }),
      tap<Doc>(() => progress.documents++),
      tokenize,
      tap<TokDoc>((d) => {
        progress.tokens += d.tokens.length;
        docHist.add(d.tokens.length);
        sourceDocs[d.source] = (sourceDocs[d.source] ?? 0) + 1;
      }),
      builderStage(builder),
      tap<Sample>((s) => {
        progress.rows++;
        sampleHist.add(s.inputIds.length);
      }),
      writer,
    );
  } finally {
    if (timer) clearInterval(timer);
    if (rejectsOut) await new Promise<void>((res) => rejectsOut!.end(res));
  }

  const shards = [...writer.shards];
  const badInput = Object.values(rejects.counts).reduce((a, b) => a + b, 0);
  const dropped: Record<string, number> = { ...rejects.counts };
  if (tokenize.stats.empty) dropped.empty = (dropped.empty ?? 0) + tokenize.stats.empty;
  for (const [k, v] of Object.entries(builder.stats.dropped)) dropped[k] = (dropped[k] ?? 0) + v;
  const read = progress.documents + badInput;
  const written = builder.stats.written;
  const droppedTotal = Object.values(dropped).reduce((a, b) => a + b, 0);
  if (read !== written + droppedTotal) throw new Error(`document accounting does not reconcile: read ${read} != written ${written} + dropped ${droppedTotal}`);

  const sources: Manifest['sources'] = {};
  for (const [name, documents] of Object.entries(sourceDocs)) sources[name] = { documents, tokens: builder.stats.sourceTokens[name] ?? 0 };
  const totals = shardTotals(shards);
  const seqLen = config.builder.seq_len;
  const { type: builderName, ...builderOptions } = config.builder;
  const manifest: Manifest = {
    format: 'skein-shards',
    format_version: 1,
    skein_version: SKEIN_VERSION,
    config,
    seed: config.seed,
    tokenizer: {
      name: engine.info.name,
      kind: engine.info.kind,
      source: engine.info.source,
      engine: engine.info.engine,
      vocab_size: engine.info.vocabSize,
      special_ids: engine.info.specialIds,
      sha256: engine.info.sha256,
      add_bos: policy.bos !== undefined,
      add_eos: policy.eos !== undefined,
      special_text: 'plain',
    },
    builder: { name: builderName, ...builderOptions },
    attention: semantics.attention,
    positions: semantics.explicitPositions ? 'explicit' : semantics.positions,
    columns: columnNames(columns),
    shards,
    totals,
    documents: { read, written, dropped },
    inputs: reports.map((r) => ({ path: r.path, member: r.member, format: r.format, bytes: r.bytes, documents: r.documents, status: r.status })),
    sources,
    histograms: { document_tokens: docHist.toJSON(), sample_tokens: sampleHist.toJSON() },
    packing: {
      rows: totals.rows,
      tokens: totals.tokens,
      capacity_tokens: totals.rows * seqLen,
      fill: totals.rows ? totals.tokens / (totals.rows * seqLen) : 0,
      split_documents: builder.stats.splitDocuments,
      tokens_dropped: builder.stats.tokensDropped,
    },
    rejects: { file: rejectCount > 0 ? 'rejects.jsonl' : null, count: rejectCount },
    resume: { complete: true },
  };
  await writeHfLayout(dir, shards, columns, shardsFingerprint(shards));
  await writeManifest(dir, manifest);
  tick();
  progress.seconds = (performance.now() - started) / 1000;
  progress.shards = shards.length;
  return { dir, manifest, progress: { ...progress } };
}
