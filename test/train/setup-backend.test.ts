import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { nativeStatus } from '../../src/train/native/install-layout.js';
import { ROOT } from '../helpers/corpus.js';
import { skein, tempDir } from '../helpers/cli.js';

/** A PATH holding only `node`: no python3, pip, compiler, make or npm. */
function bareBin(): string {
  const bin = path.join(tempDir('skein-bare-bin-'), 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  return bin;
}

test('setup-backend names every missing build tool in one line with its fix, and writes nothing', () => {
  const home = path.join(tempDir('skein-home-'), 'home');
  const r = skein(['setup-backend', 'tensorflow'], ROOT, { PATH: bareBin(), SKEIN_HOME: home, CXX: '', npm_config_nodedir: '/nonexistent-node' });
  assert.equal(r.code, 1, r.stderr);
  const line = r.stderr.trim().split('\n').at(-1)!;
  assert.match(line, /^skein: cannot build the native backend, missing: python3 \(node-gyp runs on it: apt install python3\); pip \(apt install python3-pip, or pass --wheel <path\|url> of the wheel\); a C\+\+ compiler \(apt install g\+\+\); make \(apt install make\); Node's C headers \(no \/nonexistent-node\/include\/node\/node_api\.h: apt install libnode-dev for Debian's nodejs, use a Node from nodejs\.org \(it ships include\/node\), or set npm_config_nodedir to a folder holding include\/node\); npm \(install Node\.js with npm\); then rerun$/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.ok(!fs.existsSync(home), 'nothing was created');
});

test('setup-backend --wheel: a missing file, a file that is not a ZIP, a ZIP without libtensorflow: one line each, nothing left behind', () => {
  const home = path.join(tempDir('skein-home-'), 'home');
  const cases: Array<[string, RegExp]> = [
    ['/nonexistent/tensorflow_cpu.whl', /--wheel \/nonexistent\/tensorflow_cpu\.whl: no such file: give the path of a tensorflow-cpu wheel \(\.whl\) or an http\(s\) URL$/],
    [path.join(ROOT, 'package.json'), /package\.json is not a wheel \(.*\): give a TensorFlow wheel \(\.whl\) for Linux$/],
    [path.join(ROOT, 'fixtures', 'corpus', 'sotu.zip'), /sotu\.zip is not a Linux TensorFlow wheel with the C library \(no tensorflow\/libtensorflow_cc\.so\.2, tensorflow\/libtensorflow_framework\.so\.2\): give a tensorflow-cpu/],
  ];
  for (const [wheel, expected] of cases) {
    const r = skein(['setup-backend', 'tensorflow', '--wheel', wheel], ROOT, { SKEIN_HOME: home });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr.trim().split('\n').at(-1)!, expected);
    assert.deepEqual(fs.readdirSync(path.join(home, 'backends')), [], 'no half set-up is left');
  }
});

test('setup-backend rejects what it does not build, with the alternative', () => {
  const r = skein(['setup-backend', 'webgpu']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^skein: setup-backend builds 'tensorflow' only \(got 'webgpu'\): wasm and cpu need no set-up; webgpu: npm install webgpu@0\.6\.2/);
});

const ready = nativeStatus('tensorflow');
test('setup-backend on a machine where it is set up: says so and does nothing; doctor and train --backend list show it loading', { skip: ready.state === 'ready' ? false : 'the tensorflow backend is not set up here (CI sets it up)' }, () => {
  if (ready.state !== 'ready') return;
  const marker = path.join(ready.dir, 'skein-backend.json');
  const before = fs.statSync(marker).mtimeMs;
  const r = skein(['setup-backend', 'tensorflow']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^skein: tensorflow backend already set up at .* \(TensorFlow 2\.\d+\.\d+, @tensorflow\/tfjs-node 4\.22\.0\); nothing to do \(--force rebuilds it\)$/m);
  assert.doesNotMatch(r.stderr, /\[1\/7\]/, 'no step ran');
  assert.equal(fs.statSync(marker).mtimeMs, before);
  for (const args of [['doctor'], ['train', '--backend', 'list']]) {
    const d = skein(args);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /^ {2}tensorflow {5}loads  libtensorflow 2\.\d+\.\d+ of the tensorflow-cpu wheel from .*backends\/tensorflow {3}← --backend auto$/m);
    assert.match(d.stdout, /^ {2}tensorflow-gpu no {5}not set up: run npx skein setup-backend tensorflow --gpu$/m);
    assert.match(d.stdout, /^ {2}wasm {11}loads  /m);
  }
});

test('doctor without the native backend: tensorflow is "not set up" with the command, wasm is what auto picks', () => {
  const r = skein(['doctor', '--json'], ROOT, { SKEIN_HOME: tempDir('skein-home-') });
  assert.equal(r.code, 0, r.stderr);
  const probes = JSON.parse(r.stdout) as Array<{ name: string; ok: boolean; detail: string }>;
  assert.deepEqual(probes.map((p) => p.name), ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
  assert.deepEqual(probes.find((p) => p.name === 'tensorflow'), { name: 'tensorflow', ok: false, detail: 'not set up: run npx skein setup-backend tensorflow' });
  assert.equal(probes.find((p) => p.ok)?.name, 'wasm');
});
