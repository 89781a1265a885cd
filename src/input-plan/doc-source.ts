import { inSubset, subsetRank } from '../mix/subset.js';
import type { Doc } from '../sources/doc.js';
import { detectFormat, inputName } from '../sources/input-format.js';
import { DEFAULT_INPUT_LIMITS } from '../sources/input-limits.js';
import { JsonlPrefetch } from '../sources/jsonl-prefetch.js';
import { displayPathOf, readDocs } from '../sources/read-docs.js';
import type { RemoteAccess } from '../sources/remote/remote-access.js';
import { docChars, idsLength } from '../tokenize/encode-docs.js';
import type { BlockProcessor } from '../sources/block-records.js';
import type { InputLimits } from '../sources/input-limits.js';
import type { FileReport } from '../sources/reader-context.js';
import type { DropReason, RecordLocation } from '../util/errors.js';
import { RejectSink, type OnError } from '../util/reject-sink.js';
import type { ReadPlan } from './read-plan.js';
import { fieldsOf, tieKey, type SubsetChoice } from './subset-scan.js';

/** Where reading resumes: the plan item being read and how many documents of it were already taken. */
export interface ReaderPosition {
  item: number;
  docs: number;
}

/**
 * The reader's counters at one point of the input (after a document, or at the end): what a
 * checkpoint or the manifest needs about everything read up to there.
 */
export interface ReaderSnapshot {
  pos: ReaderPosition;
  /** Documents the readers yielded (before subsets). */
  docs: number;
  /** Bad-input and empty-text drops by reason. */
  rejectCounts: Record<string, number>;
  /** rejects.jsonl length. */
  rejectBytes: number;
  rejectLines: number;
  /** Documents outside a `[N]` subset. */
  subsetDropped: number;
  /** Documents inside a `[N]` subset, by input index. */
  subsetKept: Record<string, number>;
  /** Reports of the finished items (`reports[0..reportsDone)` never change again). */
  reportsDone: number;
  /** The reports of the item being read, as they were (see {@link DocSource.openReports}). */
  reportsOpen: OpenReports;
  /** Input bytes consumed (progress). */
  bytesRead: number;
}

/**
 * The reports of the item being read at a snapshot, in O(1): the item's own report and the last
 * one pushed (the ZIP member being read) are the only ones that still change, so only they are
 * copied; the reports between them are final and are taken from the source when the list is
 * needed. Copying every member's report at every document made a ZIP of n members cost O(n^2).
 */
export interface OpenReports {
  /** The source's report count at the snapshot. */
  end: number;
  /** Copy of the item's own report (index `reportsDone`). */
  first?: FileReport;
  /** Copy of the last report pushed, when it is not the first. */
  last?: FileReport;
  /** The whole list, when it was stored whole (a snapshot restored from a checkpoint). */
  list?: FileReport[];
}

/** A copy of a report that later updates of the original do not reach. */
export function copyReport(r: FileReport): FileReport {
  return { ...r, ...(r.rowGroups ? { rowGroups: [...r.rowGroups] } : {}), ...(r.notes ? { notes: [...r.notes] } : {}) };
}

/** A document taken from the input, with the reader's state right after it. */
export interface SourcedDoc {
  doc: Doc;
  /** False when the document's fate is already sealed (its mixture budget is full), so it need not be tokenized. */
  tokenize: boolean;
  after: ReaderSnapshot;
}

/** A batch of documents and the reader's state where the batch ends. */
export interface DocBatch {
  docs: SourcedDoc[];
  /** State after the batch (at the end of the input: everything counted, trailing rejects included). */
  end: ReaderSnapshot;
  /** True when the input is exhausted. */
  last: boolean;
}

/**
 * A {@link RejectSink} that can be muted while a resumed build re-reads the part of a file that
 * its checkpoint already counted, and that tells when its counts change.
 */
export class ReplayableSink extends RejectSink {
  /** While true, rejects and drops are ignored (they were counted before the checkpoint). */
  muted = false;
  /** Bumped on every counted change. */
  version = 0;

  constructor(policy: OnError) {
    super(policy, 0);
  }

  override reject(reason: DropReason, location: RecordLocation, detail: string, documents = 1): void {
    if (this.muted) return;
    this.version++;
    super.reject(reason, location, detail, documents);
  }

  override drop(reason: DropReason, documents = 1): void {
    if (this.muted) return;
    this.version++;
    super.drop(reason, documents);
  }
}

