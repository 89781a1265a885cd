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

/**
 * `skein build` arguments of the pack + per-source mixing build that resume and random-kill
 * tests interrupt: the SlimPajama fixture plus malformed records (skipped), a shuffle buffer and
 * a mix that stops early. `sets` are extra `--set` values; `flags` end the list.
 */
export function packMixArgs(out: string, sets: string[], flags: string[]): string[] {
  const mix = 'mix={"mode":"per_source","total_tokens":120000,"weights":{"RedPajamaC4":1,"RedPajamaCommonCrawl":2},"short_threshold":300,"short_keep":0.3}';
  return [
    'build',
    '--input',
    fixture('slimpajama', 'train'),
    fixture('bad', 'malformed.jsonl'),
    '--source-field',
    'meta.redpajama_set_name',
    '--builder',
    'pack',
    '--seq-len',
    '2048',
    '--shard-tokens',
    '12000',
    '--on-error',
    'skip',
    ...['order.shuffle_buffer=7', mix, ...sets].flatMap((s) => ['--set', s]),
    '--output',
    out,
    ...flags,
  ];
}
