import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { loadConfigObject, runBuild } from '../../src/index.js';
import { openDataset } from '../../src/shards/reader.js';
import { selectBackend } from '../../src/train/backend.js';
import type { BackendName } from '../../src/train/backend-names.js';
import { epochWindows, trainingWindows } from '../../src/train/data-loader.js';
import { readTrainLog, train, type StepLog, type TrainOptions } from '../../src/train/trainer.js';
import { UserError } from '../../src/util/errors.js';
import { corpusDocs } from '../helpers/corpus.js';
import { tempDir } from '../helpers/cli.js';
import { trainBackends, untestedNote } from './backends.js';

const root = tempDir('skein-train-test-');
const trainDir = path.join(root, 'train-shards');
const heldDir = path.join(root, 'held-shards');

/** Builds the bundled corpus into train (first 22 addresses) and held-out (last 4) shards with runBuild. */
before(async () => {
  const docs = corpusDocs();
  const write = (file: string, ds: typeof docs) => fs.writeFileSync(file, ds.map((d) => JSON.stringify(d)).join('\n') + '\n');
  write(path.join(root, 'train.jsonl'), docs.slice(0, 22));
  write(path.join(root, 'held.jsonl'), docs.slice(22));
  for (const [file, out] of [['train.jsonl', trainDir], ['held.jsonl', heldDir]] as const) {
    await runBuild(loadConfigObject({ inputs: [{ path: path.join(root, file) }], tokenizer: { name: 'o200k_base' }, builder: { type: 'pack', seq_len: 512 }, output: { dir: out } }));
  }
});

/** Tiny settings shared by the runs below, on `backend`. */
const tinyOn = (backend: BackendName, output: string, over: Partial<TrainOptions> = {}): TrainOptions => ({
  backend,
  data: trainDir,
  output,
  preset: 'tiny',
  seqLen: 64,
  batchSize: 4,
  vocabSize: 512,
  steps: 6,
  checkpointEvery: 3,
  seed: 7,
  ...over,
});

test('data order: seeded, a pure function of the settings, different per epoch and per seed; resuming skips exactly the consumed windows', async () => {
  const ds = await openDataset(trainDir);
  assert.equal(ds.manifest.attention, 'document');
  const first = async (seed: number, epoch: number, n: number) => {
    const out: string[] = [];
    for await (const w of epochWindows(ds, { seqLen: 64, seed, bufferWindows: 50 }, epoch)) {
      out.push(Array.from(w.inputIds.subarray(0, 8)).join(','));
      if (out.length === n) break;
    }
    return out;
  };
  assert.deepEqual(await first(1, 0, 20), await first(1, 0, 20));
  assert.notDeepEqual(await first(1, 0, 20), await first(1, 1, 20));
  assert.notDeepEqual(await first(1, 0, 20), await first(2, 0, 20));
  const all: string[] = [];
  const gen = trainingWindows(ds, { seqLen: 64, seed: 1, bufferWindows: 50 }, { epoch: 0, window: 0 });
  for (let i = 0; i < 30; i++) all.push(Array.from((await gen.next()).value!.window.inputIds.subarray(0, 8)).join(','));
  await gen.return(undefined);
  const resumed = trainingWindows(ds, { seqLen: 64, seed: 1, bufferWindows: 50 }, { epoch: 0, window: 17 });
  for (let i = 17; i < 30; i++) assert.equal(Array.from((await resumed.next()).value!.window.inputIds.subarray(0, 8)).join(','), all[i]);
  await resumed.return(undefined);
});

