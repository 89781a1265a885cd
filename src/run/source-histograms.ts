import { LengthHistogram, type Histogram } from '../shards/histogram.js';

/** Per-source document lengths: before mixing (`read`) and after (`kept`). */
export interface SourceHistogramsJSON {
  [source: string]: { read: Histogram; kept: Histogram };
}

/**
 * Document-length histograms per source, in tokens: `read` counts every tokenized document
 * whose source still had budget when it came (all documents when there is no mixing), `kept`
 * the documents passed to the builder. They go into the manifest as
 * `histograms.sources`, and the difference shows what per-source upsampling did.
 */
export class SourceHistograms {
  private readonly by = new Map<string, { read: LengthHistogram; kept: LengthHistogram }>();

  private of(source: string): { read: LengthHistogram; kept: LengthHistogram } {
    let h = this.by.get(source);
    if (!h) this.by.set(source, (h = { read: new LengthHistogram(), kept: new LengthHistogram() }));
    return h;
  }

  /** Counts a document of `source` as read (before mixing). */
  read(source: string, tokens: number): void {
    this.of(source).read.add(tokens);
  }

  /** Counts a document of `source` as kept (after mixing). */
  kept(source: string, tokens: number): void {
    this.of(source).kept.add(tokens);
  }

  /** The JSON form, sources sorted by name. */
  toJSON(): SourceHistogramsJSON {
    const out: SourceHistogramsJSON = {};
    for (const name of [...this.by.keys()].sort()) {
      const h = this.by.get(name)!;
      out[name] = { read: h.read.toJSON(), kept: h.kept.toJSON() };
    }
    return out;
  }

  /** Rebuilds from the JSON form. */
  static fromJSON(j: SourceHistogramsJSON): SourceHistograms {
    const s = new SourceHistograms();
    for (const [name, h] of Object.entries(j)) s.by.set(name, { read: LengthHistogram.fromJSON(h.read), kept: LengthHistogram.fromJSON(h.kept) });
    return s;
  }

  /** Adds another set (merging ranks). */
  merge(j: SourceHistogramsJSON): this {
    for (const [name, h] of Object.entries(j)) {
      const mine = this.of(name);
      mine.read.merge(h.read);
      mine.kept.merge(h.kept);
    }
    return this;
  }
}
