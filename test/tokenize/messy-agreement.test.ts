import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadTokenizer, type EngineChoice, type LoadTokenizerOptions } from '../../src/tokenize/load-tokenizer.js';
import { corpusDocs } from '../helpers/corpus.js';
import { MESSY_CATEGORIES, messyCorpus } from '../helpers/messy-corpus.js';
import { type AgreementDoc, describeMismatch, encodeInBatches, mismatches, nativeReference, type Reference, tiktokenReference } from '../helpers/token-agreement.js';

/**
 * Every engine skein can run, on every tokenizer it ships, encodes the bundled corpus and the
 * messy corpus (e-mails, code, emoji, CJK, Unicode whitespace, control characters, special-token
 * text) to exactly the ids of the reference implementation: tiktoken's `encode_ordinary` for
 * OpenAI encodings, the native Rust `tokenizers` binding for tokenizer.json models.
 */

/** The bundled corpus (ids prefixed `corpus/`) followed by the messy corpus. */
const DOCS: AgreementDoc[] = [...corpusDocs().map((d) => ({ id: `corpus/${d.id}`, text: d.text })), ...messyCorpus()];

/** Documents per `encodeBatch` call. */
const BATCH = 64;
/** Mismatches described in detail when a combination fails. */
const DESCRIBE = 5;

/** Tokenizers and the engines that must run each of them. */
const MATRIX: Array<{ name: string; engines: EngineChoice[] }> = [
  { name: 'o200k_base', engines: ['gpt-tokenizer', 'skein-bpe', 'auto'] },
  { name: 'cl100k_base', engines: ['gpt-tokenizer', 'skein-bpe', 'auto'] },
  { name: 'llama3', engines: ['native', 'hf-js', 'skein-bpe', 'auto'] },
  { name: 'qwen3', engines: ['native', 'hf-js', 'skein-bpe', 'auto'] },
];

/** The reference of a tokenizer (tiktoken or the native binding). */
function referenceFor(name: string): Reference {
  if (name === 'o200k_base' || name === 'cl100k_base') return tiktokenReference(name);
  return nativeReference(name);
}

/** Reference ids of every document, computed once per tokenizer and shared by its engines. */
const references = new Map<string, { ref: Reference; ids: Promise<ArrayLike<number>[]> }>();
function referenceIds(name: string): { ref: Reference; ids: Promise<ArrayLike<number>[]> } {
  let r = references.get(name);
  if (!r) {
    const ref = referenceFor(name);
    r = { ref, ids: ref.encode(DOCS.map((d) => d.text)) };
    references.set(name, r);
  }
  return r;
}
after(() => {
  for (const { ref } of references.values()) ref.free();
});

for (const { name, engines } of MATRIX) {
  for (const engine of engines) {
    test(`${name} with engine ${engine}: token ids equal the reference on the corpus and the messy corpus`, async (t) => {
      const opts: LoadTokenizerOptions = { name, engine };
      const tok = await loadTokenizer(opts);
      // An engine option that is ignored would compare the default engine: fail instead.
      if (engine !== 'auto') assert.equal(tok.engineKind, engine, `loadTokenizer({ engine: '${engine}' }) loaded ${tok.info.engine}`);
      else t.diagnostic(`auto picked ${tok.engineKind} (${tok.info.engine})`);
      const { ref, ids } = referenceIds(name);
      const bad = mismatches(DOCS, await encodeInBatches(tok, DOCS, BATCH), await ids);
      if (bad.length > 0) {
        t.diagnostic(`${bad.length} of ${DOCS.length} documents differ from ${ref.label}; the first ${Math.min(DESCRIBE, bad.length)}:`);
        for (const m of bad.slice(0, DESCRIBE)) for (const line of (await describeMismatch(m, (run) => tok.decode(run))).split('\n')) t.diagnostic(line);
      }
      const differingIds = bad.map((m) => m.id);
      assert.deepEqual(differingIds, []);
    });
  }
}

test('the messy corpus is deterministic, has unique ids and covers every category', () => {
  const a = messyCorpus();
  const b = messyCorpus();
  assert.deepEqual(a, b);
  assert.equal(new Set(a.map((d) => d.id)).size, a.length, 'ids are unique');
  const categories = new Set(a.map((d) => d.id.split('/')[0]));
  assert.deepEqual([...categories], [...MESSY_CATEGORIES]);
  const bytes = a.reduce((n, d) => n + Buffer.byteLength(d.text), 0);
  assert.ok(bytes > 2e6 && bytes < 5e6, `about 2-4 MB (${bytes} bytes)`);
  assert.ok(a.filter((d) => d.id.startsWith('email/')).length >= 250, 'hundreds of e-mails');
  assert.ok(a.filter((d) => d.id.startsWith('code/')).length >= 40, 'tens of code files');
});