/** The training-loop checks on one backend. */
function trainChecks(backend: BackendName): void {
  test(`[${backend}] exact resume: a run stopped at step 3 and resumed produces exactly the losses of the uninterrupted run`, async () => {
    const tiny = (output: string, over: Partial<TrainOptions> = {}) => tinyOn(backend, output, over);
    const full = await train(tiny(path.join(root, backend, 'run-full')));
    assert.equal(full.losses.length, 6);
    const partDir = path.join(root, backend, 'run-part');
    const part = await train(tiny(partDir, { stopAfter: 3 }));
    assert.deepEqual(part.losses, full.losses.slice(0, 3));
    assert.equal(part.lastStep, 3);
    for (const f of ['model.json', 'weights.bin', 'optimizer.bin']) assert.ok(fs.existsSync(path.join(partDir, 'checkpoints', 'step-000003', f)), f);
    const rest = await train({ data: trainDir, output: partDir, backend, resume: true, checkpointEvery: 3 });
    assert.deepEqual(rest.losses, full.losses.slice(3), 'losses after resume equal the uninterrupted run, bit for bit');
    const logged = (dir: string) => readTrainLog(dir).then((l) => l.filter((e): e is StepLog => 'loss' in e).map((e) => [e.step, e.loss, e.lr, e.grad_norm]));
    assert.deepEqual(await logged(partDir), await logged(path.join(root, backend, 'run-full')));
    assert.ok(fs.readFileSync(path.join(partDir, 'loss.svg'), 'utf8').startsWith('<?xml'));
    assert.ok(fs.statSync(path.join(partDir, 'loss.png')).size > 0);
    // Resuming with a setting that contradicts the run, or starting over an existing run, are user errors.
    await assert.rejects(train({ ...tiny(partDir), resume: true, lr: 0.5 }), (e: unknown) => e instanceof UserError && /lr differ/.test((e as Error).message));
    await assert.rejects(train(tiny(partDir)), (e: unknown) => e instanceof UserError && /--resume/.test((e as Error).message));
  });

  test(`[${backend}] gradient accumulation: 2 micro-batches of 2 give the first step of 1 batch of 4 (same windows, same update)`, async () => {
    const tiny = (output: string, over: Partial<TrainOptions> = {}) => tinyOn(backend, output, over);
    const a = await train(tiny(path.join(root, backend, 'acc-a'), { steps: 2, batchSize: 4, gradAccum: 1 }));
    const b = await train(tiny(path.join(root, backend, 'acc-b'), { steps: 2, batchSize: 2, gradAccum: 2 }));
    for (let i = 0; i < 2; i++) assert.ok(Math.abs(a.losses[i]! - b.losses[i]!) < 1e-5, `step ${i + 1}: ${a.losses[i]} vs ${b.losses[i]}`);
  });

  test(`[${backend}] a tiny model's held-out loss falls on the bundled corpus within 40 steps`, async (t) => {
    const tiny = (output: string, over: Partial<TrainOptions> = {}) => tinyOn(backend, output, over);
    const r = await train(tiny(path.join(root, backend, 'run-learn'), { steps: 40, batchSize: 8, evalData: heldDir, evalEvery: 20, evalWindows: 16, checkpointEvery: 100 }));
    const [start, mid, end] = r.evalLosses;
    t.diagnostic(`held-out loss ${r.evalLosses.map((p) => `${p.loss.toFixed(3)}@${p.step}`).join(' → ')}; train ${r.losses[0]!.toFixed(3)} → ${r.losses.at(-1)!.toFixed(3)}`);
    assert.equal(r.evalLosses.length, 3);
    assert.equal(start!.step, 0);
    assert.ok(mid!.loss < start!.loss && end!.loss < mid!.loss, 'falls at every evaluation');
    assert.ok(end!.loss < start!.loss - 1, `from ${start!.loss} to ${end!.loss}`);
    const log = await readTrainLog(r.output);
    assert.equal(log.filter((e) => 'eval_loss' in e).length, 3);
    assert.ok(log.filter((e): e is StepLog => 'loss' in e).every((e) => e.tokens_per_s > 0 && e.lr > 0));
  });
}

const note = untestedNote();
if (note) test('trainer checks on the tensorflow backend', { skip: note }, () => {});
for (const backend of trainBackends()) trainChecks(backend);

test('a forced backend that is not set up is a one-line user error naming the set-up command', async () => {
  await assert.rejects(selectBackend('tensorflow-gpu'), (e: unknown) => e instanceof UserError && /not set up: run npx skein setup-backend tensorflow --gpu\), or use --backend auto$/.test((e as Error).message) && !(e as Error).message.includes('\n'));
  await selectBackend('wasm');
});

if (trainBackends().length > 1) {
  test(`the backends agree: the first 6 training losses at one seed match across ${trainBackends().join(', ')} to 1e-4`, async (t) => {
    const runs: Array<{ backend: BackendName; losses: number[] }> = [];
    for (const backend of trainBackends()) runs.push({ backend, losses: (await train(tinyOn(backend, path.join(root, backend, 'agree')))).losses });
    for (const r of runs.slice(1)) {
      const worst = Math.max(...r.losses.map((l, i) => Math.abs(l - runs[0]!.losses[i]!)));
      t.diagnostic(`${r.backend} vs ${runs[0]!.backend}: max |Δloss| ${worst.toExponential(2)} over ${r.losses.length} steps`);
      assert.equal(r.losses.length, 6);
      assert.ok(worst < 1e-4, `${r.backend}: ${r.losses} vs ${runs[0]!.losses}`);
    }
  });
}
