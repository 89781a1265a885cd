import fs from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { columnNames, shardFiles, shardsFingerprint, shardTotals, writeHfLayout, writeManifest, type Manifest, type ShardInfo } from '../shards/index.js';
import { blockProcessor } from '../tokenize/block-processor.js';
import { resolveBosEos } from '../tokenize/bos-eos-policy.js';
import { loadTokenizer, type LoadTokenizerOptions } from '../tokenize/load-tokenizer.js';
import { tokenizerAlias } from '../tokenize/resolve-tokenizer.js';
import { ShardWriteThread } from '../shards/shard-write-thread.js';
import { buildWorkers, checkWorkerCount, engineWithWorkers, type WorkerSetup } from '../tokenize/tokenize-workers.js';
import { Interrupted, UserError } from '../util/errors.js';
import { builderStatsEntry } from '../samples/builder.js';
import { documentAccounts } from './accounting.js';
import { createAugmenters } from '../setup/augmenter-registry.js';
import { publishBuildEvent } from './build-channel.js';
import { builderFactory } from '../setup/builder-registry.js';
import { runLoop, type LoopResult } from './build-loop.js';
import { chatRendererFor } from '../setup/chat-setup.js';
import { CurriculumSort, RUNS_DIR } from './curriculum-sort.js';
import { readCheckpoint, removeCheckpoint } from '../output-state/checkpoint.js';
import type { FileLedger } from '../output-state/file-ledger.js';
import { buildFingerprint, comparableConfig, type BuildFingerprint } from '../output-state/fingerprint.js';
import { KillHook } from '../output-state/kill-hook.js';
import type { PipelineConfig } from '../config/config-schema.js';
import { megatronManifest, megatronPlan } from '../setup/megatron-setup.js';
import type { LoadedConfig } from '../config/load-config.js';
import { mixerFor, rowOrderFor, subsetsSection } from '../setup/mix-setup.js';
import { BUILD_FILES, openOutput, removeStrays, verifyFinishedShards, type OutputPlan } from '../output-state/output-state.js';
import { removeRecorded } from '../output-state/owned-files.js';
import type { BuildProgress } from './progress.js';
import { SKEIN_VERSION } from '../util/version.js';
import { makeReadPlan } from '../input-plan/read-plan.js';
import { RemoteAccess } from '../sources/remote/remote-access.js';
import { remoteSettings } from '../sources/remote/remote-settings.js';
import { rankDir, resolveScaleOut, type ScaleOut } from '../input-plan/scale-out.js';
import { scanSubsets, type SubsetChoice } from '../input-plan/subset-scan.js';

export { SKEIN_VERSION };

/** Options of {@link runBuild}. */
export interface BuildOptions {
  /** Called every `progressIntervalMs` and once at the end. */
  onProgress?: (p: BuildProgress) => void;
  progressIntervalMs?: number;
  /** Receives warnings (each skipped record, up to `maxLoggedRejects`, then a count). */
  log?: (line: string) => void;
  /** Told what set-up is doing before rows flow (`loading tokenizer llama3`), for a status line. */
  onPhase?: (phase: string) => void;
  maxLoggedRejects?: number;
  /** This process's rank in a scaled-out build (with `worldSize`); default from the environment (see `resolveScaleOut`). */
  rank?: number;
  /** Number of ranks. */
  worldSize?: number;
  /** Environment to read Slurm / Kubernetes / SKEIN_* rank variables and the test kill hook from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Replace a finished or unfinished build of another configuration in the output folder. */
  overwrite?: boolean;
  /**
   * Stops the build between documents (the CLI aborts it on SIGINT/SIGTERM): the build ends with
   * the signal's reason (an `Interrupted` error), its lock released and its last checkpoint
   * kept, so that the same command resumes it.
   */
  signal?: AbortSignal;
  /** Seconds without a heartbeat after which another host's lock on the output is stale (see `acquireLock`). */
  lockStaleSeconds?: number;
  /** An S3-compatible store for `s3://` inputs (`--s3-endpoint`; default `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, else AWS). */
  s3Endpoint?: string;
}

