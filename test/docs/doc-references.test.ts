// The project's documentation stands alone: nothing in the repository cites notes that live
// outside it, every relative Markdown link reaches a file (and #anchor) of the repository, and
// every `docs/<file>.md#anchor` a code comment or schema cites exists.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/corpus.js';

const SCANNED = ['src', 'docs', 'pipelines', 'README.md', 'python', 'bench', 'scripts', 'test', 'fixtures/scripts'];
const SKIP_DIRS = new Set(['node_modules', '.venv', '__pycache__', '.pytest_cache', 'build', 'dist']);
const TEXT = /\.(ts|mts|mjs|js|cjs|md|json|py|toml|cfg|txt|ya?ml|sh)$/;
const SELF = path.join(ROOT, 'test', 'docs', 'doc-references.test.ts');

/** Text files under the scanned paths (this test excluded: it spells out what it looks for). */
function scannedFiles(): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      if (SKIP_DIRS.has(path.basename(p)) || path.basename(p).endsWith('.egg-info')) return;
      for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e));
    } else if (TEXT.test(p) && p !== SELF) out.push(p);
  };
  for (const s of SCANNED) if (fs.existsSync(path.join(ROOT, s))) walk(path.join(ROOT, s));
  return out;
}

/** Citations of notes that are not part of the repository (the background notes and their source tags). */
const OUTSIDE = [
  /\b(algorithms|design|packages|peers|trainer-notes)\.md\b/,
  /\btrainer-notes\b/,
  /\b(algorithms|design|packages|peers)\s*§/,
  /\/work\/shared\b|\.\.\/shared\//,
  /\b(UTK|LR|POSE|RP|FU|LCEG|MEG|L3-80K|PROLONG|INDEX|RULER|DOTS)-(CODE|PAPER|SLIDES|README|HF|ISSUE)\b/,
  /\b(ROPE-BOUND|HF-PACK)\b/,
];

/** Every line of `files` matching one of `patterns`, as `file:line: text`. */
function offending(files: string[], patterns: RegExp[]): string[] {
  const hits: string[] = [];
  for (const f of files) {
    fs.readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
      if (patterns.some((p) => p.test(line))) hits.push(`${path.relative(ROOT, f)}:${i + 1}: ${line.trim()}`);
    });
  }
  return hits;
}

/**
 * GitHub's heading anchor: inline markup dropped, lower-cased, punctuation removed, spaces to
 * hyphens, `-1`, `-2`… for repeats. Written out here (the rule of github-slugger, which GitHub
 * uses) rather than added as a dependency for one regular expression.
 */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) fence = f[1]![0]!;
      else if (f[1]![0] === fence) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const text = h[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`/g, '');
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  return anchors;
}

/** Markdown text without fenced blocks and inline code (links there are examples, not links). */
function proseOf(markdown: string): string {
  return markdown.replace(/^\s*(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\s*\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Problems with the target `target` (a relative path, optional #anchor) cited from `from`; null when fine. */
function checkTarget(from: string, target: string): string | null {
  const [file, anchor] = target.split('#') as [string, string | undefined];
  const abs = file === '' ? from : path.resolve(path.dirname(from), decodeURIComponent(file));
  if (!fs.existsSync(abs)) return `${target}: no such file`;
  if (anchor !== undefined && anchor !== '' && abs.endsWith('.md')) {
    if (!headingAnchors(fs.readFileSync(abs, 'utf8')).has(anchor)) return `${target}: no heading with anchor #${anchor} in ${path.relative(ROOT, abs)}`;
  }
  return null;
}

const MARKDOWN = scannedFiles().filter((f) => f.endsWith('.md'));

test('nothing in the repository cites notes that live outside it', () => {
  assert.deepEqual(offending(scannedFiles(), OUTSIDE), []);
});

test('the outside-notes check catches each form it guards against', () => {
  const tmp = path.join(fs.mkdtempSync(path.join(ROOT, '.skein-tmp-refs-')), 'x.ts');
  try {
    const samples = ['see design.md §4', '(algorithms.md §1.5)', 'trainer-notes §2', 'sources: `../shared/algorithms.md`', 'UTK-CODE step 2', 'peers §5.1'];
    fs.writeFileSync(tmp, samples.join('\n'));
    assert.equal(offending([tmp], OUTSIDE).length, samples.length);
    fs.writeFileSync(tmp, 'cd /shared/project  # a cluster path\nsee docs/recipes.md#utk\ndesigned by hand');
    assert.deepEqual(offending([tmp], OUTSIDE), []);
  } finally {
    fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  }
});

test('every relative link in the Markdown reaches a file and heading of the repository', () => {
  assert.ok(MARKDOWN.length >= 10, `found only ${MARKDOWN.length} Markdown files`);
  const broken: string[] = [];
  for (const f of MARKDOWN) {
    for (const m of proseOf(fs.readFileSync(f, 'utf8')).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const problem = checkTarget(f, target);
      if (problem) broken.push(`${path.relative(ROOT, f)}: ${problem}`);
    }
  }
  assert.deepEqual(broken, []);
});

test('every docs/<file>.md#anchor cited in code, tests, schemas and scripts exists', () => {
  const broken: string[] = [];
  let cited = 0;
  for (const f of scannedFiles().filter((x) => !x.endsWith('.md'))) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/\bdocs\/([\w.-]+\.md)(#[\w-]+)?/g)) {
      cited++;
      const problem = checkTarget(path.join(ROOT, 'docs', 'x'), `${m[1]}${m[2] ?? ''}`);
      if (problem) broken.push(`${path.relative(ROOT, f)}: docs/${problem}`);
    }
  }
  assert.ok(cited > 50, `only ${cited} citations of docs/ found`);
  assert.deepEqual(broken, []);
});

test('heading anchors follow GitHub: markup dropped, punctuation removed, repeats numbered', () => {
  const a = headingAnchors('# A\n## `utk` (Untie the Knots, see [recipes.md](recipes.md#utk))\n### LCEG / Fu et al. per-source\n## A\n```\n# not a heading\n```\n');
  assert.deepEqual([...a], ['a', 'utk-untie-the-knots-see-recipesmd', 'lceg--fu-et-al-per-source', 'a-1']);
});
