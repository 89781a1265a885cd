import { MergeTable } from './merge-table.js';
import { PairMerger } from './pair-merger.js';
import { escapeLiteral } from './split-pattern.js';

/** Everything that defines a byte-level BPE tokenizer's encoding of plain text. */
export interface ByteLevelBpeSpec {
  /** Bytes of every mergeable token, indexed by id (holes for ids that are not mergeable tokens). */
  tokenBytes: ReadonlyArray<Uint8Array | undefined>;
  /** Merge rules as (left id, right id, rank, merged id), in rank order. */
  merges: Iterable<readonly [number, number, number, number]>;
  /** Number of merge rules (sizes the table). */
  mergeCount: number;
  /** Split regular expressions (`gu` flags), applied in turn: each splits the pieces of the one before; text between matches is kept as pieces too (Hugging Face's `Isolated`). */
  splitters: readonly RegExp[];
  /** Unicode normalization applied to text before splitting (tokenizer.json's NFC normalizer). */
  normalize?: 'NFC';
  /**
   * A pre-token that is itself a token is emitted whole without merging: tiktoken always does
   * this; tokenizer.json models do when their model says `ignore_merges` (Llama-3).
   */
  wholePieceFirst: boolean;
  /** Tokens matched in raw text before anything else (tokenizer.json's non-special added tokens), string → id. */
  textAddedTokens?: ReadonlyMap<string, number>;
}

/** Pre-tokens up to this many UTF-16 units are cached. */
const CACHE_MAX_PIECE = 100;
/** The cache is emptied when it holds this many pre-tokens (keeps memory bounded on any corpus). */
const CACHE_MAX_ENTRIES = 100_000;

/**
 * skein's byte-level BPE encoder: pre-tokenizes with the tokenizer's own split pattern, looks each
 * pre-token up in a cache (or, where the reference does, in the vocabulary as a whole), and
 * otherwise merges its UTF-8 bytes with {@link PairMerger} — near-linear on any input, and
 * token-identical to the reference engines (tested on the agreement corpora).
 *
 * One instance per thread: it keeps mutable scratch space and a cache.
 */
export class ByteLevelBpe {
  private readonly byteIds = new Int32Array(256);
  private readonly textVocab = new Map<string, number>();
  private readonly merger: PairMerger;
  private readonly cache = new Map<string, number | number[]>();
  private readonly splitters: RegExp[];
  private readonly sticky: RegExp[];
  private readonly addedSplit: RegExp | undefined;
  private readonly added: ReadonlyMap<string, number>;
  private scratchBytes = new Uint8Array(1024);
  private scratchIds = new Int32Array(1024);
  private readonly utf8 = new TextEncoder();
  private readonly lenient = new TextDecoder('utf-8', { ignoreBOM: true });

  /** Every mergeable token's bytes, back to back (one buffer, not one array per token). */
  private readonly bytesPool: Uint8Array;
  /** Where token id's bytes start in {@link bytesPool} (-1: not a mergeable token). */
  private readonly bytesStart: Int32Array;
  private readonly bytesEnd: Int32Array;
  private readonly normalize: 'NFC' | undefined;
  private readonly wholePieceFirst: boolean;

  /** Builds the encoder; it keeps nothing of `spec` but compact copies (the merge list can be dropped). */
  constructor(spec: ByteLevelBpeSpec) {
    this.normalize = spec.normalize;
    this.wholePieceFirst = spec.wholePieceFirst;
    let total = 0;
    for (const b of spec.tokenBytes) if (b) total += b.length;
    this.bytesPool = new Uint8Array(total);
    this.bytesStart = new Int32Array(spec.tokenBytes.length).fill(-1);
    let at = 0;
    for (let id = 0; id < spec.tokenBytes.length; id++) {
      const b = spec.tokenBytes[id];
      if (b) {
        this.bytesStart[id] = at;
        this.bytesPool.set(b, at);
        at += b.length;
      }
    }
    // Ends: the start of the next token that has bytes, or the pool's end.
    this.bytesEnd = new Int32Array(spec.tokenBytes.length);
    let next = total;
    for (let id = spec.tokenBytes.length - 1; id >= 0; id--) {
      this.bytesEnd[id] = next;
      if (this.bytesStart[id]! >= 0) next = this.bytesStart[id]!;
    }
    const table = new MergeTable(spec.mergeCount);
    for (const [a, b, rank, merged] of spec.merges) table.set(a, b, rank, merged);
    this.merger = new PairMerger(table);
    this.byteIds.fill(-1);
    spec.tokenBytes.forEach((bytes, id) => {
      if (!bytes) return;
      if (bytes.length === 1 && this.byteIds[bytes[0]!] === -1) this.byteIds[bytes[0]!] = id;
    });
    for (let b = 0; b < 256; b++) if (this.byteIds[b] === -1) throw new Error(`byte 0x${b.toString(16)} has no token: not a byte-level vocabulary`);
    if (spec.wholePieceFirst) {
      // ignoreBOM: a token that starts with U+FEFF (o200k has "\uFEFF\uFEFF") must keep it.
      const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
      spec.tokenBytes.forEach((bytes, id) => {
        if (!bytes) return;
        try {
          const text = strict.decode(bytes);
          if (!this.textVocab.has(text)) this.textVocab.set(text, id);
        } catch {
          // Not valid UTF-8 on its own: a text pre-token can never equal it.
        }
      });
    }
    this.splitters = spec.splitters.map((r) => new RegExp(r.source, 'gu'));
    this.sticky = spec.splitters.map((r) => new RegExp(r.source, 'yu'));
    this.added = spec.textAddedTokens ?? new Map();
    // Longest first, so that at any position the longest added token wins (the reference's leftmost-longest match).
    const alternatives = [...this.added.keys()].sort((x, y) => y.length - x.length).map(escapeLiteral);
    this.addedSplit = alternatives.length ? new RegExp(alternatives.join('|'), 'gu') : undefined;
  }

