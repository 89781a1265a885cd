import type { Manifest } from '../shards/manifest.js';
import type { TokenizerEngine } from '../tokenize/engine.js';
import { loadTokenizer } from '../tokenize/load-tokenizer.js';

/**
 * Registers a dataset's added tokens (manifest `tokenizer.added_tokens`, e.g. UtK markers) on a
 * freshly loaded engine, in id order, so that it decodes them. Returns false when the engine gives
 * them other ids (a different tokenizer than the one used for the build).
 */
export function registerManifestTokens(engine: TokenizerEngine, m: Manifest): boolean {
  const added = Object.entries(m.tokenizer.added_tokens ?? {}).sort((a, b) => a[1] - b[1]);
  if (added.length === 0) return true;
  try {
    const ids = engine.addTokens(added.map(([s]) => s));
    return ids.every((id, i) => id === added[i]![1]);
  } catch {
    return false;
  }
}

/**
 * Loads the tokenizer a dataset was built with (by name for packages and OpenAI encodings, else
 * from its file), with the dataset's added tokens registered. Returns the engine and, when
 * something does not match the build, a note to show the user.
 */
export async function loadManifestTokenizer(m: Manifest): Promise<{ engine: TokenizerEngine; note?: string }> {
  const engine = await loadTokenizer({ name: m.tokenizer.source.startsWith('package:') || m.tokenizer.source.startsWith('hf:') || m.tokenizer.kind === 'openai' ? m.tokenizer.name : m.tokenizer.source });
  let note: string | undefined;
  if (engine.info.sha256 !== m.tokenizer.sha256) note = 'the tokenizer found now differs from the one used for the build; decoded text may be wrong';
  if (!registerManifestTokens(engine, m)) note = 'the added tokens of the build do not fit this tokenizer; markers may decode wrongly';
  return note ? { engine, note } : { engine };
}
