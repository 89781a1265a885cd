import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { progressReporter } from '../../src/cli/progress-reporter.js';
import { progressLine, progressRates } from '../../src/run/progress.js';

const snap = (seconds: number, bytesRead: number) => ({ documents: 1000, tokens: 2_000_000, bytesRead, bytesTotal: 100e6, rows: 10, shards: 1, seconds, setupSeconds: 1 });

test('rates and ETA come from bytes read against the total input size', () => {
  const r = progressRates(snap(10, 25e6));
  assert.equal(r.mbPerSec, 2.5);
  assert.equal(r.tokensPerSec, 200_000);
  assert.equal(r.fraction, 0.25);
  assert.equal(r.etaSeconds, 30);
  assert.equal(progressLine(snap(10, 25e6)), '1.00K docs, 2.00M tokens, 10 rows, 1 shards | 2.5 MB/s, 200K tokens/s | 25.0% ETA 30s');
});

test('without a TTY the reporter writes a plain line at most every interval', () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  const rep = progressReporter(out as unknown as NodeJS.WriteStream, { lineEverySec: 5 });
  for (let s = 0; s <= 12; s++) rep.update(snap(s, s * 1e6));
  rep.stop();
  const lines = text.trim().split('\n');
  assert.equal(lines.length, 2, text);
  assert.match(lines[0]!, /^skein: .* ETA /);
});

test('after a resume, rates and ETA count only this run\'s work (not the checkpoint\'s tokens and bytes)', () => {
  // 60 MB and 1.2M tokens were done before the interruption; this run did 20 MB and 400K tokens in 10 s.
  const r = progressRates({ ...snap(10, 80e6), tokens: 1_600_000, startTokens: 1_200_000, startBytes: 60e6 });
  assert.equal(r.mbPerSec, 2);
  assert.equal(r.tokensPerSec, 40_000);
  assert.equal(r.fraction, 0.8);
  assert.equal(r.etaSeconds, 10);
});

test('the percentage follows the documents consumed, not the reader\'s read-ahead: a build\'s last progress report is at 100 % only when it ends', async () => {
  const { runBuild, loadConfigObject } = await import('../../src/index.js');
  const { fixture } = await import('../helpers/corpus.js');
  const { tempDir } = await import('../helpers/cli.js');
  const path = await import('node:path');
  const seen: Array<{ fraction: number; documents: number }> = [];
  await runBuild(
    loadConfigObject({ inputs: [{ path: fixture('corpus', 'sotu.jsonl') }], tokenizer: { name: 'o200k_base' }, builder: { type: 'concat-chunk', seq_len: 1024 }, output: { dir: path.join(tempDir(), 'o') } }),
    { onProgress: (p) => seen.push({ fraction: p.bytesRead / p.bytesTotal, documents: p.documents }), progressIntervalMs: 1 },
  );
  for (const s of seen) if (s.documents < 26) assert.ok(s.fraction < 1, `${s.documents} of 26 documents consumed, but ${(s.fraction * 100).toFixed(1)} % reported`);
  assert.equal(seen.at(-1)!.fraction, 1);
});
