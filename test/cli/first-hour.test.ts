import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { manifestOf, tempDir } from '../helpers/cli.js';
import { ROOT } from '../helpers/corpus.js';
import { skeinAsync } from '../helpers/spawn.js';

const preset = (name: string) => path.join(ROOT, 'pipelines', `${name}.json`);

test('without --output each named preset builds into its own ./shards-<name>, so the documented examples run in order without colliding', async () => {
  const cwd = tempDir('skein-cwd-');
  const a = await skeinAsync(['build', '--no-progress', '--tokenizer', 'o200k_base'], {}, cwd);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /→ shards\//);
  const b = await skeinAsync(['build', preset('pose'), '--seq-len', '256', '--target-len', '2048', '--no-progress', '--tokenizer', 'o200k_base'], {}, cwd);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /→ shards-pose\//);
  assert.deepEqual(fs.readdirSync(cwd).sort(), ['shards', 'shards-pose']);
  assert.equal(manifestOf(path.join(cwd, 'shards-pose')).builder.name, 'pose');
});

test('a build of another configuration names the key the user changed (builder.type, not a default it implies); --engine on a finished folder says the engine is not part of its identity', async () => {
  const out = path.join(tempDir('skein-diff-'), 'out');
  assert.equal((await skeinAsync(['build', '--output', out, '--no-progress'])).code, 0);
  const pack = await skeinAsync(['build', '--output', out, '--builder', 'pack', '--no-progress']);
  assert.equal(pack.code, 1);
  assert.match(pack.stderr, /holds a finished build of another configuration \(its config differs at builder\.type\); pass --overwrite/);
  const seq = await skeinAsync(['build', '--output', out, '--seq-len', '2048', '--no-progress']);
  assert.match(seq.stderr, /its config differs at builder\.seq_len/);
  const engine = await skeinAsync(['build', '--output', out, '--engine', 'native', '--no-progress']);
  assert.equal(engine.code, 0, engine.stderr);
  assert.match(engine.stdout, /already complete/);
  assert.match(engine.stdout, /note: it was encoded by skein-bpe@[\d.]+, not tokenizers@[\d.]+: every engine gives the same ids, so the engine \(like the worker count\) is not part of a build's identity and nothing was rebuilt/);
});

test('a build that makes no row is an error naming why and the flag that changes it; --allow-empty writes the empty dataset', async () => {
  const base = tempDir('skein-empty-');
  const out = path.join(base, 'out');
  const r = await skeinAsync(['build', preset('lceg-slimpajama-64k'), '--output', out, '--no-progress', '--seq-len', '1000000']);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^skein: no rows were built \(documents: read 923 = written 0 \+ dropped 923 \(mix_short \d+, remainder \d+\)\): they fell under the short-document threshold of per-source upsampling: lower mix\.short_threshold \(--set mix\.short_threshold=512\) or raise mix\.short_keep; pass --allow-empty/);
  assert.ok(!fs.existsSync(out), 'no folder is left');
  const rem = await skeinAsync(['build', '--output', out, '--seq-len', '10000000', '--no-progress']);
  assert.match(rem.stderr, /dropped 26 \(remainder 26\)\): they all fell into the dropped remainder, shorter than one row: use a smaller --seq-len, or --set builder\.remainder=keep/);
  const empty = path.join(base, 'empty.jsonl');
  fs.writeFileSync(empty, '');
  const none = await skeinAsync(['build', '--input', empty, '--output', out, '--no-progress']);
  assert.match(none.stderr, /read 0 = written 0 \+ dropped 0\): the inputs hold no documents/);
  const allowed = await skeinAsync(['build', '--input', empty, '--output', out, '--no-progress', '--allow-empty']);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /0 rows .* in 1 shard/);
  assert.equal(manifestOf(out).totals.rows, 0);
});

test('skein merge takes folders that each rank was built into with its own --output (their rank-* folders)', async () => {
  const base = tempDir('skein-ranks-');
  for (const r of ['0', '1']) {
    const b = await skeinAsync(['build', '--output', path.join(base, `r${r}`), '--rank', r, '--world-size', '2', '--tokenizer', 'o200k_base', '--no-progress']);
    assert.equal(b.code, 0, b.stderr);
  }
  const merged = path.join(base, 'merged');
  const m = await skeinAsync(['merge', path.join(base, 'r0'), path.join(base, 'r1'), '--output', merged]);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout, /2 ranks → .*merged\/: 53 rows/);
  assert.deepEqual(manifestOf(merged).scale_out.ranks.map((x: { dir: string }) => x.dir), ['../r0/rank-00000-of-00002', '../r1/rank-00001-of-00002']);
});

test('every bundled preset builds a non-empty dataset on the bundled data, as shipped (no flags)', async () => {
  const cwd = tempDir('skein-presets-');
  for (const name of fs.readdirSync(path.join(ROOT, 'pipelines')).filter((f) => f.endsWith('.json') && f !== 'pipeline.schema.json')) {
    const out = path.join(cwd, name);
    const r = await skeinAsync(['build', path.join(ROOT, 'pipelines', name), '--output', out, '--no-progress']);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    const m = manifestOf(out);
    assert.ok(m.totals.rows > 0 && m.totals.tokens > 0, `${name}: ${m.totals.rows} rows`);
    assert.equal(m.documents.read, m.documents.written + Object.values(m.documents.dropped as Record<string, number>).reduce((a, b) => a + b, 0), `${name}: read = written + dropped`);
  }
});