  /** The id of a token given as its text, or undefined (only for vocabularies looked up whole: `wholePieceFirst`). */
  tokenId(text: string): number | undefined {
    return this.textVocab.get(text);
  }

  /** Heap steps the merger has taken (see {@link PairMerger.ops}). */
  get mergeOps(): number {
    return this.merger.ops;
  }

  /** Encodes `text` (no special tokens added) and returns its ids. */
  encode(text: string): number[] {
    const out: number[] = [];
    if (!this.addedSplit) {
      this.encodeSegment(text, out);
      return out;
    }
    const re = this.addedSplit;
    re.lastIndex = 0;
    let last = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m.index > last) this.encodeSegment(text.slice(last, m.index), out);
      out.push(this.added.get(m[0])!);
      last = m.index + m[0].length;
    }
    if (last < text.length) this.encodeSegment(last === 0 ? text : text.slice(last), out);
    return out;
  }

  /**
   * Decodes ids to text: their bytes joined, invalid UTF-8 replaced by U+FFFD (as the references
   * do), a leading U+FEFF kept. `extraBytes` gives the bytes of ids that are not mergeable tokens
   * (special and added tokens); an id known to neither is an error.
   */
  decode(ids: ArrayLike<number>, extraBytes: (id: number) => Uint8Array | undefined): string {
    const parts: Uint8Array[] = [];
    let n = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const start = id >= 0 && id < this.bytesEnd.length ? this.bytesStart[id]! : -1;
      const b = start >= 0 ? this.bytesPool.subarray(start, this.bytesEnd[id]!) : extraBytes(id);
      if (!b) throw new Error(`token id ${id} is not in the vocabulary`);
      parts.push(b);
      n += b.length;
    }
    const all = new Uint8Array(n);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return this.lenient.decode(all);
  }

  /** Merges raw bytes as one pre-token (no normalization, splitting or cache) and returns the ids. */
  encodeBytes(bytes: Uint8Array): number[] {
    const ids = Int32Array.from(bytes, (b) => this.byteIds[b]!);
    const out: number[] = [];
    this.merger.merge(ids, ids.length, out);
    return out;
  }

  private encodeSegment(segment: string, out: number[]): void {
    const text = this.normalize ? segment.normalize(this.normalize) : segment;
    this.split(text, 0, out);
  }

  /** Splits `text` with splitter `level` (keeping the text between matches) and encodes the pieces. */
  private split(text: string, level: number, out: number[]): void {
    if (level === this.splitters.length) {
      this.encodePiece(text, out);
      return;
    }
    // Pieces are found with a sticky regex and `test`, which allocates no match array (the
    // patterns cover almost every character, so each piece starts where the last one ended);
    // where no piece starts, the global regex finds the next one and the text between is a piece.
    const sticky = this.sticky[level]!;
    const len = text.length;
    let p = 0;
    while (p < len) {
      sticky.lastIndex = p;
      if (sticky.test(text) && sticky.lastIndex > p) {
        const end = sticky.lastIndex;
        this.split(p === 0 && end === len ? text : text.slice(p, end), level + 1, out);
        p = end;
        continue;
      }
      const g = this.splitters[level]!;
      g.lastIndex = p;
      let next = len;
      for (let m = g.exec(text); m !== null; m = g.exec(text)) {
        if (m[0].length > 0) {
          next = m.index;
          break;
        }
        g.lastIndex++;
      }
      this.split(text.slice(p, next), level + 1, out);
      p = next;
    }
  }

  private encodePiece(piece: string, out: number[]): void {
    const cached = this.cache.get(piece);
    if (cached !== undefined) {
      if (typeof cached === 'number') out.push(cached);
      else for (let i = 0; i < cached.length; i++) out.push(cached[i]!);
      return;
    }
    if (this.wholePieceFirst) {
      const id = this.textVocab.get(piece);
      if (id !== undefined) {
        this.remember(piece, id);
        out.push(id);
        return;
      }
    }
    const n = this.pieceByteIds(piece);
    const start = out.length;
    this.merger.merge(this.scratchIds, n, out);
    if (piece.length <= CACHE_MAX_PIECE) this.remember(piece, out.length - start === 1 ? out[start]! : out.slice(start));
  }

  private remember(piece: string, ids: number | number[]): void {
    if (piece.length > CACHE_MAX_PIECE) return;
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    // A regex match of 13+ characters is a V8 sliced string that keeps its whole document alive;
    // a key copied out of a flattened two-part string keeps only itself (measured: without this,
    // peak RSS grew from 714 to 959 MB between a 100 MB and a 1 GB build).
    this.cache.set(piece.length < 13 ? piece : (' ' + piece).slice(1), ids);
  }

  /** Writes the byte tokens of `piece`'s UTF-8 bytes to the scratch ids and returns how many. */
  private pieceByteIds(piece: string): number {
    const len = piece.length;
    if (this.scratchIds.length < len * 3) {
      this.scratchIds = new Int32Array(len * 3);
      this.scratchBytes = new Uint8Array(len * 3);
    }
    const ids = this.scratchIds;
    let i = 0;
    for (; i < len; i++) {
      const c = piece.charCodeAt(i);
      if (c >= 0x80) break;
      ids[i] = this.byteIds[c]!;
    }
    if (i === len) return len;
    const { written } = this.utf8.encodeInto(piece, this.scratchBytes);
    const bytes = this.scratchBytes;
    for (let k = 0; k < written; k++) ids[k] = this.byteIds[bytes[k]!]!;
    return written;
  }
}
