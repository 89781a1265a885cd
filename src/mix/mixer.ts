import { rngFor } from '../util/rng.js';

/**
 * How documents are selected (Fu et al.'s `--down_sample_mode`, docs/configuration.md#mixing):
 * - `none`: every document is kept (up to `totalTokens`, when given);
 * - `global`: short documents are kept with probability `shortKeep`, long ones always (up to
 *   `totalTokens`, when given); the mixture drifts toward sources with long documents;
 * - `per_source`: each source gets `totalTokens × share` of budget from a mixture table and is
 *   filled independently with the same short-document rule, so every source keeps its share
 *   while its long documents are upsampled.
 */
export type MixMode = 'none' | 'per_source' | 'global';

/** The quantity budgets and the short threshold are measured in. */
export type MixLength = 'tokens' | 'chars';

/** Options of a {@link Mixer}. */
export interface MixerOptions {
  mode: MixMode;
  /** Pipeline seed (the short-document draw uses `rngFor(seed, 'mix', documentId)`). */
  seed: number;
  /** Overall budget in tokens; required by `per_source`, a cap for the other modes. */
  totalTokens?: number;
  /** Normalised shares by source name (`per_source` only; see `resolveMixture`). */
  shares?: Readonly<Record<string, number>>;
  /** A document is short when its length is below this (in the `length` unit). */
  shortThreshold: number;
  /** Probability of keeping a short document (`global`, `per_source`); 1 keeps all. */
  shortKeep: number;
  /**
   * `tokens`: lengths and budgets count the document's real tokens (BOS/EOS included, as written
   * into rows). `chars`: they count `characters / charsPerToken` like the reference code
   * (code points / 3.68 for Llama-2), for parity with Fu et al.
   */
  length: MixLength;
  /** Characters per token of the `chars` estimate (default 3.68). */
  charsPerToken?: number;
  /** Share of the budgets this mixer fills (a rank of a scaled-out build fills its part). Default 1. */
  budgetFraction?: number;
}

/** What the mixer needs to know about a document. */
export interface MixCandidate {
  id: string;
  source: string;
  /** Tokens of the document as written (BOS/EOS included). */
  tokens: number;
  /** Length of its text in Unicode code points (used by the `chars` estimate). */
  chars: number;
}

/** Why the mixer dropped a document (keys of the manifest's `documents.dropped`). */
export type MixDropReason = 'mix_not_in_mixture' | 'mix_source_full' | 'mix_budget_full' | 'mix_short';

/** A decision; `open` says whether the document's source still had budget when it came (it then counts in the "before" statistics). */
export type MixDecision = { keep: true; open: true } | { keep: false; open: boolean; reason: MixDropReason };

/** Per-source counters of a mixer. */
export interface MixSourceCounters {
  /** Budget used, in the `length` unit (estimated tokens under `chars`). */
  used: number;
  /** Real tokens of the documents kept. */
  tokens: number;
  /** Documents kept. */
  documents: number;
  /** Documents that came while the source was open (kept or dropped as short). */
  considered: number;
  /** Real tokens of those documents. */
  consideredTokens: number;
  /** Documents dropped, by reason. */
  dropped: Partial<Record<MixDropReason, number>>;
}

/** A mixer's whole state, JSON-serialisable (the resume checkpoint stores it). */
export interface MixerState {
  sources: Record<string, MixSourceCounters>;
  used: number;
  /** Set once a document was refused because its source or the total was full. */
  budgetReached: boolean;
}

/** One source in a {@link MixReport}. */
export interface MixReportSource {
  /** Target share of the mixture (`per_source`), else absent. */
  target_share?: number;
  /** Target in tokens (estimated tokens under `chars`), when there is a budget. */
  target_tokens?: number;
  /** Budget used, in the budget unit. */
  budget_used: number;
  /** Real tokens kept. */
  tokens: number;
  /** Achieved share: tokens kept / all tokens kept. */
  share: number;
  documents: number;
  considered_documents: number;
  considered_tokens: number;
  dropped: Partial<Record<MixDropReason, number>>;
}

/** The manifest's `mix` section: settings, targets and what was achieved per source. */
export interface MixReport {
  mode: MixMode;
  length: MixLength;
  chars_per_token?: number;
  total_tokens: number | null;
  budget_fraction: number;
  short_threshold: number;
  short_keep: number;
  /** Real tokens kept, all sources. */
  tokens: number;
  /** Whether a budget was reached (some document was refused because its source or the total was full). */
  budget_reached: boolean;
  /** Whether reading stopped before the end of the inputs because every budget was full (set by the run loop). */
  stopped_early?: boolean;
  sources: Record<string, MixReportSource>;
}

export { codePoints } from '../util/code-points.js';

function emptyCounters(): MixSourceCounters {
  return { used: 0, tokens: 0, documents: 0, considered: 0, consideredTokens: 0, dropped: {} };
}

/**
 * Decides, document by document and in input order, which documents a build keeps, following
 * Fu et al.'s `slimpajama_packing.py` (docs/recipes.md#lceg--fu-et-al-per-source-upsampling):
 *
 * ```
 * if source not in mixture (per_source): drop (mix_not_in_mixture)
 * if used[source] >= budget[source] (per_source) or used >= total: drop (mix_source_full / mix_budget_full)
 * if length < short_threshold and rng(seed, 'mix', id) >= short_keep: drop (mix_short)
 * used[source] += length; keep
 * ```
 *
 * The budget check comes before the length rule, so a source overshoots its budget by at most one
 * document. The random draw is keyed by the document id, so decisions do not depend on worker
 * counts, batch sizes or interruptions; the budget counters make them depend on input order,
 * which is fixed. Unlike the reference, a source with used == budget is full (the reference's
 * `>` lets one more document in).
 */
