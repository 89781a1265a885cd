import { SKEIN_VERSION } from '../util/version.js';
import { ByteLevelBpe } from './bpe/byte-level-bpe.js';
import { tokenizerJsonBpeSpec } from './bpe/tokenizer-json-bpe.js';
import type { TokenizerEngine } from './engine.js';
import { readTokenizerJson, tokenizerJsonEngine, type TokenizerJsonOptions } from './tokenizer-json.js';

/** The engine name recorded in manifests for skein's own byte-level BPE. */
export const SKEIN_BPE_ENGINE = `skein-bpe@${SKEIN_VERSION}`;

/** Encodes a batch with a {@link ByteLevelBpe}, one text after another (the worker pool parallelises). */
export async function encodeWithBpe(bpe: ByteLevelBpe, texts: readonly string[]): Promise<Int32Array[]> {
  return texts.map((t) => Int32Array.from(bpe.encode(t)));
}

/**
 * Loads a byte-level BPE tokenizer.json model (Llama-3, Qwen2/3, GPT-2 style) into skein's own
 * encoder, which is pure JavaScript, token-identical to the native `tokenizers` library on the
 * agreement corpora and faster than it per core (docs/benchmarks.md). Throws
 * `NotByteLevelBpeError` (the reason in its message) for any other model.
 *
 * Special added tokens are plain text in documents (skein's rule for every engine); ordinary added
 * tokens (Qwen's `<think>`) are matched in text, as the reference does.
 */
export async function loadSkeinBpeEngine(opts: TokenizerJsonOptions): Promise<TokenizerEngine> {
  const loaded = readTokenizerJson(opts.file);
  const { json, added } = loaded;
  const spec = tokenizerJsonBpeSpec(
    json,
    added.filter((t) => !t.special),
  );
  const bpe = new ByteLevelBpe(spec);
  const vocab = json.model.vocab ?? {};
  const byToken = new Map<string, number>(Object.entries(vocab));
  for (const t of added) byToken.set(t.content, t.id);
  const byId = new Map<number, string>();
  for (const [token, id] of byToken) byId.set(id, token);
  const addedBytes = new Map(added.map((t) => [t.id, new TextEncoder().encode(t.content)]));
  return tokenizerJsonEngine(opts, loaded, {
    kind: 'skein-bpe',
    engine: SKEIN_BPE_ENGINE,
    vocabSize: byToken.size,
    idToToken: (id) => byId.get(id),
    tokenToId: (token) => byToken.get(token),
    decode: (ids) => bpe.decode(ids, (id) => addedBytes.get(id)),
    decodeSync: (ids) => bpe.decode(ids, (id) => addedBytes.get(id)),
    encodeBatch: (texts) => encodeWithBpe(bpe, texts),
  });
}
