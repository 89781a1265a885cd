/**
 * `npm run bench -- inputs [--quick] [--fuzz-runs N]`: the readers on hostile and large inputs,
 * measured in one run.
 *
 * - ZIP scaling: archives of 2,000 / 5,000 / 10,000 (and, without --quick, 70,000: ZIP64)
 *   one-line members read through the build's reader (DocSource, which carries the reader
 *   snapshots a checkpoint needs), the fastest of three reads, seconds and µs per member;
 *   linear reading keeps µs per member flat (the quadratic version went 0.7 → 2.8 ms per member
 *   from 2k to 10k).
 * - Bombs: `skein build` (the CLI, as a user runs it) on a zstd "newline bomb", a zstd file that
 *   decodes to one endless line, a ZIP member of the same, and a gzip newline bomb; wall time,
 *   peak RSS (from `/usr/bin/time -v` when present, else the child's resource usage) and the
 *   documents counted, next to a build of a 3-line file (the tokenizer's own memory).
 * - Decoders: skein's gzip and zstd decoders against `createGunzip` and zstd-napi's
 *   `DecompressStream` on the same ~110 MB JSONL, MB/s of decoded bytes (median of 5).
 * - Fuzz: the fuzz test with `--fuzz-runs` inputs per reader (default 0: skipped).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip, gzipSync } from 'node:zlib';
import { compress as zstdCompress, DecompressStream } from 'zstd-napi';
import { DocSource } from '../src/input-plan/doc-source.js';
import { ByteReader } from '../src/sources/byte-reader.js';
import { expandInputs } from '../src/sources/expand-inputs.js';
import { gunzipStream } from '../src/sources/gzip-decoder.js';
import { zstdStream } from '../src/sources/zstd-decoder.js';
import { deflateRun, gzipRun, zstdRun } from '../test/helpers/hostile-inputs.js';
import { oneFilePlan } from '../test/helpers/one-file-plan.js';
import { makeZip } from '../test/sources/helpers.js';

/** One result line. */
export interface InputsBenchLine {
  kind: 'zip' | 'bomb' | 'decode' | 'fuzz';
  name: string;
  [k: string]: string | number | boolean;
}

const ROOT = join(import.meta.dirname, '..');

/** Reads every document of `path` through a DocSource; returns documents and seconds. */
async function readThroughSource(path: string): Promise<{ docs: number; seconds: number }> {
  const [file] = await expandInputs([path]);
  const plan = oneFilePlan(file!);
  const source = new DocSource({ plan, seed: 0, policy: 'fail', displayRoot: tmpdir(), subsets: new Map(), rejectsLength: () => ({ bytes: 0, lines: 0 }) });
  const t = performance.now();
  let docs = 0;
  for (;;) {
    const b = await source.nextBatch(256, 1 << 20);
    if (!b) break;
    docs += b.docs.length;
  }
  return { docs, seconds: (performance.now() - t) / 1000 };
}

/** Runs `skein build` on one input; wall seconds, peak RSS in MB, documents read and the summary line. */
function build(input: string, out: string): { seconds: number; peakRssMB: number; read: string; code: number | null } {
  const args = [join(ROOT, 'bin', 'skein.js'), 'build', '--input', input, '--output', out, '--on-error', 'skip', '--builder', 'pack', '--seq-len', '64', '--tokenizer', 'o200k_base', '--no-progress'];
  const time = spawnSync('sh', ['-c', 'command -v /usr/bin/time'], { encoding: 'utf8' }).status === 0;
  const t = performance.now();
  const r = time ? spawnSync('/usr/bin/time', ['-v', process.execPath, ...args], { encoding: 'utf8' }) : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const seconds = (performance.now() - t) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  const read = /documents: (read .*)/.exec(r.stdout ?? '')?.[1] ?? (r.stderr ?? '').split('\n')[0]!;
  return { seconds, peakRssMB: rss ? Math.round(Number(rss[1]) / 1024) : NaN, read, code: r.status };
}

async function decodeRate(f: () => AsyncIterable<Buffer>): Promise<number> {
  const rates: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    let n = 0;
    for await (const c of f()) n += c.length;
    rates.push(n / 1e6 / ((performance.now() - t) / 1000));
  }
  return rates.sort((a, b) => a - b)[2]!;
}

