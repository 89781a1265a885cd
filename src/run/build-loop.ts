import type { Augmenter } from '../augment/augmenter.js';
import type { BuilderStats, SampleBuilder } from '../samples/builder.js';
import type { Sample } from '../samples/sample.js';
import type { Mixer, MixerState } from '../mix/mixer.js';
import type { RowOrder } from '../mix/row-order.js';
import type { ColumnSet } from '../shards/columns.js';
import { LengthHistogram, type Histogram } from '../shards/histogram.js';
import { MegatronShardWriter, type MegatronWriterOptions } from '../shards/megatron-writer.js';
import { ShardWriter, type RowWriter, type ShardInfo } from '../shards/shard-writer.js';
import type { ShardWriteThread } from '../shards/shard-write-thread.js';
import type { RemoteAccess } from '../sources/remote/remote-access.js';
import type { InputLimits } from '../sources/input-limits.js';
import type { FileReport } from '../sources/reader-context.js';
import { encodeDocs, mixChars } from '../tokenize/encode-docs.js';
import type { BlockProcessor } from '../sources/block-records.js';
import type { TokenizerEngine } from '../tokenize/engine.js';
import { tokenizeOutcome, type TokenizeOutcome, type TokenizeStageOptions } from '../tokenize/tokenize-stage.js';
import type { Reject } from '../util/reject-sink.js';
import { RejectSink } from '../util/reject-sink.js';
import type { StateValue } from '../util/state-codec.js';
import { writeCheckpoint, type Checkpoint } from '../output-state/checkpoint.js';
import { DocSource, type DocBatch, type ReaderSnapshot, type SourcedDoc } from '../input-plan/doc-source.js';
import type { FileLedger } from '../output-state/file-ledger.js';
import type { BuildFingerprint } from '../output-state/fingerprint.js';
import type { KillHook } from '../output-state/kill-hook.js';
import type { BuildProgress } from './progress.js';
import type { ReadPlan } from '../input-plan/read-plan.js';
import { RejectsFile } from '../output-state/rejects-file.js';
import { SourceHistograms, type SourceHistogramsJSON } from './source-histograms.js';
import type { SubsetChoice } from '../input-plan/subset-scan.js';
import type { CurriculumSort, CurriculumState } from './curriculum-sort.js';

/**
 * Batches read and handed to the tokenizer ahead of the one being consumed: each pool worker may
 * hold two sub-batches (pool-engine.ts), so with this depth it always has its next one while the
 * main thread consumes. Bounded memory: at most this many batches (`batchChars` each) are held.
 */
const READ_AHEAD_BATCHES = 3;
/** Everything the run loop drives, made by `runBuild` from the config. */
export interface LoopParts {
  dir: string;
  seed: number;
  plan: ReadPlan;
  subsets: ReadonlyMap<number, SubsetChoice>;
  policy: 'fail' | 'skip';
  displayRoot: string;
  engine: TokenizerEngine;
  /** The tokenize stage's options (BOS/EOS policy, chat renderer, chat length cap). */
  tokenize: TokenizeStageOptions;
  /** Documents and characters per tokenizer call (also the granularity of checkpoints). */
  batchDocs: number;
  batchChars: number;
  mixer: Mixer;
  builder: SampleBuilder;
  augmenters: readonly Augmenter[];
  /** Give every row a loss mask (the output has a `loss_mask` column). */
  fillLossMask: boolean;
  order: RowOrder;
  /** The ascending-length curriculum (an external sort of all rows), when configured. */
  curriculum?: CurriculumSort;
  columns: ColumnSet;
  shardTokens: number;
  batchRows: number;
  /** Write Megatron `.bin`/`.idx` pairs instead of Arrow shards. */
  megatron?: Pick<MegatronWriterOptions, 'dtype' | 'documents'>;
  fingerprint: BuildFingerprint;
  /** The config as compared between runs, stored in checkpoints for messages. */
  comparableConfig: unknown;
  /** The checkpoint to resume from. */
  resume?: Checkpoint;
  progress: BuildProgress;
  log?: (line: string) => void;
  maxLoggedRejects: number;
  kill?: KillHook;
  /** Limits on one input record (`config.limits`). */
  limits?: InputLimits;
  /** Reads remote inputs (the one that listed them). */
  remote?: RemoteAccess;
  /** Reads and encodes JSON lines files in line blocks (tokenizer workers, or the main thread). */
  blocks?: BlockProcessor;
  /** Encode, hash and write Arrow shards on this thread of their own (`ShardWriterOptions.thread`); the writer stops it. */
  writerThread?: ShardWriteThread;
  /** Records each file before it is created in the output folder (what skein may delete later). */
  ledger: FileLedger;
  /** Stops the loop between documents and rows: it throws the signal's reason (the last checkpoint stays). */
  signal?: AbortSignal;
}

