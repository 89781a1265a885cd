import type { BuilderStats } from '../samples/builder.js';
import type { Mixer } from '../mix/mixer.js';
import type { LoopResult } from './build-loop.js';

/** The manifest's `documents` section. */
export interface DocumentAccounts {
  read: number;
  written: number;
  dropped: Record<string, number>;
}

/** Adds counts into a table. */
function addInto(t: Record<string, number>, more: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(more)) if (v) t[k] = (t[k] ?? 0) + v;
}

/**
 * Reconciles what happened to every document: read (documents the readers yielded plus records
 * lost to bad input) = written + Σ dropped, where drops come from bad input and empty texts
 * (reader), `[N]` subsets (`subset`), tokenization (`empty`, `too_long`), the mixer (`mix_*`)
 * and the builder (`remainder`, `too_long`, …). Throws when the books do not balance: that is a
 * bug, never a user error.
 */
export function documentAccounts(loop: LoopResult, mixer: Mixer, builder: BuilderStats): DocumentAccounts {
  const dropped: Record<string, number> = {};
  addInto(dropped, loop.reader.rejectCounts);
  if (loop.reader.subsetDropped) addInto(dropped, { subset: loop.reader.subsetDropped });
  addInto(dropped, loop.tokenizeDrops);
  addInto(dropped, mixer.droppedCounts());
  addInto(dropped, builder.dropped);
  const bad = Object.values(loop.reader.rejectCounts).reduce((a, b) => a + b, 0);
  const read = loop.reader.docs + bad;
  const written = builder.written;
  const total = Object.values(dropped).reduce((a, b) => a + b, 0);
  if (read !== written + total) throw new Error(`document accounting does not reconcile: read ${read} != written ${written} + dropped ${total}`);
  return { read, written, dropped };
}
