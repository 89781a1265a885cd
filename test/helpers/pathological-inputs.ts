import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { rngFor } from '../../src/util/rng.js';

const require = createRequire(import.meta.url);

/** 75,000 seeded random bytes as base64: 100,000 characters without whitespace. */
function base64Blob(): string {
  const rng = rngFor(1, 'pathological', 'base64');
  return Buffer.from(Uint8Array.from({ length: 75_000 }, () => rng.int(0, 255))).toString('base64');
}

/** The first 100,000 characters of TensorFlow.js's minified bundle (a dependency, so always installed). */
function minifiedJs(): string {
  const file = path.join(path.dirname(require.resolve('@tensorflow/tfjs/package.json')), 'dist', 'tf.min.js');
  return fs.readFileSync(file, 'utf8').slice(0, 100_000);
}

/**
 * Documents of 30k–100k characters that are one long pre-token (or many short ones, for base64
 * and minified JS): quadratic for BPE engines that rescan a word after each merge — tiktoken
 * itself takes 10–20 s on the repeated ones.
 */
export function pathologicalInputs(): Record<string, string> {
  return {
    'a×100k': 'a'.repeat(100_000),
    base64: base64Blob(),
    'minified JS': minifiedJs(),
    'spaces×100k': ' '.repeat(100_000),
    'newlines×50k': '\n'.repeat(50_000) + 'x',
    'digits×100k': '1234567890'.repeat(10_000),
    'CJK×50k': '的'.repeat(50_000),
    'emoji×30k': '🙂'.repeat(30_000),
  };
}

/** Token count and sha256 of an id sequence (as little-endian uint32), the form golden files store. */
export function idsDigest(ids: ArrayLike<number>): { tokens: number; sha256: string } {
  const buf = Buffer.from(Uint32Array.from(ids as ArrayLike<number>).buffer);
  return { tokens: ids.length, sha256: createHash('sha256').update(buf).digest('hex') };
}

/** The golden file of tiktoken's ids for {@link pathologicalInputs} (fixtures/scripts/make-pathological-golden.ts). */
export const PATHOLOGICAL_GOLDEN = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'fixtures', 'tokenize', 'pathological-tiktoken.json');