/** What the loop hands back for the manifest. */
export interface LoopResult {
  /** All shards of the build, in order (those kept from before a resume included). */
  shards: ShardInfo[];
  /** Reader counters where reading ended (the end of the input, or the document that filled the last budget). */
  reader: ReaderSnapshot;
  /** Reports of every input read, in order. */
  reports: FileReport[];
  /** Documents dropped by tokenization: `empty`, `too_long`. */
  tokenizeDrops: Record<string, number>;
  documentTokens: Histogram;
  sampleTokens: Histogram;
  sources: SourceHistogramsJSON;
  /** Documents passed to the builder, by source. */
  sourceDocs: Record<string, number>;
  /** Whether reading stopped early because every budget was full. */
  stoppedEarly: boolean;
  /** Where the build resumed: shards and rows kept from the checkpoint. */
  resumedFrom?: { shards: number; rows: number; checkpoint: number };
}

/** The loop's state at a document boundary: what a checkpoint stores. */
interface LoopState {
  reader: ReaderSnapshot;
  mixer: MixerState;
  builderStats: BuilderStats;
  builderCarry: StateValue | null;
  augmentStats: Array<Record<string, number>>;
  order: { pushed: number; shuffle: Sample[]; group: Sample[] };
  curriculum: CurriculumState | null;
  rowsBuilt: number;
  rowsEmitted: number;
  tokenizeDrops: Record<string, number>;
  tokens: number;
  consumed: number;
  documentTokens: Histogram;
  sampleTokens: Histogram;
  sources: SourceHistogramsJSON;
  sourceDocs: Record<string, number>;
}

/** A sample as a checkpoint stores it. */
function sampleState(s: Sample): StateValue {
  return { input_ids: s.inputIds, doc_lengths: s.docLengths, position_ids: s.positionIds ?? null, loss_mask: s.lossMask ?? null, doc_sources: s.docSources ?? null };
}

/** The inverse of {@link sampleState}. */
function sampleOf(v: StateValue): Sample {
  const o = v as { input_ids: Int32Array; doc_lengths: Int32Array; position_ids: Int32Array | null; loss_mask: Uint8Array | null; doc_sources: string[] | null };
  const s: Sample = { inputIds: o.input_ids, docLengths: o.doc_lengths };
  if (o.position_ids) s.positionIds = o.position_ids;
  if (o.loss_mask) s.lossMask = o.loss_mask;
  if (o.doc_sources) s.docSources = o.doc_sources;
  return s;
}

/** Encodes a loop state (and the frozen input reports) for a checkpoint. */
function encodeLoopState(st: LoopState, source: DocSource): StateValue {
  const reports = source.reports;
  // The open reports are stored whole: a resumed build has not re-read the ones they refer to.
  const reader = { ...st.reader, reportsOpen: { end: st.reader.reportsOpen.end, list: source.openReports(st.reader) } };
  return {
    ...(st as unknown as Record<string, StateValue>),
    reader: reader as unknown as StateValue,
    order: { pushed: st.order.pushed, shuffle: st.order.shuffle.map(sampleState), group: st.order.group.map(sampleState) },
    curriculum: st.curriculum ? { runs: st.curriculum.runs as unknown as StateValue, buffer: st.curriculum.buffer.map(sampleState) } : null,
    reports: reports.slice(0, st.reader.reportsDone) as unknown as StateValue,
  };
}