export class Mixer {
  private state: MixerState = { sources: {}, used: 0, budgetReached: false };
  private readonly budgets: Readonly<Record<string, number>> | undefined;
  private readonly total: number | undefined;
  private readonly charsPerToken: number;
  private readonly fraction: number;

  constructor(readonly opts: MixerOptions) {
    this.charsPerToken = opts.charsPerToken ?? 3.68;
    this.fraction = opts.budgetFraction ?? 1;
    if (!(this.fraction >= 0 && this.fraction <= 1)) throw new RangeError(`budgetFraction must be in [0, 1], got ${this.fraction}`);
    if (!(opts.shortKeep >= 0 && opts.shortKeep <= 1)) throw new RangeError(`shortKeep must be in [0, 1], got ${opts.shortKeep}`);
    if (!(this.charsPerToken > 0)) throw new RangeError(`charsPerToken must be positive, got ${this.charsPerToken}`);
    this.total = opts.totalTokens === undefined ? undefined : opts.totalTokens * this.fraction;
    if (opts.mode === 'per_source') {
      if (opts.totalTokens === undefined || !opts.shares) throw new RangeError('per_source mixing needs totalTokens and shares');
      this.budgets = Object.fromEntries(Object.entries(opts.shares).map(([s, share]) => [s, opts.totalTokens! * share * this.fraction]));
      for (const s of Object.keys(this.budgets)) this.state.sources[s] = emptyCounters();
    }
  }

  /** Whether every budget is full: nothing more will be kept, so reading can stop. */
  get done(): boolean {
    if (this.budgets) {
      for (const [s, b] of Object.entries(this.budgets)) if (this.state.sources[s]!.used < b) return false;
      return true;
    }
    return this.total !== undefined && this.state.used >= this.total;
  }

  /**
   * A cheap check before tokenization: false when a document of `source` is certain to be
   * dropped (not in the mixture, or its budget full). Budgets only fill up, so a document refused
   * here would be refused by {@link decide} too; skipping its tokenization changes no outcome.
   */
  admits(source: string): boolean {
    if (this.budgets) {
      const b = this.budgets[source];
      return b !== undefined && this.state.sources[source]!.used < b;
    }
    return this.total === undefined || this.state.used < this.total;
  }

  /** The budget length of a document, in the `length` unit. */
  lengthOf(c: MixCandidate): number {
    return this.opts.length === 'chars' ? c.chars / this.charsPerToken : c.tokens;
  }

  /** Decides one document and updates the counters. Call in input order. */
  decide(c: MixCandidate): MixDecision {
    const st = this.state;
    let counters = st.sources[c.source];
    if (this.budgets && this.budgets[c.source] === undefined) {
      counters ??= st.sources[c.source] = emptyCounters();
      return this.drop(counters, 'mix_not_in_mixture', false);
    }
    counters ??= st.sources[c.source] = emptyCounters();
    if (this.budgets && counters.used >= this.budgets[c.source]!) {
      st.budgetReached = true;
      return this.drop(counters, 'mix_source_full', false);
    }
    if (this.total !== undefined && !this.budgets && st.used >= this.total) {
      st.budgetReached = true;
      return this.drop(counters, 'mix_budget_full', false);
    }
    const len = this.lengthOf(c);
    counters.considered++;
    counters.consideredTokens += c.tokens;
    if (this.opts.mode !== 'none' && len < this.opts.shortThreshold && this.opts.shortKeep < 1) {
      if (!(rngFor(this.opts.seed, 'mix', c.id).float() < this.opts.shortKeep)) return this.drop(counters, 'mix_short', true);
    }
    counters.used += len;
    counters.tokens += c.tokens;
    counters.documents++;
    st.used += len;
    return { keep: true, open: true };
  }

  private drop(counters: MixSourceCounters, reason: MixDropReason, open: boolean): MixDecision {
    counters.dropped[reason] = (counters.dropped[reason] ?? 0) + 1;
    return { keep: false, open, reason };
  }

  /** Documents dropped, by reason, all sources together. */
  droppedCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of Object.values(this.state.sources)) for (const [r, n] of Object.entries(c.dropped)) out[r] = (out[r] ?? 0) + n!;
    return out;
  }

  /** A deep copy of the state (for a checkpoint). */
  snapshot(): MixerState {
    return structuredClone(this.state);
  }

  /** Restores a state taken by {@link snapshot}. */
  restore(s: MixerState): void {
    this.state = structuredClone(s);
  }

  /** The manifest's `mix` section. */
  report(): MixReport {
    const o = this.opts;
    let tokens = 0;
    for (const c of Object.values(this.state.sources)) tokens += c.tokens;
    const names = Object.keys(this.state.sources).sort();
    const sources: Record<string, MixReportSource> = {};
    for (const name of names) {
      const c = this.state.sources[name]!;
      const r: MixReportSource = {
        budget_used: c.used,
        tokens: c.tokens,
        share: tokens ? c.tokens / tokens : 0,
        documents: c.documents,
        considered_documents: c.considered,
        considered_tokens: c.consideredTokens,
        dropped: { ...c.dropped },
      };
      if (this.budgets && o.shares?.[name] !== undefined) {
        r.target_share = o.shares[name];
        r.target_tokens = this.budgets[name];
      }
      sources[name] = r;
    }
    return {
      mode: o.mode,
      length: o.length,
      ...(o.length === 'chars' ? { chars_per_token: this.charsPerToken } : {}),
      total_tokens: this.total ?? null,
      budget_fraction: this.fraction,
      short_threshold: o.shortThreshold,
      short_keep: o.mode === 'none' ? 1 : o.shortKeep,
      tokens,
      budget_reached: this.state.budgetReached,
      sources,
    };
  }
}
