import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { skein, tempDir } from '../helpers/cli.js';
import { assertWholeChart, countMarks, decodePng, svgTexts } from '../helpers/chart-image.js';
import { fixture } from '../helpers/corpus.js';

test('end to end on the bundled corpus: skein build → train (held-out loss on other documents) → gen-eval passkey → eval', () => {
  const cwd = tempDir('skein-e2e-');
  const build = skein(['build', '--no-progress'], cwd);
  assert.equal(build.code, 0, build.stderr);
  // The README's held-out set: other addresses than the training corpus, built the same way.
  const held = skein(['build', '--input', fixture('heldout', 'sotu-heldout.jsonl.gz'), '--output', 'heldout', '--no-progress', '-q'], cwd);
  assert.equal(held.code, 0, held.stderr);
  const tr = skein(['train', 'shards', '--output', 'run', '--steps', '8', '--seq-len', '128', '--batch-size', '4', '--checkpoint-every', '4', '--eval-data', 'heldout', '--eval-windows', '4', '--no-progress'], cwd);
  assert.equal(tr.code, 0, tr.stderr);
  assert.match(tr.stdout, /skein train: step 8\/8 on (wasm|cpu|webgpu|tensorflow|tensorflow-gpu)/);
  assert.match(tr.stderr, /vocabulary compact: 2047 most frequent of the tokenizer's 128256 ids/);
  for (const f of ['log.jsonl', 'loss.svg', 'loss.png', 'checkpoints/latest.json', 'checkpoints/step-000008/model.json', 'checkpoints/step-000008/weights.bin', 'checkpoints/step-000008/optimizer.bin', 'checkpoints/step-000004/model.json']) {
    assert.ok(fs.existsSync(path.join(cwd, 'run', f)), f);
  }
  const log = fs.readFileSync(path.join(cwd, 'run', 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(log.filter((e) => 'loss' in e).map((e) => e.step), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(log.filter((e) => 'eval_loss' in e).length, 2);
  const lossSvg = fs.readFileSync(path.join(cwd, 'run', 'loss.svg'), 'utf8');
  assert.ok(svgTexts(lossSvg).includes('held-out loss'), 'held-out points in the legend: --eval-data was given');
  assert.equal(countMarks(lossSvg, 'point'), 2);
  assertWholeChart(decodePng(fs.readFileSync(path.join(cwd, 'run', 'loss.png'))), lossSvg);
  const model = JSON.parse(fs.readFileSync(path.join(cwd, 'run', 'checkpoints', 'step-000008', 'model.json'), 'utf8'));
  assert.equal(model.format, 'skein-lm');
  assert.equal(model.weightsManifest[0].paths[0], 'weights.bin');

  // SKEIN_PROGRESS_SECONDS makes the log-style progress (stderr is a pipe here) print at every step.
  const everyStep = { SKEIN_PROGRESS_SECONDS: '0.000001' };
  const gen = skein(['gen-eval', 'passkey', '--lengths', '128,256', '--depths', '0,50,100', '--samples', '2', '--output', 'eval-passkey'], cwd, everyStep);
  assert.equal(gen.code, 0, gen.stderr);
  assert.match(gen.stderr, /^skein: generating passkey samples: 12\/12 samples \(100\.0%/m);
  assert.match(gen.stdout, /12 passkey samples .* at lengths 128, 256 × depths 0, 50, 100%/);

  const ev = skein(['eval', 'run', 'eval-passkey', 'heldout', '--max-windows', '4', '--output', 'report'], cwd, everyStep);
  assert.equal(ev.code, 0, ev.stderr);
  assert.match(ev.stderr, /^skein: evaluating eval-passkey: 12\/12 samples \(100\.0%/m);
  assert.match(ev.stderr, /^skein: evaluating heldout: 4\/4 windows/m);
  assert.match(ev.stdout, /passkey \(eval-passkey\): exact match \d+\.\d% of 12/);
  assert.match(ev.stdout, /perplexity \d/);
  const report = JSON.parse(fs.readFileSync(path.join(cwd, 'report', 'report.json'), 'utf8'));
  assert.equal(report.step, 8);
  assert.equal(report.tasks[0].cells.length, 6);
  assert.ok(report.perplexity[0].buckets.length >= 2);
  const heat = fs.readFileSync(path.join(cwd, 'report', 'passkey-heatmap.svg'), 'utf8');
  assert.ok(svgTexts(heat).includes('passkey: exact match by context length × depth'));
  assert.ok(svgTexts(heat).includes('eval-passkey, checkpoint step 8'));
  assert.equal(countMarks(heat, 'rect mark'), 6);
  assertWholeChart(decodePng(fs.readFileSync(path.join(cwd, 'report', 'passkey-heatmap.png'))), heat);
  assert.deepEqual(report.files.map((f: string) => path.basename(f)), ['report.json', 'passkey-heatmap.svg', 'passkey-heatmap.png']);

  // Resume continues the finished run only when asked, and a mismatched eval set is a user error.
  const again = skein(['train', 'shards', '--output', 'run', '--steps', '8', '--no-progress'], cwd);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^skein: .*already holds a training run: pass --resume/);
  const o200k = skein(['gen-eval', 'passkey', '--lengths', '128', '--tokenizer', 'o200k_base', '--output', 'eval-o200k', '-q'], cwd);
  assert.equal(o200k.code, 0, o200k.stderr);
  const bad = skein(['eval', 'run', 'eval-o200k'], cwd);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /tokenized with o200k_base but the checkpoint was trained on llama3 tokens: regenerate it with --tokenizer llama3/);
});

test('skein rope-base prints both bounds with the worked values of docs/training.md', () => {
  const r = skein(['rope-base', '--head-dim', '128', '--train-len', '4096', '--target', '32768']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /d_extra = 92/);
  assert.match(r.stdout, /target needs base ≥ 1\.49e5/);
  assert.match(r.stdout, /long-context bound .* first at base \d\.\d\de5/);
  const j = skein(['rope-base', '--head-dim', '128', '--train-len', '8192', '--target', '81920', '--base', '500000', '--json']);
  assert.equal(JSON.parse(j.stdout).extrapolation.criticalDim, 70);
});

test('CLI user errors are one line with exit 1: forced missing backend, unknown task, bad flag', () => {
  const cwd = tempDir('skein-cli-err-');
  const r0 = skein(['train', 'nowhere'], cwd);
  assert.equal(r0.code, 1);
  assert.match(r0.stderr, /^skein: no skein manifest at .*nowhere/);
  assert.equal(skein(['build', '--tokenizer', 'o200k_base', '--output', 'shards', '-q'], cwd).code, 0);
  const r1 = skein(['train', 'shards', '--backend', 'tensorflow-gpu'], cwd);
  assert.equal(r1.code, 1);
  assert.match(r1.stderr, /^skein: backend tensorflow-gpu is not available \(not set up: run npx skein setup-backend tensorflow --gpu\), or use --backend auto$/m);
  assert.equal(r1.stderr.trim().split('\n').length, 1);
  const r2 = skein(['gen-eval', 'haystack', '--lengths', '128'], cwd);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /unknown eval task 'haystack'/);
  const r3 = skein(['gen-eval', 'passkey', '--lengths', '128,abc'], cwd);
  assert.equal(r3.code, 1);
  const r4 = skein(['eval', 'nowhere', 'x'], cwd);
  assert.equal(r4.code, 1);
  assert.match(r4.stderr, /no checkpoint at nowhere/);
});
