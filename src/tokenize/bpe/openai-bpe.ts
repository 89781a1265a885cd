import type { OpenAIEncoding } from '../resolve-tokenizer.js';
import type { ByteLevelBpeSpec } from './byte-level-bpe.js';
import { openaiSplitRegExp } from './split-pattern.js';

/**
 * The {@link ByteLevelBpeSpec} of an OpenAI encoding, from the ranks file gpt-tokenizer ships
 * (`gpt-tokenizer/esm/bpeRanks/<encoding>.js`: per rank, the token as a string, or as a byte
 * array when its bytes are not valid UTF-8 alone) and tiktoken's split pattern.
 *
 * tiktoken has no merge list: two adjacent parts merge when their joined bytes are a token, at
 * that token's rank (= its id). So every way of cutting a token into two tokens is a rule.
 */
export async function openaiBpeSpec(encoding: OpenAIEncoding): Promise<ByteLevelBpeSpec> {
  const ranks = ((await import(`gpt-tokenizer/esm/bpeRanks/${encoding}`)) as { default: Array<string | number[] | undefined> }).default;
  const utf8 = new TextEncoder();
  const tokenBytes: Array<Uint8Array | undefined> = ranks.map((t) => (t === undefined ? undefined : typeof t === 'string' ? utf8.encode(t) : Uint8Array.from(t)));
  const index = new Map<string, number>();
  const keys: Array<string | undefined> = tokenBytes.map((b, id) => {
    if (!b) return undefined;
    const key = Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
    index.set(key, id);
    return key;
  });
  const merges: Array<[number, number, number, number]> = [];
  keys.forEach((key, id) => {
    if (!key || key.length < 2) return;
    for (let k = 1; k < key.length; k++) {
      const a = index.get(key.slice(0, k));
      if (a === undefined) continue;
      const b = index.get(key.slice(k));
      if (b !== undefined) merges.push([a, b, id, id]);
    }
  });
  merges.sort((x, y) => x[2] - y[2]);
  return { tokenBytes, merges, mergeCount: merges.length, splitters: [openaiSplitRegExp(encoding)], wholePieceFirst: true };
}
