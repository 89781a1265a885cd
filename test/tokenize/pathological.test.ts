import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { ByteLevelBpe } from '../../src/tokenize/bpe/byte-level-bpe.js';
import { openaiBpeSpec } from '../../src/tokenize/bpe/openai-bpe.js';
import type { EngineKind } from '../../src/tokenize/engine.js';
import { loadTokenizer } from '../../src/tokenize/load-tokenizer.js';
import { gptTokenizerHandles } from '../../src/tokenize/openai-engine.js';
import { idsDigest, PATHOLOGICAL_GOLDEN, pathologicalInputs } from '../helpers/pathological-inputs.js';
import { nativeReference } from '../helpers/token-agreement.js';

const INPUTS = pathologicalInputs();
const GOLDEN = JSON.parse(fs.readFileSync(PATHOLOGICAL_GOLDEN, 'utf8')) as { encodings: Record<string, Record<string, { tokens: number; sha256: string }>> };

const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => v === b[i]);

for (const enc of ['o200k_base', 'cl100k_base'] as const) {
  for (const engine of ['skein-bpe', 'gpt-tokenizer'] as const) {
    test(`${enc} with ${engine}: pathological documents give tiktoken's encode_ordinary ids (golden digests)`, async () => {
      const ours = await loadTokenizer({ name: enc, engine });
      const got = await ours.encodeBatch(Object.values(INPUTS));
      const bad = Object.keys(INPUTS).filter((k, i) => JSON.stringify(idsDigest(got[i]!)) !== JSON.stringify(GOLDEN.encodings[enc]![k]));
      assert.deepEqual(bad, []);
    });
  }
}

for (const name of ['llama3', 'qwen3']) {
  for (const engine of ['skein-bpe', 'hf-js'] satisfies EngineKind[]) {
    test(`${name} with ${engine}: pathological documents give the native tokenizers' ids`, async () => {
      const ref = nativeReference(name);
      const ours = await loadTokenizer({ name, engine });
      const texts = Object.values(INPUTS);
      const [got, want] = [await ours.encodeBatch(texts), await ref.encode(texts)];
      const bad = Object.keys(INPUTS).filter((k, i) => !same(got[i]!, want[i]!));
      assert.deepEqual(bad, []);
    });
  }
}

test('gpt-tokenizer hands long runs and the characters its pattern classes differently to skein-bpe', () => {
  for (const [k, t] of Object.entries(INPUTS)) assert.equal(gptTokenizerHandles(t), k === 'minified JS', k);
  assert.equal(gptTokenizerHandles('plain prose, with short words and numbers 12345.\n'), true);
  assert.equal(gptTokenizerHandles('x'.repeat(999) + ' ' + 'y'.repeat(999)), true);
  assert.equal(gptTokenizerHandles('x'.repeat(1000)), false);
  for (const c of ['\u0085', '\ufeff', '\u017f', '\u212a']) assert.equal(gptTokenizerHandles(`a${c}b`), false, c);
});

test('merge work grows as n log n, not n²: heap steps for 100k identical letters vs 10k', async () => {
  const bpe = new ByteLevelBpe(await openaiBpeSpec('cl100k_base'));
  const steps = (text: string): number => {
    const before = bpe.mergeOps;
    bpe.encode(text);
    return bpe.mergeOps - before;
  };
  for (const [unit, label] of [['a', 'letters'], ['=', 'punctuation'], [' ', 'spaces']] as const) {
    const small = steps(unit.repeat(10_000));
    const large = steps(unit.repeat(100_000));
    // n log n predicts 10 × log(100k)/log(10k) = 12.5; a rescan after every merge would give ~100.
    assert.ok(large / small < 15, `${label}: ${large} steps vs ${small} (ratio ${(large / small).toFixed(1)})`);
    assert.ok(large > 100_000, `${label}: the heap did the merging (${large} steps)`);
  }
});

/** tiktoken's reference merge loop (`_byte_pair_merge`), quadratic and obviously right: merge the lowest-ranked adjacent pair, leftmost first. */
function naiveTiktokenMerge(bytes: Uint8Array, rankOf: (b: Uint8Array) => number | undefined): Uint8Array[] {
  let parts = Array.from(bytes, (b) => Uint8Array.of(b));
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < parts.length; i++) {
      const r = rankOf(Uint8Array.from([...parts[i]!, ...parts[i + 1]!]));
      if (r !== undefined && r < bestRank) {
        bestRank = r;
        best = i;
      }
    }
    if (best < 0) return parts;
    parts = [...parts.slice(0, best), Uint8Array.from([...parts[best]!, ...parts[best + 1]!]), ...parts.slice(best + 2)];
  }
}

test('property: the heap merger equals tiktoken\'s naive merge loop on random byte strings (cl100k ranks)', async () => {
  const spec = await openaiBpeSpec('cl100k_base');
  const rankByKey = new Map<string, number>();
  spec.tokenBytes.forEach((b, id) => b && rankByKey.set(Buffer.from(b).toString('latin1'), id));
  const rankOf = (b: Uint8Array) => rankByKey.get(Buffer.from(b).toString('latin1'));
  // No splitting and no whole-piece shortcut: each random string is one pre-token, merged from bytes.
  const bpe = new ByteLevelBpe({ ...spec, splitters: [], wholePieceFirst: false, merges: (await openaiBpeSpec('cl100k_base')).merges });
  const alphabet = fc.constantFrom(...'aaaabbbcde  \n\t.,th'.split('').map((c) => c.charCodeAt(0)), 0xc3, 0xa9, 0xe2, 0x80);
  fc.assert(
    fc.property(fc.array(alphabet, { minLength: 1, maxLength: 40 }), (arr) => {
      const bytes = Uint8Array.from(arr);
      const text = Buffer.from(bytes).toString('latin1');
      const expected = naiveTiktokenMerge(bytes, rankOf).map((p) => rankOf(p)!);
      const got = bpe.encodeBytes(bytes);
      assert.deepEqual(got, expected, JSON.stringify(text));
    }),
    { numRuns: 2000 },
  );
});
