import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Mixer, resolveMixture, SLIMPAJAMA_MIX, type MixerOptions } from '../../src/index.js';

const base: MixerOptions = { mode: 'per_source', seed: 7, totalTokens: 10_000, shares: { a: 0.75, b: 0.25 }, shortThreshold: 100, shortKeep: 0.1, length: 'tokens' };

test('the SlimPajama table is the reference constant and sums to 1; tables are normalised; bad tables are user errors', () => {
  assert.equal(Object.keys(SLIMPAJAMA_MIX).length, 7);
  assert.equal(SLIMPAJAMA_MIX.RedPajamaCommonCrawl, 0.53374772);
  assert.ok(Math.abs(Object.values(SLIMPAJAMA_MIX).reduce((a, b) => a + b, 0) - 1) < 1e-7);
  assert.deepEqual(resolveMixture({ x: 3, y: 1 }), { x: 0.75, y: 0.25 });
  assert.deepEqual(resolveMixture('slimpajama'), resolveMixture({ ...SLIMPAJAMA_MIX }));
  assert.throws(() => resolveMixture('dolma'), (e: Error) => e.name === 'UserError' && /unknown mixture 'dolma'/.test(e.message));
  assert.throws(() => resolveMixture({ x: 0 }), /no source a positive weight/);
});

test('per_source: the budget check comes before the length rule, so each source overshoots by at most one document, then is full', () => {
  const m = new Mixer({ ...base, shortKeep: 1 });
  const kept: Record<string, number> = { a: 0, b: 0 };
  for (let i = 0; i < 400; i++) {
    for (const source of ['a', 'b']) {
      const d = m.decide({ id: `${source}${i}`, source, tokens: 300, chars: 0 });
      if (d.keep) kept[source]! += 300;
    }
  }
  assert.ok(kept.a! >= 7500 && kept.a! < 7500 + 300, `a kept ${kept.a}`);
  assert.ok(kept.b! >= 2500 && kept.b! < 2500 + 300, `b kept ${kept.b}`);
  assert.equal(m.done, true);
  assert.equal(m.admits('a'), false);
  const r = m.report();
  assert.equal(r.sources.a!.target_tokens, 7500);
  assert.ok(Math.abs(r.sources.a!.share - 0.75) < 0.02);
  assert.ok(r.sources.a!.dropped.mix_source_full! > 0);
  assert.deepEqual(m.decide({ id: 'z', source: 'c', tokens: 5, chars: 0 }), { keep: false, open: false, reason: 'mix_not_in_mixture' });
});

test('short documents are kept with probability short_keep, decided by the document id alone (same id, same fate; about 10%)', () => {
  const opts: MixerOptions = { ...base, mode: 'global', totalTokens: undefined, shares: undefined };
  const a = new Mixer(opts);
  const b = new Mixer(opts);
  let keptShort = 0;
  let keptLong = 0;
  for (let i = 0; i < 5000; i++) {
    const short = { id: `doc-${i}`, source: 'x', tokens: 50, chars: 0 };
    const d1 = a.decide(short);
    assert.equal(d1.keep, b.decide(short).keep);
    if (d1.keep) keptShort++;
    if (a.decide({ id: `long-${i}`, source: 'x', tokens: 500, chars: 0 }).keep) keptLong++;
  }
  assert.equal(keptLong, 5000);
  assert.ok(keptShort > 400 && keptShort < 600, `kept ${keptShort} of 5000 short documents`);
  const other = new Mixer({ ...opts, seed: 8 });
  let differ = 0;
  for (let i = 0; i < 200; i++) if (other.decide({ id: `doc-${i}`, source: 'x', tokens: 50, chars: 0 }).keep !== new Mixer(opts).decide({ id: `doc-${i}`, source: 'x', tokens: 50, chars: 0 }).keep) differ++;
  assert.ok(differ > 0, 'another seed gives other decisions');
});

test('chars mode budgets code points / chars_per_token (the reference estimate); none mode keeps everything up to a cap; snapshot/restore continues exactly', () => {
  const c = new Mixer({ ...base, length: 'chars', shortKeep: 1, totalTokens: 100, shares: { a: 1 } });
  assert.equal(c.lengthOf({ id: 'x', source: 'a', tokens: 1, chars: 368 }), 100);
  assert.ok(c.decide({ id: 'x', source: 'a', tokens: 1, chars: 368 }).keep);
  assert.equal(c.done, true);
  const n = new Mixer({ mode: 'none', seed: 0, totalTokens: 1000, shortThreshold: 4096, shortKeep: 0.1, length: 'tokens' });
  const decisions = Array.from({ length: 12 }, (_, i) => n.decide({ id: `d${i}`, source: 's', tokens: 100, chars: 0 }).keep);
  assert.deepEqual(decisions, [...Array(10).fill(true), false, false]);
  const m1 = new Mixer(base);
  const docs = Array.from({ length: 300 }, (_, i) => ({ id: `d${i}`, source: i % 3 ? 'a' : 'b', tokens: 20 + ((i * 37) % 200), chars: 0 }));
  const full = docs.map((d) => m1.decide(d).keep);
  const m2 = new Mixer(base);
  docs.slice(0, 120).forEach((d) => m2.decide(d));
  const m3 = new Mixer(base);
  m3.restore(m2.snapshot());
  assert.deepEqual(docs.slice(120).map((d) => m3.decide(d).keep), full.slice(120));
});