/** Decodes what {@link encodeLoopState} stored. */
function decodeLoopState(v: StateValue): { state: LoopState; reports: FileReport[] } {
  const o = v as unknown as LoopState & { order: { pushed: number; shuffle: StateValue[]; group: StateValue[] }; curriculum: { runs: ShardInfo[]; buffer: StateValue[] } | null; reports: FileReport[] };
  const { reports, ...rest } = o;
  const state: LoopState = {
    ...rest,
    order: { pushed: o.order.pushed, shuffle: o.order.shuffle.map(sampleOf), group: o.order.group.map(sampleOf) },
    curriculum: o.curriculum ? { runs: o.curriculum.runs, buffer: o.curriculum.buffer.map(sampleOf) } : null,
  };
  return { state, reports };
}

/** Serialises a reject's location for the log. */
function describeReject(r: Reject): string {
  return RejectSink.describe(r);
}

/**
 * The resumable run loop: reads documents in batches ({@link DocSource}), tokenizes each batch
 * with one engine call, and passes every document, in input order, through the mixer, the
 * builder, the augmenters and the row order into the shard writer.
 *
 * Checkpoints: the loop keeps the complete state as it was at the start of the current batch
 * (reader counters, mixer, builder carry-over and stats, row order buffer, counters and
 * histograms: all at one document boundary). When a shard is finished, that state, the list of
 * finished shards and their row count go into `.skein/resume.json`. Resuming restores the
 * state, re-reads from its input position and drops the rows that are already in finished
 * shards: the rows written after that are the same bytes an uninterrupted build writes, and
 * the work redone is at most the unfinished shard plus one batch.
 *
 * Reading stops early, exactly at the document that fills the last budget, when the mixer has
 * budgets; the reader's counters at that document are the ones reported.
 */
