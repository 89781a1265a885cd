import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { oneLineError, skein, tempDir } from '../helpers/cli.js';
import { treeOf } from '../helpers/tree.js';

const root = tempDir('skein-ckpt-faults-');
const shards = path.join(root, 'shards');
const pristine = path.join(root, 'pristine');
const TRAIN = ['--backend', 'wasm', '--seq-len', '64', '--batch-size', '4', '--vocab-size', '512', '--steps', '4', '--checkpoint-every', '2', '--seed', '5', '--no-progress', '-q'];

before(() => {
  const b = skein(['build', '--tokenizer', 'o200k_base', '--builder', 'pack', '--seq-len', '256', '--output', shards, '-q']);
  assert.equal(b.code, 0, b.stderr);
  const t = skein(['train', shards, '--output', pristine, ...TRAIN, '--stop-after', '2']);
  assert.equal(t.code, 0, t.stderr);
  // step-000002 is the complete checkpoint the fixes point at; the faults below damage step-000004.
  const t2 = skein(['train', shards, '--output', pristine, ...TRAIN, '--resume']);
  assert.equal(t2.code, 0, t2.stderr);
});

/** A copy of the finished 4-step run, damaged by `damage` (given the step-000004 folder and the checkpoints folder). */
function damagedRun(name: string, damage: (step4: string, ckpts: string) => void): string {
  const dir = path.join(root, name);
  fs.cpSync(pristine, dir, { recursive: true });
  damage(path.join(dir, 'checkpoints', 'step-000004'), path.join(dir, 'checkpoints'));
  return dir;
}

/** Flips bit 3 of the byte at `offset` of a file. */
function flipBit(file: string, offset: number): void {
  const b = fs.readFileSync(file);
  b[offset] = b[offset]! ^ 0b1000;
  fs.writeFileSync(file, b);
}

/** Writes NaN into the first float of weights.bin and records the file's new sha256 in model.json (a checksum cannot catch it). */
function nanWeights(step: string): void {
  const w = fs.readFileSync(path.join(step, 'weights.bin'));
  w.writeFloatLE(Number.NaN, 0);
  fs.writeFileSync(path.join(step, 'weights.bin'), w);
  const mj = JSON.parse(fs.readFileSync(path.join(step, 'model.json'), 'utf8'));
  mj.userDefinedMetadata.skein.files['weights.bin'].sha256 = createHash('sha256').update(w).digest('hex');
  fs.writeFileSync(path.join(step, 'model.json'), JSON.stringify(mj));
}

