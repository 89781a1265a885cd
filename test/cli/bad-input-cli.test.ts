import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fixture } from '../helpers/corpus.js';
import { manifestOf, skein, tempDir } from '../helpers/cli.js';

interface Expectation {
  fail: { reason: string; line?: number; row?: number; offset?: number } | null;
  skip: { read?: number; written?: number; written_with_measured_decoder?: number; dropped: Record<string, number> };
}
const expected = JSON.parse(fs.readFileSync(fixture('expected', 'bad.json'), 'utf8')) as Record<string, Expectation>;
const base = tempDir();
let n = 0;
/** Builds one bad fixture through the CLI (cwd = repo root, so paths show as fixtures/bad/...). */
const build = (file: string, policy: 'fail' | 'skip') => {
  const out = path.join(base, String(n++));
  // --allow-empty: some fixtures leave no row (an empty file, every record bad); the accounting is what is tested here.
  return { out, r: skein(['build', '--input', `fixtures/bad/${file}`, '--on-error', policy, '--builder', 'pack', '--seq-len', '64', '--tokenizer', 'o200k_base', '--output', out, '--no-progress', '--allow-empty']) };
};

for (const [file, exp] of Object.entries(expected)) {
  test(`bad input ${file}: documented behaviour under on_error fail and skip`, () => {
    const fail = build(file, 'fail');
    if (exp.fail) {
      assert.equal(fail.r.code, 1, fail.r.stderr);
      const where = exp.fail.line !== undefined ? `:${exp.fail.line}:` : exp.fail.row !== undefined ? ` row ${exp.fail.row}:` : exp.fail.offset !== undefined ? ` at byte ${exp.fail.offset}:` : '';
      assert.ok(fail.r.stderr.startsWith(`skein: fixtures/bad/${file}${where}`), fail.r.stderr);
      assert.match(fail.r.stderr, new RegExp(`\\(${exp.fail.reason}\\); .*--on-error skip`));
      assert.equal(fail.r.stderr.trim().split('\n').length, 1, 'one line');
      assert.ok(!fs.existsSync(path.join(fail.out, 'manifest.json')), 'no manifest for a failed build');
    } else {
      assert.equal(fail.r.code, 0, `valid or empty input never fails: ${fail.r.stderr}`);
    }

    const skip = build(file, 'skip');
    assert.equal(skip.r.code, 0, skip.r.stderr);
    const m = manifestOf(skip.out);
    const droppedTotal = Object.values(m.documents.dropped as Record<string, number>).reduce((a, b) => a + b, 0);
    assert.equal(m.documents.read, m.documents.written + droppedTotal, 'read = written + dropped');
    assert.deepEqual(m.documents.dropped, exp.skip.dropped);
    if (exp.skip.read !== undefined) assert.equal(m.documents.read, exp.skip.read);
    const written = exp.skip.written ?? exp.skip.written_with_measured_decoder;
    if (written !== undefined) assert.equal(m.documents.written, written);
    const badReasons = Object.keys(exp.skip.dropped).filter((r) => r !== 'empty');
    if (badReasons.length) {
      const rejects = fs.readFileSync(path.join(skip.out, 'rejects.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(rejects.map((r) => r.reason).sort(), badReasons.sort());
      for (const r of rejects) assert.equal(r.file, `fixtures/bad/${file}`);
      assert.equal(m.rejects.file, 'rejects.jsonl');
      assert.match(skip.r.stderr, new RegExp(`skipped fixtures/bad/${file.replace(/\./g, '\\.')}`));
    } else {
      assert.ok(!fs.existsSync(path.join(skip.out, 'rejects.jsonl')));
      assert.equal(m.rejects.file, null);
    }
  });
}
