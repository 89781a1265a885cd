import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** A path under fixtures/. */
export const fixture = (...p: string[]): string => path.join(ROOT, 'fixtures', ...p);

/** The bundled corpus documents (id, text), read straight from the JSONL with JSON.parse. */
export function corpusDocs(): Array<{ id: string; text: string }> {
  return fs
    .readFileSync(fixture('corpus', 'sotu.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as { id: string; text: string });
}
