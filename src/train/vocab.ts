/**
 * The model vocabulary: a dense id range the embedding table covers.
 *
 * Real tokenizers have 100k–200k ids (Llama-3 128,256, o200k 200,019). A tiny model with a full
 * tied embedding would spend nearly all its parameters and FLOPs on the output layer, so by default
 * the trainer keeps the `size − 1` most frequent tokenizer ids of the training shards (ties broken
 * by the smaller id) as model ids 0 … size − 2, and maps every other id to one out-of-vocabulary
 * id, `size − 1`. `full` keeps the tokenizer's ids as they are. The mapping is stored in the
 * checkpoint, so evaluation maps its tokens the same way.
 */

/** A model vocabulary, as stored in a checkpoint. */
export type VocabSpec =
  | { kind: 'full'; size: number }
  | { kind: 'compact'; size: number; /** tokenizer id of model ids 0 … size − 2 */ ids: number[] };

/** Maps tokenizer ids to model ids and back. */
export interface Vocab {
  readonly spec: VocabSpec;
  /** Number of model ids. */
  readonly size: number;
  /** The out-of-vocabulary model id, or -1 for a full vocabulary. */
  readonly oov: number;
  /** Model id of a tokenizer id. */
  toModel(id: number): number;
  /** Tokenizer id of a model id, or -1 for the out-of-vocabulary id. */
  toTokenizer(modelId: number): number;
}

/** The {@link Vocab} of a stored spec. */
export function vocabFromSpec(spec: VocabSpec): Vocab {
  if (spec.kind === 'full') {
    return {
      spec,
      size: spec.size,
      oov: -1,
      toModel: (id) => {
        if (id < 0 || id >= spec.size) throw new RangeError(`token id ${id} is outside the model vocabulary of ${spec.size}`);
        return id;
      },
      toTokenizer: (m) => m,
    };
  }
  const oov = spec.size - 1;
  if (spec.ids.length !== oov) throw new RangeError(`compact vocabulary of size ${spec.size} lists ${spec.ids.length} ids, expected ${oov}`);
  const map = new Map<number, number>();
  spec.ids.forEach((id, m) => map.set(id, m));
  return {
    spec,
    size: spec.size,
    oov,
    toModel: (id) => map.get(id) ?? oov,
    toTokenizer: (m) => (m === oov ? -1 : spec.ids[m]!),
  };
}

/** Counts token ids (a growable dense table: ids are small non-negative integers). */
export class TokenCounter {
  private counts = new Float64Array(1024);

  /** Adds every id of `ids`. */
  add(ids: ArrayLike<number>): void {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id >= this.counts.length) {
        const grown = new Float64Array(Math.max(id + 1, this.counts.length * 2));
        grown.set(this.counts);
        this.counts = grown;
      }
      this.counts[id]!++;
    }
  }

  /** Count of one id. */
  count(id: number): number {
    return this.counts[id] ?? 0;
  }

  /**
   * The compact vocabulary of at most `size` model ids: the `size − 1` most frequent ids (ties:
   * smaller id first) plus the out-of-vocabulary id. Smaller when fewer distinct ids were seen.
   */
  compact(size: number): VocabSpec {
    if (!Number.isInteger(size) || size < 2) throw new RangeError(`vocabulary size must be an integer ≥ 2, got ${size}`);
    const seen: number[] = [];
    for (let id = 0; id < this.counts.length; id++) if (this.counts[id]! > 0) seen.push(id);
    seen.sort((a, b) => this.counts[b]! - this.counts[a]! || a - b);
    const ids = seen.slice(0, size - 1);
    return { kind: 'compact', size: ids.length + 1, ids };
  }
}
