// `skein build pipelines/<name>.json` in a project that only installed skein reads the bundled
// preset (the documented commands run as written there); a file of the project always wins.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { manifestOf, oneLineError, skein, tempDir } from '../helpers/cli.js';

test('a pipelines/*.json path missing from the working directory reads the bundled preset, with a note', () => {
  const cwd = tempDir();
  const r = skein(['build', 'pipelines/pose.json', '--seq-len', '256', '--target-len', '2048', '--no-progress'], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /skein: no pipelines\/pose\.json here; using skein's bundled .*pipelines\/pose\.json/);
  const m = manifestOf(path.join(cwd, 'shards-pose'));
  assert.equal(m.config.builder.type, 'pose');
  assert.equal(m.config.builder.target_len, 2048);
  assert.ok(m.totals.rows > 0);
});

test("the project's own pipelines/*.json wins over the bundled one; other missing paths stay errors", () => {
  const cwd = tempDir();
  fs.mkdirSync(path.join(cwd, 'pipelines'));
  const corpus = path.join(cwd, 'c.jsonl');
  fs.writeFileSync(corpus, `${JSON.stringify({ id: 'a', text: 'one two three four five six seven eight nine ten' })}\n`);
  fs.writeFileSync(path.join(cwd, 'pipelines', 'pose.json'), JSON.stringify({ name: 'mine', inputs: [{ path: '../c.jsonl' }], tokenizer: { name: 'llama3' }, builder: { type: 'concat-chunk', seq_len: 4, remainder: 'keep' } }));
  const r = skein(['build', 'pipelines/pose.json', '--no-progress'], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /bundled/);
  assert.equal(manifestOf(path.join(cwd, 'shards-mine')).config.builder.type, 'concat-chunk');
  oneLineError(skein(['build', 'pipelines/no-such-preset.json'], cwd), /config file pipelines\/no-such-preset\.json not found/);
  oneLineError(skein(['build', 'other/pose.json'], cwd), /config file other\/pose\.json not found/);
});
