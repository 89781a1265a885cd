import { SmallestRanks, subsetRank, type SubsetRank } from '../mix/subset.js';
import type { Doc } from '../sources/doc.js';
import type { InputLimits } from '../sources/input-limits.js';
import type { RemoteAccess } from '../sources/remote/remote-access.js';
import { readDocs } from '../sources/read-docs.js';
import { RejectSink } from '../util/reject-sink.js';
import type { PlanInput } from './read-plan.js';

/** The result of scanning a `[N]` input: the rank threshold of its subset and how many documents it has. */
export interface SubsetChoice {
  /** Requested size. */
  n: number;
  /** Documents in the input. */
  available: number;
  /** Documents at or below this rank are selected; null selects all (fewer than N available). */
  threshold: SubsetRank | null;
}

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
 * computes the same subset) without tokenizing, ranks each document by
 * `rngFor(seed, 'subset', input + id)` and keeps the N smallest ranks (memory O(N)). Bad records
 * are skipped silently here; pass 2 (the build) reports them. Pass 2 then keeps exactly the
 * documents ranked at or below the threshold, wherever they are read.
 */
export async function scanSubset(input: PlanInput, seed: number, displayRoot: string, limits?: InputLimits, remote?: RemoteAccess): Promise<SubsetChoice> {
  const n = input.subset!;
  const best = new SmallestRanks(n);
  const quiet = new RejectSink('skip', 0);
  for (const [fileIndex, file] of input.files.entries()) {
    for await (const doc of readDocs([file], { fields: fieldsOf(input), name: input.config.name, rejects: quiet, displayRoot, limits, remote })) {
      best.offer(subsetRank(seed, input.index, doc.id, tieKey(fileIndex, doc)));
    }
  }
  return { n, available: best.seen, threshold: best.threshold() };
}
