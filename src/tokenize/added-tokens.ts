import type { TokenizerEngine } from './engine.js';

/**
 * Token strings registered on top of a tokenizer's vocabulary (marker tokens such as UtK's knots
 * and chunk-ID brackets). They get fresh ids at the end of the vocabulary, are inserted into rows
 * by id only (document text is never encoded into them), and are known to `decode`,
 * `idToToken` and `tokenToId`. Both engines keep one table of this class.
 */
export class AddedTokenTable {
  private readonly byString = new Map<string, number>();
  private readonly byId = new Map<number, string>();
  /** The next id to try for a new token. */
  private cursor: number;

  /**
   * @param firstId the first id a new token may take (the vocabulary size).
   * @param baseIdToToken the vocabulary's own id look-up: an id it knows is never reused.
   * @param baseTokenToId the vocabulary's own string look-up: a string it knows cannot be added.
   */
  constructor(
    firstId: number,
    private readonly baseIdToToken: (id: number) => string | undefined,
    private readonly baseTokenToId: (token: string) => number | undefined,
  ) {
    this.cursor = firstId;
  }

  /**
   * Registers `tokens` and returns their ids, in order. A string already registered keeps its
   * id. Throws when a string is empty or is already a single token of the vocabulary (then text
   * could produce it and a marker would not be recognisable).
   */
  add(tokens: readonly string[]): number[] {
    return tokens.map((t) => {
      const known = this.byString.get(t);
      if (known !== undefined) return known;
      if (t.length === 0) throw new Error('an added token cannot be the empty string');
      const base = this.baseTokenToId(t);
      if (base !== undefined) throw new Error(`${JSON.stringify(t)} is already token ${base} of the vocabulary`);
      while (this.baseIdToToken(this.cursor) !== undefined) this.cursor++;
      const id = this.cursor++;
      this.byString.set(t, id);
      this.byId.set(id, t);
      return id;
    });
  }

  /** The id of an added token string, or undefined. */
  idOf(token: string): number | undefined {
    return this.byString.get(token);
  }

  /** The string of an added token id, or undefined. */
  tokenOf(id: number): string | undefined {
    return this.byId.get(id);
  }

  /** Number of added tokens. */
  get size(): number {
    return this.byString.size;
  }

  /** The added tokens, string → id, in registration order. */
  toRecord(): Record<string, number> {
    return Object.fromEntries(this.byString);
  }

  /**
   * Splits `ids` into runs of vocabulary ids (`{ run }`) and added tokens (`{ text }`), in order.
   */
  private pieces(ids: ArrayLike<number>): Array<{ run: number[] } | { text: string }> {
    const out: Array<{ run: number[] } | { text: string }> = [];
    let run: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const s = this.byId.get(ids[i]!);
      if (s === undefined) {
        run.push(ids[i]!);
        continue;
      }
      if (run.length) out.push({ run });
      run = [];
      out.push({ text: s });
    }
    if (run.length) out.push({ run });
    return out;
  }

  /**
   * Decodes `ids` where some may be added tokens: runs of vocabulary ids go to `baseDecode`,
   * added ids are written as their strings.
   */
  async decode(ids: ArrayLike<number>, baseDecode: (ids: number[]) => string | Promise<string>): Promise<string> {
    if (this.byId.size === 0) return baseDecode(Array.from(ids));
    let out = '';
    for (const p of this.pieces(ids)) out += 'text' in p ? p.text : await baseDecode(p.run);
    return out;
  }

  /** {@link decode} with a synchronous `baseDecode`. */
  decodeSync(ids: ArrayLike<number>, baseDecode: (ids: number[]) => string): string {
    if (this.byId.size === 0) return baseDecode(Array.from(ids));
    let out = '';
    for (const p of this.pieces(ids)) out += 'text' in p ? p.text : baseDecode(p.run);
    return out;
  }

  /**
   * The look-up and registration methods of a {@link TokenizerEngine} that know this table,
   * around the vocabulary's own `baseDecode` and its synchronous form `baseDecodeSync` (both
   * engines spread these into their engine).
   */
  engineMethods(
    baseDecode: (ids: number[]) => string | Promise<string>,
    baseDecodeSync: (ids: number[]) => string,
  ): Pick<TokenizerEngine, 'decode' | 'decodeSync' | 'idToToken' | 'tokenToId' | 'addTokens' | 'addedTokens'> {
    return {
      decode: (ids) => this.decode(ids, baseDecode),
      decodeSync: (ids) => this.decodeSync(ids, baseDecodeSync),
      idToToken: (id) => this.tokenOf(id) ?? this.baseIdToToken(id),
      tokenToId: (token) => this.idOf(token) ?? this.baseTokenToId(token),
      addTokens: (tokens) => this.add(tokens),
      addedTokens: () => this.toRecord(),
    };
  }
}