/** Options of {@link DocSource}. */
export interface DocSourceOptions {
  plan: ReadPlan;
  seed: number;
  policy: OnError;
  displayRoot: string;
  /** The chosen subsets by input index. */
  subsets: ReadonlyMap<number, SubsetChoice>;
  /** Counters of the rejects file (read at every snapshot). */
  rejectsLength: () => { bytes: number; lines: number };
  /** Whether a document of this source can still be kept (false: skip its tokenization). */
  admits?: (source: string) => boolean;
  /** Progress: input bytes consumed. */
  onBytes?: (n: number) => void;
  /** Limits on one record (`config.limits`). */
  limits?: InputLimits;
  /** Receives warnings about inputs (not repeated while a resumed build re-reads what its checkpoint counted). */
  onWarning?: (file: string, message: string) => void;
  /** Reads the remote inputs (shared with the plan's listing). */
  remote?: RemoteAccess;
  /** Reads (and encodes) JSON lines files in line blocks, in tokenizer workers or on the main thread. */
  blocks?: BlockProcessor;
}

/**
 * Reads a rank's {@link ReadPlan} as batches of documents, each document carrying the reader's
 * counters right after it, so that the run loop can cut the input at any document (a budget
 * that fills mid-batch) or resume it exactly (a checkpoint). Documents outside a `[N]` subset
 * are counted and not returned.
 *
 * Resuming at `{item, docs}` re-reads that file from its start with the reject sink muted and
 * discards its first `docs` documents (the checkpoint counted them); files are never skipped
 * into, because compressed JSONL cannot seek. Tokenization is what a checkpoint saves.
 */
export class DocSource {
  /** The reject sink readers report to (the run loop subscribes to it to write rejects.jsonl). */
  readonly sink: ReplayableSink;
  /** Reports of every item read so far, in order (ZIP members after their archive). */
  readonly reports: FileReport[] = [];
  private state: { item: number; docs: number; total: number; subsetDropped: number; bytesRead: number; reportsDone: number };
  /** Subset members read, by input index, and a copy shared by snapshots until it changes. */
  private subsetKept: Record<string, number> = {};
  private subsetKeptCopy: Record<string, number> | undefined;
  private counts: { version: number; copy: Record<string, number> } = { version: -1, copy: {} };
  private readonly gen: AsyncGenerator<Doc>;
  /** Small JSON lines files read ahead (with a block processor). */
  private readonly prefetch: JsonlPrefetch | undefined;
  private exhausted = false;

  constructor(
    private readonly opts: DocSourceOptions,
    from?: { snapshot: ReaderSnapshot; reports: FileReport[] },
  ) {
    this.sink = new ReplayableSink(opts.policy);
    this.prefetch = opts.blocks ? new JsonlPrefetch(opts.blocks, (opts.limits ?? DEFAULT_INPUT_LIMITS).maxZstdWindow) : undefined;
    if (from) {
      const s = from.snapshot;
      Object.assign(this.sink.counts, s.rejectCounts);
      this.subsetKept = { ...s.subsetKept };
      this.reports.push(...from.reports.slice(0, s.reportsDone));
      this.state = { item: s.pos.item, docs: 0, total: s.docs, subsetDropped: s.subsetDropped, bytesRead: s.bytesRead, reportsDone: s.reportsDone };
      this.gen = this.read(s.pos);
    } else {
      this.state = { item: 0, docs: 0, total: 0, subsetDropped: 0, bytesRead: 0, reportsDone: 0 };
      this.gen = this.read({ item: 0, docs: 0 });
    }
  }

  /** The reader's counters now. */
  snapshot(): ReaderSnapshot {
    const st = this.state;
    if (this.counts.version !== this.sink.version) this.counts = { version: this.sink.version, copy: { ...this.sink.counts } };
    const len = this.opts.rejectsLength();
    return {
      pos: { item: st.item, docs: st.docs },
      docs: st.total,
      rejectCounts: this.counts.copy,
      rejectBytes: len.bytes,
      rejectLines: len.lines,
      subsetDropped: st.subsetDropped,
      subsetKept: (this.subsetKeptCopy ??= { ...this.subsetKept }),
      reportsDone: st.reportsDone,
      reportsOpen: this.openNow(),
      bytesRead: st.bytesRead,
    };
  }

  private openNow(): OpenReports {
    const start = this.state.reportsDone;
    const end = this.reports.length;
    if (end <= start) return { end };
    return { end, first: copyReport(this.reports[start]!), ...(end - 1 > start ? { last: copyReport(this.reports[end - 1]!) } : {}) };
  }

