/**
 * The replication's training corpus: passkey-style documents made of the same sentences as
 * `skein gen-eval passkey` (task line, filler, the key line at a random depth, more filler, the
 * question) followed by the answer, each at most one training window long. Deterministic: the
 * key, the filler count and the depth of document i come from rngFor(seed, 'replicate/passkey', i).
 * Nothing is downloaded.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { passkeyPrompt } from '../../src/eval/tasks/passkey.js';
import { rngFor } from '../../src/util/rng.js';

/** Options of {@link writePasskeyCorpus}. */
export interface PasskeyCorpusOptions {
  /** Documents to write. */
  docs: number;
  /** Most fillers per document (a 128-token window holds 2 with Llama-3 tokens). */
  maxFillers: number;
  seed: number;
}

/** The text of document `i`: prompt + " K". */
export function passkeyDocument(i: number, o: Pick<PasskeyCorpusOptions, 'maxFillers' | 'seed'>): string {
  const rng = rngFor(o.seed, 'replicate/passkey', i);
  const key = rng.int(1, 50000);
  const fillers = rng.int(0, o.maxFillers);
  const depth = rng.int(0, 100);
  return `${passkeyPrompt(key, fillers, depth)} ${key}`;
}

/** Writes the corpus as JSONL (`{"id","text"}` per line) to `file`. */
export async function writePasskeyCorpus(file: string, o: PasskeyCorpusOptions): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < o.docs; i++) {
    if (!out.write(`${JSON.stringify({ id: `passkey-${i}`, text: passkeyDocument(i, o) })}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
