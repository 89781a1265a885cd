/**
 * Haystack text for the tasks the spec builds from essays (NIAH, and the word pool of cwe): the
 * bundled corpus (fixtures/corpus/sotu.jsonl, public-domain State of the Union addresses) or any
 * JSONL file with a `text` field, or a plain .txt file.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../util/errors.js';

/** The bundled corpus, shipped with the package (package.json `files`). */
export const BUNDLED_CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'corpus', 'sotu.jsonl');

/**
 * The texts of a haystack file in file order: the `text` field of every JSONL line, or a .txt file
 * as one text. A {@link UserError} when the file is missing or holds no text.
 */
export async function readHaystack(file: string = BUNDLED_CORPUS): Promise<string[]> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read haystack ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give a .jsonl file with a "text" field or a .txt file`);
  }
  if (!file.endsWith('.jsonl')) {
    if (!raw.trim()) throw new UserError(`haystack ${file} is empty`);
    return [raw];
  }
  const texts: string[] = [];
  raw.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      throw new UserError(`haystack ${file}:${i + 1} is not valid JSON: fix the line or use another --haystack`);
    }
    const text = (rec as { text?: unknown }).text;
    if (typeof text === 'string' && text.trim()) texts.push(text);
  });
  if (texts.length === 0) throw new UserError(`haystack ${file} holds no record with a non-empty "text" field`);
  return texts;
}

/** The distinct lowercase alphabetic words (3–12 letters) of some texts, sorted: cwe's word pool. */
export function wordPool(texts: readonly string[]): string[] {
  const words = new Set<string>();
  for (const t of texts) for (const m of t.toLowerCase().matchAll(/\b[a-z]{3,12}\b/g)) words.add(m[0]);
  return [...words].sort();
}