/** Runs the inputs benchmark. */
export async function benchInputs(opts: { quick: boolean; fuzzRuns: number; log: (line: string) => void }): Promise<InputsBenchLine[]> {
  const dir = mkdtempSync(join(tmpdir(), 'skein-bench-inputs-'));
  const out: InputsBenchLine[] = [];
  try {
    const zipOf = (members: number) => makeZip(Array.from({ length: members }, (_, i) => ({ name: `m${String(i).padStart(6, '0')}.jsonl`, data: `{"text":"member ${i} text here"}\n` })));
    // Warm-up (JIT), not reported.
    writeFileSync(join(dir, 'warm.zip'), zipOf(1000));
    await readThroughSource(join(dir, 'warm.zip'));
    for (const members of opts.quick ? [2000, 5000, 10000] : [2000, 5000, 10000, 70000]) {
      const path = join(dir, `m${members}.zip`);
      writeFileSync(path, zipOf(members));
      // The fastest of three: the least disturbed by other load on the machine.
      const tries = [await readThroughSource(path), await readThroughSource(path), await readThroughSource(path)];
      const r = tries.sort((a, b) => a.seconds - b.seconds)[0]!;
      out.push({ kind: 'zip', name: `${members} members`, docs: r.docs, seconds: Number(r.seconds.toFixed(2)), usPerMember: Math.round((r.seconds * 1e6) / members) });
      opts.log(`zip ${members}: ${r.seconds.toFixed(2)} s`);
      rmSync(path);
    }
    const GiB = 2 ** 30;
    const small = join(dir, 'small.jsonl');
    writeFileSync(small, '{"text":"a"}\n{"text":"b"}\n{"text":"c"}\n');
    const bombs: Array<[string, () => Buffer]> = [
      ['small.jsonl', () => Buffer.alloc(0)],
      ['newline-bomb-8GiB.jsonl.zst', () => zstdRun(0x0a, 8 * GiB, '{"text":"first"}\n', '{"text":"last"}\n')],
      ['one-line-3GiB.jsonl.zst', () => zstdRun(0x61, 3 * GiB, '{"text":"first"}\n', '\n{"text":"last"}\n')],
      ['member-3GiB-no-newline.zip', () => makeZip([{ name: 'big.jsonl', deflated: deflateRun(0x61, 3 * GiB) }, { name: 'z.jsonl', data: '{"text":"after"}\n' }])],
      ['newline-bomb-4GiB.jsonl.gz', () => gzipRun(0x0a, 4 * GiB)],
    ];
    for (const [name, make] of opts.quick ? bombs.slice(0, 2) : bombs) {
      const path = name === 'small.jsonl' ? small : join(dir, name);
      if (path !== small) writeFileSync(path, make());
      const r = build(path, join(dir, `out-${name}`));
      out.push({ kind: 'bomb', name, bytesOnDisk: statSync(path).size, seconds: Number(r.seconds.toFixed(1)), peakRssMB: r.peakRssMB, read: r.read, exit: r.code ?? -1 });
      opts.log(`bomb ${name}: ${r.seconds.toFixed(1)} s, ${r.peakRssMB} MB`);
      rmSync(join(dir, `out-${name}`), { recursive: true, force: true });
    }
    // ~110 MB of varied JSON lines.
    let text = '';
    for (let i = 0; i < 400_000; i++) text += `${JSON.stringify({ id: i, text: `record ${i} ${'lorem ipsum dolor sit amet '.repeat(1 + (i % 17))}` })}\n`;
    const plain = Buffer.from(text);
    const gz = join(dir, 'd.jsonl.gz');
    const zst = join(dir, 'd.jsonl.zst');
    writeFileSync(gz, gzipSync(plain, { level: 6 }));
    writeFileSync(zst, zstdCompress(plain));
    const file = (p: string) => createReadStream(p, { highWaterMark: 1 << 16 });
    const rates = {
      createGunzip: await decodeRate(() => file(gz).pipe(createGunzip())),
      gunzipStream: await decodeRate(() => gunzipStream(new ByteReader(file(gz)[Symbol.asyncIterator]()), () => {})),
      DecompressStream: await decodeRate(() => file(zst).pipe(new DecompressStream())),
      zstdStream: await decodeRate(() => zstdStream(new ByteReader(file(zst)[Symbol.asyncIterator]()))),
    };
    out.push({ kind: 'decode', name: `gzip ${(plain.length / 1e6).toFixed(0)} MB`, skeinMBs: Math.round(rates.gunzipStream), nodeMBs: Math.round(rates.createGunzip), ratio: Number((rates.gunzipStream / rates.createGunzip).toFixed(2)) });
    out.push({ kind: 'decode', name: `zstd ${(plain.length / 1e6).toFixed(0)} MB`, skeinMBs: Math.round(rates.zstdStream), nodeMBs: Math.round(rates.DecompressStream), ratio: Number((rates.zstdStream / rates.DecompressStream).toFixed(2)) });
    if (opts.fuzzRuns > 0) {
      const t = performance.now();
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', join(ROOT, 'test/sources/fuzz-readers.test.ts')], { encoding: 'utf8', env: { ...process.env, SKEIN_FUZZ_RUNS: String(opts.fuzzRuns), SKEIN_TEST_VERBOSE: '1' }, cwd: ROOT });
      const runs = [...(r.stdout ?? '').matchAll(/fuzz (\w+) runs: (\d+)/g)].map((m) => `${m[1]} ${m[2]}`).join(', ');
      out.push({ kind: 'fuzz', name: `${opts.fuzzRuns} per reader`, passed: r.status === 0, runs, seconds: Math.round((performance.now() - t) / 1000) });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