  /** The reports of the item that was being read at `snap`, as they were then. */
  openReports(snap: ReaderSnapshot): FileReport[] {
    const open = snap.reportsOpen as OpenReports | FileReport[];
    if (Array.isArray(open)) return open;
    if (open.list) return open.list;
    const start = snap.reportsDone;
    const out = this.reports.slice(start, open.end);
    if (open.first) out[0] = open.first;
    if (open.last) out[out.length - 1] = open.last;
    return out;
  }

  /**
   * The next batch: up to `maxDocs` documents or `maxChars` characters of documents to tokenize,
   * whichever comes first; null when the input is exhausted and nothing is left.
   */
  async nextBatch(maxDocs: number, maxChars: number): Promise<DocBatch | null> {
    if (this.exhausted) return null;
    const docs: SourcedDoc[] = [];
    let chars = 0;
    while (docs.length < maxDocs && chars < maxChars) {
      const r = await this.gen.next();
      if (r.done) {
        this.exhausted = true;
        return { docs, end: this.snapshot(), last: true };
      }
      const doc = r.value;
      const tokenize = this.opts.admits ? this.opts.admits(doc.source) : true;
      // An encoded document weighs its tokens (its text did not come back from the worker).
      if (tokenize) chars += doc.encoded ? idsLength(doc.encoded) : docChars(doc);
      docs.push({ doc, tokenize, after: this.snapshot() });
    }
    return { docs, end: docs[docs.length - 1]!.after, last: false };
  }

  /** Stops reading (closes the open file, and those read ahead). */
  async close(): Promise<void> {
    await this.gen.return(undefined);
    await this.prefetch?.close();
  }

  /**
   * Opens the small JSON lines files after item `i` ahead of their turn (see {@link JsonlPrefetch}),
   * with the field map, source name and display path their own reads will use.
   */
  private readAhead(i: number): void {
    const pre = this.prefetch;
    if (!pre) return;
    const { plan, displayRoot, limits } = this.opts;
    for (let j = i + 1; j < plan.items.length; j++) {
      const item = plan.items[j]!;
      const file = item.file;
      if (pre.has(file.rawPath ?? file.path)) continue;
      if (!pre.eligible(file, /^\.json(\.|$)/.test(detectFormat(file.path)?.extension ?? ''))) continue;
      if (!pre.hasRoom(file.size)) return;
      const input = plan.inputs[item.input]!;
      pre.start(file, {
        displayPath: displayPathOf(file.path, displayRoot),
        fields: fieldsOf(input),
        sourceName: input.config.name ?? inputName(file.path),
        maxLineBytes: (limits ?? DEFAULT_INPUT_LIMITS).maxLineBytes,
      });
    }
  }

  private async *read(from: ReaderPosition): AsyncGenerator<Doc> {
    const { plan, seed } = this.opts;
    const st = this.state;
    for (let i = from.item; i < plan.items.length; i++) {
      const item = plan.items[i]!;
      const input = plan.inputs[item.input]!;
      const subset = this.opts.subsets.get(input.index);
      st.item = i;
      st.docs = 0;
      let skip = i === from.item ? from.docs : 0;
      this.sink.muted = skip > 0;
      this.readAhead(i);
      const docs = readDocs([item.file], {
        fields: fieldsOf(input),
        name: input.config.name,
        rejects: this.sink,
        reports: this.reports,
        displayRoot: this.opts.displayRoot,
        limits: this.opts.limits,
        remote: this.opts.remote,
        blocks: this.opts.blocks,
        prefetch: this.prefetch,
        onWarning: (file, message) => {
          if (!this.sink.muted) this.opts.onWarning?.(file, message);
        },
        onBytes: (n) => {
          // Bytes of the part re-read on resume were counted before the checkpoint.
          if (skip > 0) return;
          st.bytesRead += n;
          this.opts.onBytes?.(n);
        },
      });
      for await (const doc of docs) {
        st.docs++;
        if (skip > 0) {
          if (--skip === 0) this.sink.muted = false;
          continue;
        }
        st.total++;
        if (subset && !inSubset(subsetRank(seed, input.index, doc.id, tieKey(item.fileIndex, doc)), subset.threshold)) {
          st.subsetDropped++;
          continue;
        }
        if (subset) {
          this.subsetKept[input.index] = (this.subsetKept[input.index] ?? 0) + 1;
          this.subsetKeptCopy = undefined;
        }
        yield doc;
      }
      this.sink.muted = false;
      st.reportsDone = this.reports.length;
    }
    st.item = plan.items.length;
    st.docs = 0;
  }
}