const FAULTS: Array<[string, (step: string, ckpts: string) => void, RegExp]> = [
  ['one flipped bit in weights.bin', (s) => flipBit(path.join(s, 'weights.bin'), 1000), /step-000004: weights\.bin does not match the sha256 recorded in model\.json \(the file is damaged\)/],
  ['one flipped bit in optimizer.bin', (s) => flipBit(path.join(s, 'optimizer.bin'), 5000), /step-000004: optimizer\.bin does not match the sha256 recorded in model\.json/],
  ['a truncated weights.bin', (s) => fs.truncateSync(path.join(s, 'weights.bin'), 4096), /step-000004: weights\.bin is truncated \(4096 of \d+ bytes\)/],
  ['an empty optimizer.bin', (s) => fs.writeFileSync(path.join(s, 'optimizer.bin'), ''), /step-000004: optimizer\.bin is empty/],
  ['a missing weights.bin', (s) => fs.rmSync(path.join(s, 'weights.bin')), /step-000004: weights\.bin is missing/],
  ['a missing optimizer.bin', (s) => fs.rmSync(path.join(s, 'optimizer.bin')), /step-000004: optimizer\.bin is missing/],
  ['NaN weights (with a matching sha256)', (s) => nanWeights(s), /step-000004: weights\.bin holds 1 NaN\/Infinity values \(first in tok_emb\): the run had diverged or the file was altered/],
  ['garbage latest.json', (_, c) => fs.writeFileSync(path.join(c, 'latest.json'), '{"step": 4, "dir": "step-0'), /latest\.json does not name a checkpoint \(not JSON; it should read \{"step": N, "dir": "step-NNNNNN"\}\)/],
  ['latest.json that is null', (_, c) => fs.writeFileSync(path.join(c, 'latest.json'), 'null'), /latest\.json does not name a checkpoint \(got null;/],
  ['latest.json naming a folder outside the run', (_, c) => fs.writeFileSync(path.join(c, 'latest.json'), '{"step": 4, "dir": "../../elsewhere"}'), /latest\.json does not name a checkpoint \(got \{"step":4,"dir":"\.\.\/\.\.\/elsewhere"\}/],
];

for (const [name, damage, expected] of FAULTS) {
  test(`train --resume with ${name}: exit 1, one line naming the file and the intact older checkpoint, the run folder untouched`, () => {
    const dir = damagedRun(name.replace(/\W+/g, '-'), damage);
    const before = treeOf(dir);
    const r = skein(['train', shards, '--output', dir, ...TRAIN, '--resume']);
    oneLineError(r, expected);
    // A damaged step-000004 points at step-000002; a damaged latest.json at the newest intact step, step-000004.
    const intact = /latest/.test(name) ? ['step-000004', 4] : ['step-000002', 2];
    assert.ok(r.stderr.includes(`the checkpoint ${path.join(dir, 'checkpoints', intact[0] as string)} is intact: resume from it by writing {"step": ${intact[1]}, "dir": "${intact[0]}"} into ${path.join(dir, 'checkpoints', 'latest.json')}`), r.stderr);
    assert.deepEqual(treeOf(dir), before, 'nothing in the run folder changed');
  });
}

test('following the fix: latest.json pointed at the intact step-000002 resumes and ends with the uninterrupted run’s weights', () => {
  const dir = damagedRun('fixed', (s) => flipBit(path.join(s, 'weights.bin'), 99));
  fs.writeFileSync(path.join(dir, 'checkpoints', 'latest.json'), '{"step": 2, "dir": "step-000002"}');
  const r = skein(['train', shards, '--output', dir, ...TRAIN, '--resume']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(fs.readFileSync(path.join(dir, 'checkpoints', 'step-000004', 'weights.bin')), fs.readFileSync(path.join(pristine, 'checkpoints', 'step-000004', 'weights.bin')));
});

test('skein eval of a damaged checkpoint: exit 1, one line, nothing written', () => {
  const dir = damagedRun('eval-damaged', (s) => flipBit(path.join(s, 'optimizer.bin'), 77));
  const r = skein(['eval', dir, shards, '--output', path.join(root, 'report'), '--backend', 'wasm'], root);
  oneLineError(r, /optimizer\.bin does not match the sha256/);
  assert.ok(!fs.existsSync(path.join(root, 'report')));
});

test('train --vocab-size full at the default batch size on wasm: refused before it starts, with the memory it needs and the fix', () => {
  const out = path.join(root, 'full-vocab');
  const r = skein(['train', shards, '--output', out, '--backend', 'wasm', '--vocab-size', 'full', '--steps', '2', '--no-progress']);
  assert.equal(r.code, 1, r.stderr);
  const line = r.stderr.trim().split('\n').at(-1)!;
  assert.match(line, /^skein: a training step needs about \d+\.\d GB, more than the 3\.5 GB the wasm backend can use \(its heap is limited to 4 GB\); the logits alone are 8 × 128 × \d{6} values: use --batch-size (\d) \(with --grad-accum \d+ for the same tokens per step\), a smaller --vocab-size, or the native backend \(npx skein setup-backend tensorflow/);
  assert.ok(!fs.existsSync(out), 'no run folder is left behind');
  // The batch size it suggests does fit: a step of it runs on wasm.
  const fits = line.match(/--batch-size (\d)/)![1]!;
  const ok = skein(['train', shards, '--output', out, '--backend', 'wasm', '--vocab-size', 'full', '--batch-size', fits, '--steps', '1', '--no-progress', '-q']);
  assert.equal(ok.code, 0, ok.stderr);
});
