// A build input of every format the readers take, for the determinism and resume tests.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

/**
 * Writes into `dir` a mix of many small JSONL files and one large one (the bundled SOTU corpus
 * twice, 2.3 MB: three line blocks of the worker pool), and returns them with the
 * bundled corpus as zstd JSONL, Parquet and ZIP and a file of malformed records
 * (build with `--on-error skip`): the inputs of a build whose shards must not depend on the
 * worker count or on interruptions.
 */
export function writeMixedInputs(dir: string): string[] {
  const lines = fs.readFileSync(path.join(FIXTURES, 'corpus', 'sotu.jsonl'), 'utf8').trim().split('\n');
  const small = path.join(dir, 'small');
  fs.mkdirSync(small, { recursive: true });
  // 40 small files of 1–3 documents each, the last one without its final newline.
  for (let i = 0, at = 0; i < 40; i++) {
    const n = (i % 3) + 1;
    const body = lines.slice(at, at + n).join('\n');
    fs.writeFileSync(path.join(small, `part-${String(i).padStart(3, '0')}.jsonl`), i === 39 ? body : `${body}\n`);
    at += n;
  }
  const large = path.join(dir, 'large.jsonl');
  fs.writeFileSync(large, [0, 1].map((r) => lines.map((l) => l.replace(/^\{"id": ?"/, `{"id":"r${r}-`)).join('\n')).join('\n') + '\n');
  return mixedInputs(dir);
}

/** The inputs {@link writeMixedInputs} wrote into `dir`, in order. */
export function mixedInputs(dir: string): string[] {
  return [
    path.join(dir, 'small'),
    path.join(dir, 'large.jsonl'),
    path.join(FIXTURES, 'corpus', 'sotu.jsonl.zst'),
    path.join(FIXTURES, 'corpus', 'sotu.zstd.parquet'),
    path.join(FIXTURES, 'corpus', 'sotu.zip'),
    path.join(FIXTURES, 'bad', 'malformed.jsonl'),
  ];
}
