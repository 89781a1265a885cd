import type { TokenizerEngine } from '../../tokenize/engine.js';
import { UserError } from '../../util/errors.js';
import type { UtkMarkerIds } from './assemble.js';
import type { UtkOptions } from './config.js';

/**
 * Registers UtK's knot (and, with backtracing, sort) marker strings (none for the interleave baseline) as added tokens of the
 * build's tokenizer and returns their ids. A marker must not already be a token of the
 * vocabulary: text could then produce it, and the loss mask, which finds markers by id, would
 * mask document text. Throws a {@link UserError} naming the key under `key` (e.g. `augment[0]`).
 */
export function registerUtkMarkers(engine: Pick<TokenizerEngine, 'addTokens' | 'addedTokens' | 'tokenToId' | 'info'>, o: UtkOptions, key = 'utk'): UtkMarkerIds {
  const sortOn = o.addSortTask && !o.skyworkInterleave;
  const check = (t: string, where: string): void => {
    if (t in engine.addedTokens()) return;
    const id = engine.tokenToId(t);
    if (id !== undefined) {
      throw new UserError(`${key}.${where} ${JSON.stringify(t)} is already token ${id} of tokenizer ${engine.info.name}; choose a marker string its vocabulary does not have (e.g. wrapped in <|…|>)`);
    }
  };
  // The interleave baseline emits no markers at all, so it registers none.
  const knotStrings = o.skyworkInterleave ? [] : o.knotTokens;
  knotStrings.forEach((t, i) => check(t, `knot_tokens[${i}]`));
  if (sortOn) o.sortTokens.forEach((t, i) => check(t, `sort_tokens[${i}]`));
  const knots = Int32Array.from(engine.addTokens(knotStrings));
  if (!sortOn) return { knots, sort: null };
  const [open, close, summaryOpen, summarySep, summaryClose] = engine.addTokens(o.sortTokens) as [number, number, number, number, number];
  return { knots, sort: { open, close, summaryOpen, summarySep, summaryClose } };
}
