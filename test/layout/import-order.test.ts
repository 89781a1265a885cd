import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = path.join(ROOT, 'src');

/** The folders of src/ in the order docs/architecture.md lists them (`train/`, `eval/` share a row). */
function documentedOrder(): string[] {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const order: string[] = [];
  for (const line of doc.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cell = line.split('|')[1]!;
    for (const m of cell.matchAll(/`([a-z-]+)\/`/g)) order.push(m[1]!);
  }
  return order;
}

/** For each folder of src/, the other folders its files import (relative imports only). */
function folderImports(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const entry of fs.readdirSync(SRC, { recursive: true }) as string[]) {
    if (!entry.endsWith('.ts')) continue;
    const folder = entry.split(path.sep)[0]!;
    if (folder === entry) continue; // src/index.ts re-exports everything
    const text = fs.readFileSync(path.join(SRC, entry), 'utf8');
    for (const m of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = path.relative(SRC, path.resolve(path.dirname(path.join(SRC, entry)), m[1]!)).split(path.sep)[0]!;
      if (target !== folder && !target.startsWith('..')) {
        if (!out.has(folder)) out.set(folder, new Set());
        out.get(folder)!.add(target);
      }
    }
  }
  return out;
}

test('docs/architecture.md lists every folder of src/, each importing only folders listed above it', () => {
  const order = documentedOrder();
  const folders = fs.readdirSync(SRC, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  assert.deepEqual([...order].sort(), [...folders].sort(), 'the table names exactly the folders of src/');
  const rank = new Map(order.map((f, i) => [f, i]));
  // train/ and eval/ share a row: same rank.
  rank.set('eval', rank.get('train')!);
  const upward: string[] = [];
  for (const [folder, targets] of folderImports()) for (const t of targets) if (rank.get(t)! > rank.get(folder)!) upward.push(`${folder} imports ${t}`);
  assert.deepEqual(upward, []);
});
