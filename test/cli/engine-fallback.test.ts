import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { manifestOf, shardHashes, skein, tempDir } from '../helpers/cli.js';

/**
 * `auto` on a tokenizer.json model skein-bpe cannot run (npm's llama2 package: SentencePiece-style
 * BPE with byte fallback) uses the native binding, and the pure-JS @huggingface/tokenizers where
 * that binding cannot load (simulated with SKEIN_TEST_NO_NATIVE=1): same shards either way.
 */
test('auto falls back from the native binding to @huggingface/tokenizers when the binding cannot load, with identical shards', () => {
  const dir = tempDir();
  const build = (name: string, env: Record<string, string> = {}) => {
    const out = path.join(dir, name);
    const r = skein(['build', '--tokenizer', 'llama2', '--output', out, '--no-progress'], undefined, env);
    assert.equal(r.code, 0, r.stderr);
    return out;
  };
  const native = build('native');
  const fallback = build('fallback', { SKEIN_TEST_NO_NATIVE: '1' });
  assert.match(manifestOf(native).tokenizer.engine, /^tokenizers@/);
  assert.match(manifestOf(fallback).tokenizer.engine, /^@huggingface\/tokenizers@/);
  assert.deepEqual(shardHashes(fallback), shardHashes(native));
  assert.ok(shardHashes(native).length > 0);
  // Asked for by name, the native engine is a one-line user error there, not a silent substitute.
  const forced = skein(['build', '--tokenizer', 'llama2', '--engine', 'native', '--output', path.join(dir, 'forced'), '--no-progress'], undefined, { SKEIN_TEST_NO_NATIVE: '1' });
  assert.equal(forced.code, 1, forced.stderr);
  assert.match(forced.stderr.trim(), /^skein: the native tokenizers binding cannot load on this machine \(.*\); use --engine auto or hf-js$/);
});
