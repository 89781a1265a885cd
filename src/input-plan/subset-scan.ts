import { SmallestRanks, subsetRank, type SubsetRank } from '../mix/subset.js';
import type { Doc } from '../sources/doc.js';
import type { InputLimits } from '../sources/input-limits.js';
import type { RemoteAccess } from '../sources/remote/remote-access.js';
import { readDocs } from '../sources/read-docs.js';
import { docChars, encodeDocs } from '../tokenize/encode-docs.js';
import type { TokenizerEngine } from '../tokenize/engine.js';
import { tokenizeOutcome, type TokenizeStageOptions } from '../tokenize/tokenize-stage.js';
import { RejectSink } from '../util/reject-sink.js';
import type { PlanInput } from './read-plan.js';

/** The result of scanning a `[N]` input: the rank threshold of its subset and how many documents it has. */
export interface SubsetChoice {
  /** Requested size. */
  n: number;
  /** Documents in the input. */
  available: number;
  /** Documents in the input that the build's per-document filters keep: the pool the subset is drawn from. */
  eligible: number;
  /** Documents at or below this rank are selected; null selects all (fewer than N eligible). */
  threshold: SubsetRank | null;
}

/**
 * The build's per-document filters, which run before a subset is drawn (as Llama-3-80K's loader
 * drops too-long conversations and then keeps N of the rest): the tokenize stage's rules (a
 * text with no tokens is `empty`, a conversation longer than `maxChatTokens` is `too_long`) and
 * the builder's own length limit (`long_documents: drop`).
 */
export interface SubsetFilter {
  /** Encodes the documents (the build's engine or its worker pool). */
  engine: TokenizerEngine;
  /** The tokenize stage's options (BOS/EOS policy, chat renderer, `maxChatTokens`). */
  tokenize: TokenizeStageOptions;
  /** Documents longer than this many tokens are dropped by the builder; undefined: none are. */
  maxTokens?: number;
}

/** Documents and characters per engine call in pass 1 (as the build's batches). */
const BATCH_DOCS = 256;
const BATCH_CHARS = 1 << 20;

/** The tie key of a document: its file within the input and its record location (unique per record). */
export function tieKey(fileIndex: number, doc: Doc): string {
  const at = doc.loc.line ?? doc.loc.row ?? doc.loc.offset ?? 0;
  return `${String(fileIndex).padStart(9, '0')}\u0000${doc.loc.member ?? ''}\u0000${String(at).padStart(15, '0')}`;
}

/** The field map of an input, as the readers take it. */
export function fieldsOf(input: PlanInput): { text: string; id: string; source?: string; messages?: string } {
  const f = input.config.fields as { text: string; id: string; source?: string; messages?: string };
  return { text: f.text, id: f.id, source: f.source, messages: f.messages };
}

/**
 * Pass 1 of a `[N]` subset: reads every file of the input (all ranks' files, so every rank
 * computes the same subset), tokenizes each document with the build's rules and, for those the
 * build's filters keep (`filter`; without it every document counts), ranks it by
 * `rngFor(seed, 'subset', input + id)` and keeps the N smallest ranks (memory O(N)). Bad records
 * are skipped silently here; pass 2 (the build) reports them. Pass 2 then keeps the documents
 * ranked at or below the threshold, wherever they are read: the N chosen ones, plus any document
 * the filters drop anyway (counted under its own reason, `too_long` or `empty`).
 */
export async function scanSubset(input: PlanInput, seed: number, displayRoot: string, filter?: SubsetFilter, limits?: InputLimits, remote?: RemoteAccess): Promise<SubsetChoice> {
  const n = input.subset!;
  const best = new SmallestRanks(n);
  const quiet = new RejectSink('skip', 0);
  let available = 0;
  let batch: Array<{ doc: Doc; rank: SubsetRank }> = [];
  let chars = 0;
  const flush = async () => {
    const docs = batch;
    batch = [];
    chars = 0;
    const encoded = await encodeDocs(filter!.engine, docs.map((d) => d.doc), filter!.tokenize.chat, filter!.tokenize.policy.bos);
    docs.forEach(({ doc, rank }, i) => {
      const r = tokenizeOutcome(doc, encoded[i]!, filter!.tokenize);
      if ('drop' in r || (filter!.maxTokens !== undefined && r.doc.tokens.length > filter!.maxTokens)) return;
      best.offer(rank);
    });
  };
  for (const [fileIndex, file] of input.files.entries()) {
    for await (const doc of readDocs([file], { fields: fieldsOf(input), name: input.config.name, rejects: quiet, displayRoot, limits, remote })) {
      available++;
      const rank = subsetRank(seed, input.index, doc.id, tieKey(fileIndex, doc));
      if (!filter) {
        best.offer(rank);
        continue;
      }
      batch.push({ doc, rank });
      chars += docChars(doc);
      if (batch.length >= BATCH_DOCS || chars >= BATCH_CHARS) await flush();
    }
  }
  if (batch.length) await flush();
  return { n, available, eligible: best.seen, threshold: best.threshold() };
}

/**
 * Pass 1 of every `[N]` input of a plan, by input index; logs the inputs with fewer eligible
 * documents than asked for (all of those are used).
 */
export async function scanSubsets(inputs: readonly PlanInput[], seed: number, displayRoot: string, filter: SubsetFilter | undefined, log?: (line: string) => void, limits?: InputLimits, remote?: RemoteAccess): Promise<Map<number, SubsetChoice>> {
  const out = new Map<number, SubsetChoice>();
  for (const input of inputs) if (input.subset !== undefined) out.set(input.index, await scanSubset(input, seed, displayRoot, filter, limits, remote));
  for (const [index, c] of out) {
    if (c.eligible < c.n) log?.(`inputs[${index}] holds ${c.eligible} documents the build keeps${c.eligible < c.available ? ` (of ${c.available})` : ''}, fewer than the ${c.n} asked for; all are used`);
  }
  return out;
}
