import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { progressReporter } from '../../src/cli/progress-reporter.js';
import { progressLine, progressRates } from '../../src/pipeline/progress.js';

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