/** What a finished build returns. */
export interface BuildResult {
  /** The output folder (absolute). */
  dir: string;
  manifest: Manifest;
  /** The final progress snapshot (rates of the whole build). */
  progress: BuildProgress;
  /**
   * `built`: from the start; `resumed`: continued from a checkpoint; `complete`: the folder
   * already held this exact build, nothing was done.
   */
  status: 'built' | 'resumed' | 'complete';
  /** Where a resumed build continued: shards and rows kept from before the interruption. */
  resumedFrom?: LoopResult['resumedFrom'];
  /** This process's part of a scaled-out build. */
  scale: ScaleOut;
  /** Notes for the user: a replaced stale lock, a discarded unfinished build, a finished folder. */
  notes: string[];
}

/**
 * The output folder of a config: `output.dir` relative to the config's folder; else, in the
 * working directory, `shards` for an unnamed pipeline or the bundled `default` one and
 * `shards-<name>` for a named pipeline (`shards-pose`), so that the bundled presets never
 * collide in one folder.
 */
export function outputDirOf(loaded: LoadedConfig): string {
  const d = loaded.config.output.dir;
  if (d) return path.resolve(loaded.baseDir, d);
  const name = (loaded.config.name ?? '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '');
  return path.resolve(process.cwd(), name && name !== 'default' ? `shards-${name}` : 'shards');
}

/** The manifest's `tokenizer.added_tokens` / `total_vocab_size` for augmenters' marker tokens (nothing when none). */
function addedTokensEntry(added: Record<string, number>): { added_tokens?: Record<string, number>; total_vocab_size?: number } {
  const ids = Object.values(added);
  if (ids.length === 0) return {};
  return { added_tokens: added, total_vocab_size: Math.max(...ids) + 1 };
}

/**
 * Runs a whole build: inputs → tokenize → mix → builder → augment → order → Arrow shards, then
 * writes manifest.json, state.json and dataset_info.json (docs/shard-format.md). The run loop
 * (`runLoop`) drives the stages as plain objects so that it can checkpoint them: memory is
 * bounded by the batch, the builder's open rows and the order buffer, never by the corpus.
 *
 * The output folder decides what happens (see `openOutput`): a fresh build, a resumed one (an
 * interrupted build of the same fingerprint; finished shards are verified and kept), nothing (the
 * same build is already complete), or an error (another build is there or running).
 *
 * With a world size above one, this process builds its rank's part of the inputs into
 * `<output>/rank-RRRRR-of-WWWWW/` (see docs/scale-out.md); `skein merge` joins the ranks.
 *
 * Document accounting reconciles: read = written + Σ dropped, where drops come from bad input
 * (under `on_error: skip`), empty documents, subsets, the mixer and the builder.
 */
export async function runBuild(loaded: LoadedConfig, opts: BuildOptions = {}): Promise<BuildResult> {
  const { config, baseDir } = loaded;
  const setupStarted = performance.now();
  const scale = resolveScaleOut({ rank: opts.rank, worldSize: opts.worldSize }, opts.env ?? process.env);
  const dir = rankDir(outputDirOf(loaded), scale);
  const displayRoot = loaded.displayRoot ?? baseDir;
  const notes: string[] = [];

  // Resolve everything that can fail on user input before touching the output folder.
  const phase = opts.onPhase ?? (() => {});
  phase('listing the inputs');
  // Remote inputs are listed, and later read, through one access (one S3 client, one retry policy).
  const remote = new RemoteAccess(remoteSettings({ env: opts.env ?? process.env, s3Endpoint: opts.s3Endpoint, signal: opts.signal }));
  // The output folder is never an input, even when it lies inside an input folder.
  const plan = await makeReadPlan(config, baseDir, scale, { exclude: [outputDirOf(loaded)], onNote: (m) => opts.log?.(`note: ${m}`), remote });
  const limits = { maxLineBytes: config.limits.max_line_bytes, maxZstdWindow: config.limits.max_zstd_window_bytes };
  phase(`loading tokenizer ${config.tokenizer.name}`);
  const loadOpts: LoadTokenizerOptions = { name: config.tokenizer.name, bosToken: config.tokenizer.bos_token, eosToken: config.tokenizer.eos_token, baseDir, engine: config.tokenizer.engine, ...(opts.env ? { env: { ...opts.env } } : {}) };
  const rssBefore = process.memoryUsage().rss;
  const engine = await loadTokenizer(loadOpts);
  const workers = buildWorkers(config.tokenizer.workers, plan.bytesTotal);
  if (engine.engineKind !== 'native') checkWorkerCount(workers, process.memoryUsage().rss - rssBefore, opts.log);
  const policy = resolveBosEos(engine.info, config.tokenizer.add_bos, config.tokenizer.add_eos);
  const factory = builderFactory(config.builder);
  const semantics = factory.semantics(config.builder);
  const chat = chatRendererFor(config, engine);
  const builder = await factory.create(config.builder, true, { seed: config.seed, engine });
  // Augmenters check their fit with the builder and register marker tokens before any work starts.
  const augment = createAugmenters(config.augment, { engine, seed: config.seed, semantics, policy }, { positionIds: semantics.explicitPositions, lossMask: semantics.lossMask || chat !== undefined, docSources: true });
  // Megatron output: refused here when something the rows carry cannot travel (megatron-setup.ts).
  const vocabInUse = Math.max(engine.info.vocabSize, addedTokensEntry(engine.addedTokens()).total_vocab_size ?? 0);
  const megatron = megatronPlan(config, semantics, policy, vocabInUse, chat !== undefined);
  const mixer = mixerFor(config, plan.fraction);
  const order = rowOrderFor(config);
  const kill = KillHook.fromEnv(opts.env ?? process.env);
  const fingerprint = await buildFingerprint({ config, plan, tokenizerSha256: engine.info.sha256, skeinVersion: SKEIN_VERSION, rank: scale.rank, worldSize: scale.worldSize });

  // Stops the loop on the caller's signal, or when another build took over the output's lock.
  const stop = new AbortController();
  const onSignal = () => stop.abort(opts.signal!.reason);
  opts.signal?.addEventListener('abort', onSignal, { once: true });
  opts.signal?.throwIfAborted();
  const aliasNote = tokenizerAlias(config.tokenizer.name)?.note;
  if (aliasNote) notes.push(aliasNote);
  phase('checking the output folder');
  const out = await openOutput(dir, fingerprint, config, opts.overwrite ?? false, {
    log: opts.log,
    staleSeconds: opts.lockStaleSeconds,
    env: opts.env,
    onLost: (why) => stop.abort(new Interrupted(`this build of ${dir} stopped: ${why} (it had stalled past the lock's heartbeat); the other build now owns the folder`)),
  });
  const progress: BuildProgress = { documents: 0, tokens: 0, bytesRead: 0, bytesTotal: plan.bytesTotal, rows: 0, shards: 0, seconds: 0, setupSeconds: 0 };
  try {
    if (out.lock.replacedStale) notes.push(`removed a stale lock left by ${out.lock.replacedStale.host === hostname() ? '' : `host ${out.lock.replacedStale.host}, `}process ${out.lock.replacedStale.pid} (${out.lock.staleWhy})`);
    if (out.kind === 'done') {
      // A build killed after writing its manifest but before removing its checkpoint: finish that step.
      await removeCheckpoint(dir, out.ledger);
      progress.setupSeconds = (performance.now() - setupStarted) / 1000;
      notes.push(`the output folder already holds this build, complete (all ${out.manifest.shards.length} shards verified against their sha256); nothing to do (pass --overwrite to build it again)`);
      const before = out.manifest.tokenizer?.engine;
      if (before && before !== engine.info.engine) notes.push(`it was encoded by ${before}, not ${engine.info.engine}: every engine gives the same ids, so the engine (like the worker count) is not part of a build's identity and nothing was rebuilt`);
      return { dir, manifest: out.manifest, progress, status: 'complete', scale, notes };
    }
    try {
      return await buildInto(out);
    } catch (e) {
      if (out.lock.lost) throw e;
      const kept = await discardUnresumable(dir, out.ledger).catch(() => undefined);
      out.lock.release();
      // A folder this build made and left empty goes too (never one that was there before).
      if (out.kind === 'fresh' && out.created) await fs.rmdir(dir).catch(() => undefined);
      if (e instanceof Interrupted && e.signal) {
        const then = kept ? `kept ${kept.shards} finished shard${kept.shards === 1 ? '' : 's'} (checkpoint ${kept.seq}): run the same command again to resume` : 'no shard was finished yet, nothing was kept: run the same command again to start over';
        throw new Interrupted(`interrupted by ${e.signal}; ${then}`, e.signal);
      }
      throw e;
    }
  } finally {
    opts.signal?.removeEventListener('abort', onSignal);
    out.lock.release();
  }

  /** The build proper, into an output folder opened fresh or for a resume. */
  async function buildInto(out: Exclude<OutputPlan, { kind: 'done' }>): Promise<BuildResult> {
    const ledger = out.ledger;
    // Every fixed file is recorded before the first is created (shards and checkpoint files are recorded one by one).
    ledger.recordAll(BUILD_FILES);
    if (out.kind === 'fresh' && out.discarded === 'unfinished') notes.push('discarded the files of an unfinished build that had no checkpoint yet');
    if (out.kind === 'resume') {
      phase(`verifying the ${out.checkpoint.shards.length} finished shards`);
      await verifyFinishedShards(dir, [...out.checkpoint.shards, ...checkpointRuns(out.checkpoint)]);
      await removeStrays(dir, ledger, new Set(out.checkpoint.shards.flatMap((s) => shardFiles(s).map((f) => f.file))));
    }

    const columns = augment.columns;
    // The pool (if any) lives for the loop only, and is closed even when the loop fails. Its
    // workers load their tokenizers during setup.
    const encoding: WorkerSetup = engineWithWorkers(engine, loadOpts, workers);
    // With tokenizer workers, Arrow shards are encoded, hashed and written on a thread of their
    // own too (the same bytes), started now so that it loads during set-up; the shard writer
    // stops it. Without workers everything stays on this thread, as asked.
    let writerThread = encoding.pool && !megatron ? new ShardWriteThread(columns) : undefined;
    let subsets: Map<number, SubsetChoice>;
    if (encoding.pool) phase(`starting ${workers} tokenizer worker${workers === 1 ? '' : 's'}`);
    try {
      await Promise.all([encoding.ready(), writerThread?.ready()]);
      if (plan.inputs.some((i) => i.subset !== undefined)) phase('choosing the [N] subsets');
      // Pass 1 of each `[N]` input, drawn among the documents the build's filters keep: the same subset on every rank.
      const tokenize = { policy, chat, maxChatTokens: config.builder.seq_len };
      subsets = await scanSubsets(plan.inputs, config.seed, displayRoot, { engine: encoding.engine, tokenize, maxTokens: factory.maxDocumentTokens?.(config.builder) }, opts.log, limits, remote);
    } catch (e) {
      await Promise.all([encoding.close(), writerThread?.stop()]);
      throw e;
    }
    // JSON lines are read in line blocks by the workers (or, without any, on this thread) and come back encoded.
    const blocks = blockProcessor(encoding, chat, { ...(policy.bos !== undefined ? { bos: policy.bos } : {}), ...(config.tokenizer.chat_template ? { chatTemplate: config.tokenizer.chat_template } : {}), chars: mixer.opts.length === 'chars' });
    const started = performance.now();
    progress.setupSeconds = (started - setupStarted) / 1000;
    publishBuildEvent({ phase: 'streaming' });
    const tick = () => {
      progress.seconds = (performance.now() - started) / 1000;
      opts.onProgress?.({ ...progress });
    };
    const timer = opts.onProgress ? setInterval(tick, opts.progressIntervalMs ?? 500) : undefined;
    let loop: LoopResult;
    try {
      loop = await runLoop({
        dir,
        seed: config.seed,
        plan,
        subsets,
        policy: config.on_error,
        displayRoot,
        engine: encoding.engine,
        // Conversations longer than a row are dropped whole (docs/recipes.md#llama-3-8b-instruct-80k-chat-sft), never truncated.
        tokenize: { policy, chat, maxChatTokens: config.builder.seq_len },
        batchDocs: config.tokenizer.batch_docs,
        batchChars: 1 << 20,
        writerThread,
        blocks,
        mixer,
        builder,
        augmenters: augment.augmenters,
        fillLossMask: columns.lossMask,
        order,
        curriculum: config.order.curriculum ? new CurriculumSort(dir, { runRows: config.order.curriculum_run_rows, lengthKey: config.order.length_key, columns, onCreate: (rel) => ledger.record(rel) }) : undefined,
        columns,
        shardTokens: config.output.shard_tokens,
        batchRows: config.output.batch_rows,
        ...(megatron ? { megatron: { dtype: megatron.dtype, documents: megatron.documents } } : {}),
        fingerprint,
        comparableConfig: comparableConfig(config),
        resume: out.kind === 'resume' ? out.checkpoint : undefined,
        progress,
        log: opts.log,
        maxLoggedRejects: opts.maxLoggedRejects ?? 20,
        kill,
        limits,
        remote,
        ledger,
        signal: stop.signal,
      });
    } finally {
      if (timer) clearInterval(timer);
      // The loop's writer stopped the thread (close or abort); this covers a loop that failed before making one.
      await Promise.all([encoding.close(), writerThread?.stop(), blocks.close?.()]);
      writerThread = undefined;
    }

    const documents = documentAccounts(loop, mixer, builder.stats);
    if (config.mix.mode === 'per_source' && builder.stats.documents === 0 && (documents.dropped.mix_not_in_mixture ?? 0) > 0) {
      const seen = Object.keys(mixer.report().sources).slice(0, 3).join(', ');
      throw new UserError(`no document's source is in the mixture (sources read: ${seen}); map the source field with inputs[].fields.source (--source-field meta.redpajama_set_name) or name the sources in mix.weights`);
    }
    // One rank of a scaled-out build may get no work or keep nothing while the others do: only a whole build is checked.
    if (shardTotals(loop.shards).rows === 0 && !config.output.allow_empty && scale.worldSize === 1) throw new UserError(emptyBuildMessage(documents, config));
    const shards = loop.shards;
    const sources: Manifest['sources'] = {};
    for (const [name, docs] of Object.entries(loop.sourceDocs)) sources[name] = { documents: docs, tokens: builder.stats.sourceTokens[name] ?? 0 };
    const totals = shardTotals(shards);
    const seqLen = config.builder.seq_len;
    const { type: builderName, ...builderOptions } = config.builder;
    const rejectCount = loop.reader.rejectLines;
    const subsetInfo = subsetsSection(subsets, loop.reader.subsetKept);
    const manifest: Manifest = {
      format: 'skein-shards',
      format_version: 1,
      skein_version: SKEIN_VERSION,
      ...(megatron ? { shard_format: 'megatron' as const } : {}),
      config,
      seed: config.seed,
      tokenizer: {
        name: engine.info.name,
        kind: engine.info.kind,
        source: engine.info.source,
        engine: engine.info.engine,
        vocab_size: engine.info.vocabSize,
        ...addedTokensEntry(engine.addedTokens()),
        special_ids: engine.info.specialIds,
        sha256: engine.info.sha256,
        add_bos: policy.bos !== undefined,
        add_eos: policy.eos !== undefined,
        special_text: 'plain',
        workers,
        worker_pool: encoding.pool,
      },
      builder: { name: builderName, ...builderOptions, ...builderStatsEntry(builder.stats) },
      ...(config.augment.length ? { augment: augment.manifestEntries() } : {}),
      attention: semantics.attention,
      positions: semantics.explicitPositions ? 'explicit' : semantics.positions,
      columns: megatron ? ['input_ids'] : columnNames(columns),
      ...(megatron ? { megatron: megatronManifest(megatron, shards) } : {}),
      shards,
      totals,
      documents,
      inputs: loop.reports.map((r) => ({
        path: r.path,
        member: r.member,
        format: r.format,
        bytes: r.bytes,
        documents: r.documents,
        status: r.status,
        ...(r.rowGroups ? { row_groups: r.rowGroups } : {}),
        ...(r.lostBytes !== undefined ? { lost_bytes: r.lostBytes } : {}),
        ...(r.skippedMembers ? { skipped_members: r.skippedMembers } : {}),
        ...(r.notes?.length ? { notes: r.notes } : {}),
        ...(r.remote && r.member === undefined ? { size: r.remote.size, ...(r.remote.etag ? { etag: r.remote.etag } : {}), ...(r.remote.lastModified ? { last_modified: r.remote.lastModified } : {}) } : {}),
      })),
      sources,
      histograms: { document_tokens: loop.documentTokens, sample_tokens: loop.sampleTokens, sources: loop.sources },
      packing: {
        rows: totals.rows,
        tokens: totals.tokens,
        capacity_tokens: totals.rows * seqLen,
        fill: totals.rows ? totals.tokens / (totals.rows * seqLen) : 0,
        split_documents: builder.stats.splitDocuments,
        tokens_dropped: builder.stats.tokensDropped,
      },
      rejects: { file: rejectCount > 0 ? 'rejects.jsonl' : null, count: rejectCount },
      resume: { complete: true, fingerprint: fingerprint.sha256, fingerprint_parts: fingerprintParts(fingerprint) },
      ...(config.mix.mode !== 'none' || config.mix.total_tokens !== undefined ? { mix: { ...mixer.report(), stopped_early: loop.stoppedEarly } } : {}),
      ...(subsetInfo ? { subsets: subsetInfo } : {}),
      ...(order.active || config.order.curriculum ? { order: { shuffle_buffer: config.order.shuffle_buffer, group_by_length: config.order.group_by_length, curriculum: config.order.curriculum, length_key: config.order.length_key } } : {}),
      ...(scale.worldSize > 1 ? { scale_out: { rank: scale.rank, world_size: scale.worldSize, units: plan.units, budget_fraction: plan.fraction } } : {}),
    };
    // datasets.load_from_disk reads Arrow only: a Megatron folder gets no state.json / dataset_info.json.
    if (!megatron) await writeHfLayout(dir, shards, columns, shardsFingerprint(shards));
    await writeManifest(dir, manifest);
    kill?.hit('manifest');
    // The manifest now names every file of the build: the checkpoint and the ledger go.
    await removeCheckpoint(dir, ledger);
    tick();
    progress.seconds = (performance.now() - started) / 1000;
    progress.shards = shards.length;
    publishBuildEvent({ phase: 'finished', tokens: progress.tokens - (progress.startTokens ?? 0) });
    return { dir, manifest, progress: { ...progress }, status: loop.resumedFrom ? 'resumed' : 'built', ...(loop.resumedFrom ? { resumedFrom: loop.resumedFrom } : {}), scale, notes };
  }
}

/**
 * After a failed or interrupted build: when the folder holds no checkpoint (nothing to resume),
 * removes every file the build recorded, leaving the folder as it was; otherwise removes only
 * what lies past the last checkpoint (a resume redoes it) and returns what the checkpoint keeps.
 */
async function discardUnresumable(dir: string, ledger: FileLedger): Promise<{ shards: number; seq: number } | undefined> {
  const checkpoint = await readCheckpoint(dir).catch(() => undefined);
  if (checkpoint) {
    await removeStrays(dir, ledger, new Set(checkpoint.shards.map((s) => s.file)));
    return { shards: checkpoint.shards.length, seq: checkpoint.seq };
  }
  await removeRecorded(dir, ledger.names());
  ledger.reset();
  return undefined;
}

/** Advice for the main reason documents were dropped, when a build made no row. */
const EMPTY_ADVICE: Readonly<Record<string, string>> = {
  mix_short: 'they fell under the short-document threshold of per-source upsampling: lower mix.short_threshold (--set mix.short_threshold=512) or raise mix.short_keep',
  remainder: 'they all fell into the dropped remainder, shorter than one row: use a smaller --seq-len, or --set builder.remainder=keep',
  too_long: 'they were longer than a row: use a larger --seq-len, or let the builder split them (builder.long_documents)',
  empty: 'they were empty',
  mix_not_in_mixture: "their sources are not in mix.weights: name them there, or map the source field with --source-field",
  mix_budget_full: 'the token budget was already full: raise mix.total_tokens (--total-tokens)',
  mix_source_full: "their sources' budgets were already full: raise mix.total_tokens (--total-tokens)",
  subset: 'the [N] subsets kept none of them',
};

/** The one-line error of a build that made no row: counts, the main reason, its fix, and --allow-empty. */
function emptyBuildMessage(documents: Manifest['documents'], config: PipelineConfig): string {
  const drops = Object.entries(documents.dropped).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const counts = `read ${documents.read} = written ${documents.written} + dropped ${documents.read - documents.written}${drops.length ? ` (${drops.map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`;
  let why: string;
  if (documents.read === 0) why = 'the inputs hold no documents';
  else if (drops.length === 0) why = `no document reached a row of ${config.builder.seq_len} tokens`;
  else {
    const [top] = drops[0]!;
    why = Object.hasOwn(EMPTY_ADVICE, top) ? EMPTY_ADVICE[top]! : config.on_error === 'skip' && top !== 'remainder' ? `every record was rejected as ${top}: see rejects.jsonl` : `they were dropped as ${top}`;
  }
  return `no rows were built (documents: ${counts}): ${why}; pass --allow-empty (output.allow_empty) to write an empty dataset anyway`;
}

/** The curriculum runs a checkpoint lists, as shard infos with paths relative to the output folder. */
function checkpointRuns(c: { state: unknown }): ShardInfo[] {
  const runs = (c.state as { curriculum?: { runs: ShardInfo[] } | null }).curriculum?.runs ?? [];
  return runs.map((r) => ({ ...r, file: path.join(RUNS_DIR, r.file) }));
}

/** The fingerprint's parts as the manifest records them. */
function fingerprintParts(fp: BuildFingerprint): Record<string, string | number> {
  const { sha256: _, inputs: _i, ...parts } = fp;
  return parts;
}