export async function runLoop(p: LoopParts): Promise<LoopResult> {
  const rejectsFile = new RejectsFile(p.dir);
  const restored = p.resume ? decodeLoopState(p.resume.state) : undefined;
  const source = new DocSource(
    {
      plan: p.plan,
      seed: p.seed,
      policy: p.policy,
      displayRoot: p.displayRoot,
      subsets: p.subsets,
      rejectsLength: () => ({ bytes: rejectsFile.bytes, lines: rejectsFile.lines }),
      admits: (s) => p.mixer.admits(s),
      limits: p.limits,
      remote: p.remote,
      blocks: p.blocks,
      onWarning: (file, message) => p.log?.(`warning: ${file}: ${message}`),
    },
    restored ? { snapshot: restored.state.reader, reports: restored.reports } : undefined,
  );
  let logged = 0;
  source.sink.onReject((r) => {
    rejectsFile.append(r);
    logged++;
    if (logged <= p.maxLoggedRejects) p.log?.(`skipped ${describeReject(r)}`);
    else if (logged === p.maxLoggedRejects + 1) p.log?.('more records skipped; see rejects.jsonl');
  });

  // The mutable state of the loop.
  const docHist = restored ? LengthHistogram.fromJSON(restored.state.documentTokens) : new LengthHistogram();
  const sampleHist = restored ? LengthHistogram.fromJSON(restored.state.sampleTokens) : new LengthHistogram();
  const srcHist = restored ? SourceHistograms.fromJSON(restored.state.sources) : new SourceHistograms();
  const sourceDocs: Record<string, number> = restored ? { ...restored.state.sourceDocs } : {};
  const tokenizeDrops: Record<string, number> = restored ? { ...restored.state.tokenizeDrops } : {};
  let rowsBuilt = restored?.state.rowsBuilt ?? 0;
  let rowsEmitted = restored?.state.rowsEmitted ?? 0;
  let tokens = restored?.state.tokens ?? 0;
  let consumed = restored?.state.consumed ?? 0;
  const finished: ShardInfo[] = p.resume ? [...p.resume.shards] : [];
  let rowsInShards = p.resume?.rowsInShards ?? 0;
  let seq = p.resume?.seq ?? 0;

  if (restored) {
    const s = restored.state;
    rejectsFile.truncateTo(s.reader.rejectBytes, s.reader.rejectLines);
    logged = s.reader.rejectLines;
    p.mixer.restore(s.mixer);
    restoreStats(p.builder.stats, s.builderStats);
    if (s.builderCarry !== null) {
      if (!p.builder.restore) throw new Error(`builder ${p.builder.name} has no restore() but its checkpoint holds carried-over state`);
      p.builder.restore(s.builderCarry);
    }
    s.augmentStats.forEach((st, i) => restoreStats(p.augmenters[i]!.stats, st));
    p.order.restore(s.order);
    if (s.curriculum) p.curriculum?.restore(s.curriculum);
  }
  p.progress.documents = consumed;
  p.progress.tokens = tokens;
  p.progress.bytesRead = restored?.state.reader.bytesRead ?? 0;
  p.progress.rows = rowsEmitted;
  // Rates count this run's work only: a resumed build starts from the checkpoint's counts.
  p.progress.startTokens = tokens;
  p.progress.startBytes = p.progress.bytesRead;

  // Every file a writer creates is recorded in the ledger first (what skein may delete later).
  const common = { firstIndex: finished.length, writeEmptyShard: finished.length === 0, onCreate: (file: string) => p.ledger.record(file) };
  const writer: RowWriter = p.megatron
    ? new MegatronShardWriter(p.dir, { ...p.megatron, shardTokens: p.shardTokens, ...common })
    : new ShardWriter(p.dir, { columns: p.columns, shardTokens: p.shardTokens, batchRows: p.batchRows, ...(p.writerThread ? { thread: p.writerThread } : {}), ...common });
  const skipBelow = rowsInShards;

  const capture = (reader: ReaderSnapshot): LoopState => ({
    reader,
    mixer: p.mixer.snapshot(),
    builderStats: structuredClone(p.builder.stats),
    builderCarry: p.builder.snapshot ? p.builder.snapshot() : null,
    augmentStats: p.augmenters.map((a) => ({ ...a.stats })),
    order: p.order.snapshot(),
    curriculum: p.curriculum ? p.curriculum.snapshot() : null,
    rowsBuilt,
    rowsEmitted,
    tokenizeDrops: { ...tokenizeDrops },
    tokens,
    consumed,
    documentTokens: docHist.toJSON(),
    sampleTokens: sampleHist.toJSON(),
    sources: srcHist.toJSON(),
    sourceDocs: { ...sourceDocs },
  });
  let batchStart: LoopState = restored?.state ?? capture(source.snapshot());

  const checkpoint = async (): Promise<void> => {
    rejectsFile.sync();
    seq++;
    await writeCheckpoint(p.dir, {
      fingerprint: p.fingerprint,
      config: p.comparableConfig,
      seq,
      shards: finished,
      rowsInShards,
      state: encodeLoopState(batchStart, source),
    }, p.ledger);
    p.kill?.hit('checkpoints');
  };

  // Megatron pairs end at document ends, which may lie inside a row: on resume, the tokens of the
  // finished pairs beyond the rows they record (those emitted before the restored state, counted by
  // its row-length histogram, and those skipped below) are the head of the first row written.
  // Arrow shards end at row ends, so for them this is always 0 (and not tracked).
  let toSkip = writer.skipTokens ? finished.reduce((n, s) => n + s.tokens, 0) - (restored?.state.sampleTokens.sum ?? 0) : 0;
  const emit = async (row: Sample): Promise<void> => {
    p.signal?.throwIfAborted();
    const ordinal = rowsEmitted++;
    sampleHist.add(row.inputIds.length);
    p.progress.rows = rowsEmitted;
    if (ordinal < skipBelow) {
      if (writer.skipTokens) toSkip -= row.inputIds.length;
      return;
    }
    if (toSkip !== 0) {
      if (toSkip < 0) throw new Error(`resume: the finished shards hold ${-toSkip} tokens fewer than the rows they record`);
      writer.skipTokens!(toSkip);
      toSkip = 0;
    }
    await writer.write(row);
    p.kill?.hit('rows');
    if (writer.shards.length + (p.resume?.shards.length ?? 0) > finished.length) {
      for (const s of writer.shards.slice(finished.length - (p.resume?.shards.length ?? 0))) {
        finished.push(s);
        rowsInShards += s.rows;
        p.kill?.hit('shards');
      }
      p.progress.shards = finished.length;
      await checkpoint();
    }
  };

  /** Where ordered rows go: the curriculum's sort, or the shard writer. */
  const toSink = async (row: Sample): Promise<void> => {
    if (p.curriculum) p.curriculum.push(row);
    else await emit(row);
  };

  const build = async (row: Sample): Promise<void> => {
    const ordinal = rowsBuilt++;
    let r = row;
    for (const a of p.augmenters) r = await a.apply(r, ordinal);
    if (p.fillLossMask && !r.lossMask) r = { ...r, lossMask: new Uint8Array(r.inputIds.length).fill(1) };
    for (const out of p.order.push(r)) await toSink(out);
  };

  /** Consumes one document; returns true when every budget is full (stop reading). */
  const consume = async (entry: SourcedDoc, read: TokenizeOutcome | undefined): Promise<boolean> => {
    p.signal?.throwIfAborted();
    consumed++;
    p.progress.documents = consumed;
    // Bytes of the input up to this document (the reader's own read-ahead is not work done yet).
    p.progress.bytesRead = entry.after.bytesRead;
    const { doc } = entry;
    // The reader runs one batch ahead, so whether a document was tokenized depends on timing:
    // its source may have filled up between the read and now. Sources only ever close, so a
    // document of a source closed now is treated as never tokenized, whatever happened ahead:
    // its tokens, length and tokenize-time drops never count.
    const outcome = read !== undefined && p.mixer.admits(doc.source) ? read : undefined;
    if (outcome === undefined) {
      const d = p.mixer.decide({ id: doc.id, source: doc.source, tokens: 0, chars: 0 });
      if (d.keep) throw new Error(`mixer admitted a document of ${doc.source} it had refused before tokenization`);
      return p.mixer.done;
    }
    if ('drop' in outcome) {
      tokenizeDrops[outcome.drop] = (tokenizeDrops[outcome.drop] ?? 0) + 1;
      return false;
    }
    const tok = outcome.doc;
    const len = tok.tokens.length;
    tokens += len;
    p.progress.tokens = tokens;
    docHist.add(len);
    const chars = p.mixer.opts.length === 'chars' ? mixChars(doc) : 0;
    const d = p.mixer.decide({ id: tok.id, source: tok.source, tokens: len, chars });
    if (d.open) srcHist.read(tok.source, len);
    if (!d.keep) return p.mixer.done;
    srcHist.kept(tok.source, len);
    sourceDocs[tok.source] = (sourceDocs[tok.source] ?? 0) + 1;
    for (const row of p.builder.push(tok)) await build(row);
    return p.mixer.done;
  };

  const tokenizeBatch = async (batch: DocBatch): Promise<Array<TokenizeOutcome | undefined>> => {
    // Documents read in line blocks come encoded already; the others are encoded here, in one call.
    const docs = batch.docs.filter((e) => e.tokenize && !e.doc.encoded).map((e) => e.doc);
    const encoded = docs.length ? await encodeDocs(p.engine, docs, p.tokenize.chat, p.tokenize.policy.bos) : [];
    let k = 0;
    return batch.docs.map((e) => (e.tokenize ? tokenizeOutcome(e.doc, e.doc.encoded ?? encoded[k++]!, p.tokenize) : undefined));
  };

  let final: ReaderSnapshot | undefined;
  let stoppedEarly = false;
  try {
    if (p.mixer.done && restored) {
      // Resumed after the last budget filled: nothing more to read.
      final = restored.state.reader;
      stoppedEarly = true;
    } else {
      // A batch starts tokenizing as soon as it is read, and the next one is read (and starts
      // tokenizing) while this one is tokenized and consumed: with a worker pool the workers
      // always have batches queued while the main thread builds rows. The reader is ahead only
      // in memory (the snapshots carried by each document keep the counts exact), by at most
      // READ_AHEAD_BATCHES batches.
      const start = async (): Promise<{ batch: DocBatch; outcomes: Promise<Array<TokenizeOutcome | undefined>> } | null> => {
        const batch = await source.nextBatch(p.batchDocs, p.batchChars);
        if (!batch) return null;
        const outcomes = tokenizeBatch(batch);
        outcomes.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
        return { batch, outcomes };
      };
      type Started = Awaited<ReturnType<typeof start>>;
      // Reads stay sequential: each starts when the one before it has been read.
      // A read that fails rejects its promise and every one chained after it; each is marked
      // handled here (the error surfaces where the loop awaits it, not as an unhandled rejection).
      const handled = <T>(p: Promise<T>): Promise<T> => {
        p.catch(() => undefined);
        return p;
      };
      let tail: Promise<Started> = handled(start());
      const ahead: Array<Promise<Started>> = [tail];
      const extend = () => {
        tail = handled(tail.then((prev) => (prev && !prev.batch.last ? start() : null)));
        ahead.push(tail);
      };
      while (ahead.length < READ_AHEAD_BATCHES) extend();
      for (;;) {
        const cur = await ahead.shift()!;
        if (!cur) break;
        const { batch } = cur;
        extend();
        const out = await cur.outcomes;
        for (let i = 0; i < batch.docs.length; i++) {
          if (await consume(batch.docs[i]!, out[i])) {
            final = batch.docs[i]!.after;
            stoppedEarly = true;
            break;
          }
        }
        if (stoppedEarly) {
          await Promise.all(ahead.map((a) => a.then((next) => next?.outcomes).catch(() => null)));
          break;
        }
        if (batch.last) final = batch.end;
        // A run of the curriculum ends only here, at a batch boundary, so the checkpoint that
        // records it holds no buffered rows.
        const spilled = p.curriculum ? await p.curriculum.endOfBatch() : false;
        batchStart = capture(batch.end);
        if (spilled) await checkpoint();
      }
      final ??= source.snapshot();
    }
    for (const row of p.builder.finish()) await build(row);
    for (const row of p.order.finish()) await toSink(row);
    if (p.curriculum) {
      await p.curriculum.spillRest();
      // Every row is in a sorted run now: a checkpoint here makes a resume redo only the merge.
      batchStart = capture(final);
      await checkpoint();
      for await (const row of p.curriculum.merged()) await emit(row);
    }
    await writer.close();
    for (const s of writer.shards.slice(finished.length - (p.resume?.shards.length ?? 0))) {
      finished.push(s);
      rowsInShards += s.rows;
    }
  } catch (e) {
    await writer.abort().catch(() => undefined);
    throw e;
  } finally {
    await source.close().catch(() => undefined);
    rejectsFile.close();
  }
  // Rejects the reader met past the point where reading stopped (read ahead) are not part of the build.
  if (stoppedEarly) rejectsFile.truncateTo(final.rejectBytes, final.rejectLines);
  const reports = [...source.reports.slice(0, final.reportsDone), ...source.openReports(final)];
  return {
    shards: finished,
    reader: final,
    reports,
    tokenizeDrops,
    documentTokens: docHist.toJSON(),
    sampleTokens: sampleHist.toJSON(),
    sources: srcHist.toJSON(),
    sourceDocs,
    stoppedEarly,
    ...(p.resume ? { resumedFrom: { shards: p.resume.shards.length, rows: p.resume.rowsInShards, checkpoint: p.resume.seq } } : {}),
  };
}

/** Overwrites a counters object in place with saved values (builders keep a reference to theirs). */
function restoreStats<T extends object>(target: T, saved: T): void {
  for (const k of Object.keys(target)) delete (target as Record<string, unknown>)[k];
  Object.assign(target, structuredClone(saved));
}
