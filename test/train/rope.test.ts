import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ropeConfig } from '../../src/train/config.js';
import { ropeFrequencies, ropeTables, rotateHalfMatrix } from '../../src/train/rope.js';
import { biasStaysNonNegative, extrapolationBound, longContextBound } from '../../src/train/rope-base.js';

const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.abs(b);

test('§8.1 worked values: d 128, T_train 4096, b₀ 1e4 → d_extra 92; β ≥ 1.49e5 (32K), 3.9e5 (64K), 5.3e5 (80K), 1.02e6 (128K)', () => {
  const at = (t: number) => extrapolationBound(128, 4096, 1e4, t);
  assert.equal(at(32768).criticalDim, 92);
  assert.ok(close(at(32768).minBase, 1.49e5, 0.005), String(at(32768).minBase));
  assert.ok(close(at(65536).minBase, 3.9e5, 0.005));
  assert.ok(close(at(81920).minBase, 5.3e5, 0.005));
  assert.ok(close(at(131072).minBase, 1.02e6, 0.005));
  // The base b₀ itself supports 2π·b₀^(92/128) ≈ 4.7K, just above the 4K it was trained for.
  assert.ok(at(32768).baseSupports > 4096 && at(32768).baseSupports < 5000);
});

test('§8.1 worked value for Llama-3: T_train 8192, b₀ 5e5 → d_extra 70; 80K needs ≥ 3.35e7', () => {
  const e = extrapolationBound(128, 8192, 5e5, 81920);
  assert.equal(e.criticalDim, 70);
  assert.ok(close(e.minBase, 3.35e7, 0.005), String(e.minBase));
});

test('§8.2 worked values (d 128, spec ±10–20 % by grid): the spec value lies between the first passing base and the stable one', () => {
  // docs/training.md#rope-base-calculator-skein-rope-base (Men et al.): 1K 6.1e3; 2K 1.5e4; 4K 2.7e4–3.0e4; 8K 8.4e4; 16K 2.8e5–3.3e5; 32K ≈1.2e6.
  const spec: Array<[number, number, number]> = [
    [1024, 6.1e3, 6.1e3],
    [2048, 1.5e4, 1.5e4],
    [4096, 2.7e4, 3.0e4],
    [8192, 8.4e4, 8.4e4],
    [16384, 2.8e5, 3.3e5],
    [32768, 1.2e6, 1.2e6],
  ];
  for (const [len, lo, hi] of spec) {
    const b = longContextBound(128, len);
    assert.ok(biasStaysNonNegative(128, b.firstPassing, len));
    assert.ok(b.firstPassing <= b.stable);
    assert.ok(b.firstPassing <= hi * 1.2 && lo <= b.stable * 1.2, `${len}: spec ${lo}–${hi}, computed ${b.firstPassing}…${b.stable}`);
  }
  // 4K is where the spec gives a range: the first passing base falls inside it.
  const b4 = longContextBound(128, 4096).firstPassing;
  assert.ok(b4 >= 2.7e4 && b4 <= 3.0e4, String(b4));
  // Below the bound the criterion fails somewhere.
  assert.equal(biasStaysNonNegative(128, 1e4, 4096), false);
});

test('RoPE frequencies: linear divides by s, NTK raises the base by s^(d/(d−2)), YaRN keeps high and interpolates low frequencies', () => {
  const d = 16;
  const plain = ropeFrequencies(ropeConfig({ originalContext: 64 }), d).invFreq;
  assert.ok(close(plain[1]!, 1 / Math.pow(10000, 2 / 16), 1e-12));
  const lin = ropeFrequencies(ropeConfig({ originalContext: 64, scaling: 'linear', factor: 4 }), d).invFreq;
  plain.forEach((f, j) => assert.ok(close(lin[j]!, f / 4, 1e-12)));
  const ntk = ropeFrequencies(ropeConfig({ originalContext: 64, scaling: 'ntk', factor: 4 }), d).invFreq;
  assert.equal(ntk[0], 1);
  assert.ok(close(ntk[7]!, Math.pow(10000 * Math.pow(4, 16 / 14), -14 / 16), 1e-12));
  const y = ropeFrequencies(ropeConfig({ originalContext: 4096, scaling: 'yarn', factor: 8 }), 128);
  const p128 = ropeFrequencies(ropeConfig({ originalContext: 4096 }), 128).invFreq;
  assert.ok(close(y.invFreq[0]!, p128[0]!, 1e-12), 'highest frequency extrapolated');
  assert.ok(close(y.invFreq[63]!, p128[63]! / 8, 1e-12), 'lowest frequency interpolated');
  assert.ok(close(y.attentionFactor, 0.1 * Math.log(8) + 1, 1e-12));
});

test('RoPE tables: rotate-half layout, attention factor applied, and R rotates halves', () => {
  const freqs = { invFreq: Float64Array.of(1, 0.5), attentionFactor: 2 };
  const { cos, sin } = ropeTables(Int32Array.of(0, 3), freqs, 4);
  assert.deepEqual(Array.from(cos.subarray(0, 4)), [2, 2, 2, 2]);
  assert.ok(close(cos[4]!, 2 * Math.cos(3), 1e-6) && close(cos[6]!, 2 * Math.cos(3), 1e-6));
  assert.ok(close(sin[5]!, 2 * Math.sin(1.5), 1e-6) && close(sin[7]!, 2 * Math.sin(1.5), 1e-6));
  const r = rotateHalfMatrix(4);
  const x = [1, 2, 3, 4];
  const xr = [0, 1, 2, 3].map((j) => x.reduce((a, xi, i) => a + xi * r[i * 4 + j]!, 0));
  assert.deepEqual(xr, [-3, -4, 1, 2]);
});
