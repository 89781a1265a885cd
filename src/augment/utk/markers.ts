import type { TokenizerEngine } from '../../tokenize/engine.js';
import { UserError } from '../../util/errors.js';
import type { UtkMarkerIds } from './assemble.js';
import type { UtkOptions } from './config.js';

/**
 * Which ids UtK's markers take when the config does not name them (`augment[i].markers`):
 * `auto` (default): the tokenizer's unused reserved special tokens when it has enough, else new
 * ids past the vocabulary; `reserved`: reserved special tokens, or an error; `new`: new ids past
 * the vocabulary, named `<|knot_1_end|>`, …, `<|D|>`, … (the model's embeddings must grow).
 */
export type UtkMarkerChoice = 'auto' | 'reserved' | 'new';

/**
 * How the markers were chosen (manifest `augment[i].marker_source`): `reserved` (the markers the
 * config did not name are reserved special tokens of the tokenizer: no embedding resize),
 * `new` (they got new ids past the vocabulary, listed in `tokenizer.added_tokens`), `config`
 * (the config named every marker in use), `none` (the interleave baseline uses no markers).
 */
export type UtkMarkerSource = 'reserved' | 'new' | 'config' | 'none';

/**
 * Names of a vocabulary's unused special tokens, kept for fine-tuning: Llama 3's
 * `<|reserved_special_token_N|>` (251 of them in Llama 3; Llama 3.1 renames three), Gemma's
 * `<unusedN>`, DeepSeek-V3's `<｜place▁holder▁no▁N｜>`, Mistral's `<SPECIAL_N>`. A token
 * counts only when the tokenizer also marks it special (text never encodes to it).
 */
export const RESERVED_TOKEN_PATTERNS: readonly RegExp[] = [/^<\|reserved_special_token_\d+\|>$/, /^<unused\d+>$/, /^<｜place▁holder▁no▁\d+｜>$/, /^<SPECIAL_\d+>$/];

/**
 * The tokenizer's unused reserved special tokens, in id order: special tokens whose name
 * follows {@link RESERVED_TOKEN_PATTERNS}, except the ones the tokenizer uses as BOS or EOS.
 */
export function reservedSpecialTokens(engine: Pick<TokenizerEngine, 'specialTokens' | 'info'>): string[] {
  const inUse = new Set(Object.values(engine.info.specialIds));
  return Object.entries(engine.specialTokens())
    .filter(([t, id]) => !inUse.has(id) && RESERVED_TOKEN_PATTERNS.some((p) => p.test(t)))
    .sort((a, b) => a[1] - b[1])
    .map(([t]) => t);
}

/** UtK's markers resolved on a tokenizer: the options with the marker strings in use, their ids, and how they were chosen. */
export interface UtkMarkers {
  /** The options, `knotTokens` and `sortTokens` replaced by the strings in use. */
  options: UtkOptions;
  ids: UtkMarkerIds;
  source: UtkMarkerSource;
  /** Every marker in use, string → id. */
  tokenIds: Record<string, number>;
}

/** Which marker lists the config (or caller) named itself; the others follow {@link UtkMarkerChoice}. */
export interface NamedMarkers {
  knots: boolean;
  sort: boolean;
}

type Engine = Pick<TokenizerEngine, 'addTokens' | 'addedTokens' | 'tokenToId' | 'specialTokens' | 'info'>;

/**
 * Resolves UtK's knot (and, with backtracing, sort) markers on the build's tokenizer and returns
 * their ids. The marker lists the config named (`named`) are used as given; the others are the
 * tokenizer's unused reserved special tokens (Llama 3's `<|reserved_special_token_N|>`, knots
 * first, in id order) when `choice` allows it and there are enough, else the default strings of
 * `o` with new ids past the vocabulary (registered as added tokens, so the manifest lists them).
 *
 * A marker string may be a special token of the tokenizer (used by its id: text never encodes to
 * it) or a string the vocabulary does not have (a new id). An ordinary token is refused (text
 * could produce it, and the loss mask, which finds markers by id, would mask document text), as
 * is the tokenizer's BOS or EOS. Errors are {@link UserError}s naming the key under `key`.
 */
export function resolveUtkMarkers(engine: Engine, o: UtkOptions, named: NamedMarkers, choice: UtkMarkerChoice = 'auto', key = 'utk'): UtkMarkers {
  const knotsOn = !o.skyworkInterleave;
  const sortOn = o.addSortTask && !o.skyworkInterleave;
  let knotTokens = o.knotTokens;
  let sortTokens = o.sortTokens;
  const needKnots = knotsOn && !named.knots ? knotTokens.length : 0;
  const needSort = sortOn && !named.sort ? sortTokens.length : 0;
  let source: UtkMarkerSource = !knotsOn ? 'none' : needKnots + needSort === 0 ? 'config' : 'new';
  if (needKnots + needSort > 0 && choice !== 'new') {
    const taken = new Set([...(named.knots ? knotTokens : []), ...(sortOn && named.sort ? sortTokens : [])]);
    const free = reservedSpecialTokens(engine).filter((t) => !taken.has(t));
    if (free.length >= needKnots + needSort) {
      if (needKnots) knotTokens = free.slice(0, needKnots);
      if (needSort) sortTokens = free.slice(needKnots, needKnots + needSort) as UtkOptions['sortTokens'];
      source = 'reserved';
    } else if (choice === 'reserved') {
      throw new UserError(
        `${key}.markers is "reserved" but tokenizer ${engine.info.name} has ${free.length} unused reserved special tokens and UtK needs ${needKnots + needSort}; set ${key}.markers to "new" (new ids past the vocabulary: resize the model's embeddings) or name special tokens of the tokenizer in knot_tokens / sort_tokens`,
      );
    }
  }

  const specials = engine.specialTokens();
  const delimiters = new Map(Object.entries(engine.info.specialIds).map(([role, id]) => [id, role]));
  const tokenIds: Record<string, number> = {};
  const idOf = (t: string, where: string): number => {
    const added = engine.addedTokens()[t];
    let id = added ?? specials[t];
    if (id === undefined) {
      const ordinary = engine.tokenToId(t);
      if (ordinary !== undefined) {
        throw new UserError(
          `${key}.${where} ${JSON.stringify(t)} is ordinary token ${ordinary} of tokenizer ${engine.info.name}: text encodes to it, so it cannot mark chunks; name a special token of the tokenizer (e.g. a reserved one) or a string its vocabulary does not have (e.g. wrapped in <|…|>)`,
        );
      }
      id = engine.addTokens([t])[0]!;
    } else if (added === undefined && delimiters.has(id)) {
      throw new UserError(`${key}.${where} ${JSON.stringify(t)} is the tokenizer's ${delimiters.get(id)} token; a marker must not be a document delimiter: name another special token`);
    }
    tokenIds[t] = id;
    return id;
  };
  const knots = Int32Array.from(knotsOn ? knotTokens.map((t, i) => idOf(t, `knot_tokens[${i}]`)) : []);
  const options: UtkOptions = { ...o, knotTokens, sortTokens };
  if (!sortOn) return { options, ids: { knots, sort: null }, source, tokenIds };
  const [open, close, summaryOpen, summarySep, summaryClose] = sortTokens.map((t, i) => idOf(t, `sort_tokens[${i}]`)) as [number, number, number, number, number];
  return { options, ids: { knots, sort: { open, close, summaryOpen, summarySep, summaryClose } }, source, tokenIds };
}
