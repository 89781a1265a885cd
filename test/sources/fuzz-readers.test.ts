// Fuzz pass over the readers (issue 15): mutated gzip/zstd streams, JSONL and JSON-array bytes,
// Parquet files (footer and pages) and ZIP archives (central directory and local headers). Any
// input must end in documents, counted rejects, or a one-line UserError; never another error, a
// hang (each run has a time limit) or unbounded memory (each run's RSS growth is checked).
//
// A few seconds by default; longer on demand: SKEIN_FUZZ_RUNS=2000 (runs per reader),
// SKEIN_FUZZ_SEED=<n> to replay a failure fast-check reported.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { compress as zstdCompress } from 'zstd-napi';
import { expandInputs } from '../../src/sources/expand-inputs.js';
import { readJsonl } from '../../src/sources/jsonl-reader.js';
import { readDocs } from '../../src/sources/read-docs.js';
import type { FileReport, ReaderContext } from '../../src/sources/reader-context.js';
import { RecordError, UserError } from '../../src/util/errors.js';
import { RejectSink, type OnError } from '../../src/util/reject-sink.js';
import { fixture, makeZip, mutate, mutation, withTempDir } from './helpers.js';

const RUNS = Number(process.env.SKEIN_FUZZ_RUNS ?? 40);
const SEED = process.env.SKEIN_FUZZ_SEED ? Number(process.env.SKEIN_FUZZ_SEED) : undefined;
/** Per run: generous, only there to turn a hang into a failure. */
const RUN_TIMEOUT_MS = 60_000;
/** RSS a single run may add (inputs are at most a few hundred KB; outputs are bounded by the limits). */
const MAX_GROWTH = 512 * 2 ** 20;
const LIMITS = { maxLineBytes: 1 << 20, maxZstdWindow: 2 ** 31 };

const params = (): fc.Parameters<unknown> => ({ numRuns: RUNS, timeout: RUN_TIMEOUT_MS, ...(SEED !== undefined ? { seed: SEED } : {}) });

/** Outcomes per fuzz target, printed with SKEIN_TEST_VERBOSE (what the runs exercised). */
const tally = new Map<string, number>();
let target = '';
const count = (key: string) => tally.set(`${target} ${key}`, (tally.get(`${target} ${key}`) ?? 0) + 1);
process.on('exit', () => {
  if (process.env.SKEIN_TEST_VERBOSE) for (const [k, v] of [...tally].sort()) console.log(`fuzz ${k}: ${v}`);
});

/** The outcome of reading one input: documents and rejects, or the one-line error. */
interface Outcome {
  docs: number;
  reported: number;
  rejects: RejectSink;
  error?: UserError;
}

/** Checks the contract on one outcome: skip never throws; fail throws only a one-line UserError. */
function check(o: Outcome, policy: OnError): void {
  if (o.error) {
    assert.equal(policy, 'fail', `under skip nothing is thrown: ${o.error.message}`);
    assert.ok(!o.error.message.includes('\n'), 'one line');
  }
  assert.equal(o.reported, o.docs, 'the report counts the documents yielded');
  for (const [reason, n] of Object.entries(o.rejects.counts)) assert.ok(Number.isInteger(n) && n >= 0, `${reason}: ${n}`);
}

/** Runs `read`, turning a UserError into the outcome and anything else into a test failure; checks RSS. */
async function guarded(policy: OnError, read: (rejects: RejectSink) => AsyncIterable<unknown>, report: () => number): Promise<Outcome> {
  const rejects = new RejectSink(policy);
  const before = process.memoryUsage().rss;
  let docs = 0;
  let error: UserError | undefined;
  try {
    for await (const _ of read(rejects)) docs++;
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    error = err;
  }
  const growth = process.memoryUsage().rss - before;
  assert.ok(growth < MAX_GROWTH, `RSS grew by ${(growth / 2 ** 20).toFixed(0)} MB in one run`);
  const o = { docs, reported: report(), rejects, error };
  check(o, policy);
  count('runs');
  if (error) count(`error ${error instanceof RecordError ? error.reason : 'user'}`);
  for (const [reason, n] of Object.entries(rejects.counts)) if (n > 0 || rejects.kept.some((r) => r.reason === reason)) count(`reject ${reason}`);
  if (!error && Object.keys(rejects.counts).length === 0) count(docs > 0 ? 'clean with documents' : 'clean, no documents');
  return o;
}

/** Reads bytes as a JSONL stream named with `compression`, in chunks of `chunk`. */
async function readBytes(bytes: Uint8Array, compression: 'none' | 'gzip' | 'zstd', policy: OnError, chunk: number, arrays = false): Promise<Outcome> {
  const report: FileReport = { path: 'fuzz', format: 'jsonl', bytes: 0, documents: 0, status: 'ok' };
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(Buffer.from(bytes.subarray(i, i + chunk)));
  return guarded(
    policy,
    (rejects) => {
      const ctx: ReaderContext = { displayPath: 'fuzz', fields: { text: 'text' }, sourceName: 'fuzz', rejects, report, limits: LIMITS };
      return readJsonl(Readable.from(chunks), compression, ctx, { arrays, size: bytes.length });
    },
    () => report.documents,
  );
}

/** Some JSON lines of mixed shapes: good records, blanks, CRLF, odd values. */
const jsonlText = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 80 }).map((t) => JSON.stringify({ text: t })),
      fc.constantFrom('', ' ', '\r', '{"text":1}', '[]', 'null', '{"text":"a"', '{"id":5,"text":"x"}', '\uFEFF{"text":"bom"}'),
      fc.string({ maxLength: 40 }),
    ),
    { maxLength: 60 },
  )
  .map((ls) => Buffer.from(ls.join('\n')));

const policy = fc.constantFrom<OnError>('skip', 'fail');
const chunk = fc.integer({ min: 1, max: 4096 });

test('fuzz: arbitrary bytes and JSON lines through the JSONL reader (plain and as a .json array)', async () => {
  target = 'jsonl';
  await fc.assert(
    fc.asyncProperty(fc.oneof(jsonlText, fc.uint8Array({ maxLength: 2048 }).map((u) => Buffer.from(u))), policy, chunk, fc.boolean(), async (bytes, p, c, arrays) => {
      await readBytes(bytes, 'none', p, c, arrays);
    }),
    params(),
  );
  await fc.assert(
    fc.asyncProperty(jsonlText, fc.array(mutation, { maxLength: 4 }), policy, chunk, async (text, ms, p, c) => {
      const arr = Buffer.from(`[${text.toString().split('\n').filter((l) => l.startsWith('{')).join(',\n')}]`);
      await readBytes(mutate(arr, ms), 'none', p, c, true);
    }),
    params(),
  );
});

test('fuzz: mutated gzip streams (members, trailers, headers, trailing bytes)', async () => {
  target = 'gzip';
  await fc.assert(
    fc.asyncProperty(jsonlText, fc.integer({ min: 1, max: 3 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), policy, chunk, async (text, members, ms, p, c) => {
      const gz = Buffer.concat(Array.from({ length: members }, () => gzipSync(text)));
      const o = await readBytes(mutate(gz, ms), 'gzip', p, c);
      assert.ok(o.docs <= members * 60);
    }),
    params(),
  );
});

test('fuzz: mutated zstd streams (frames, blocks, checksums, skippable frames)', async () => {
  target = 'zstd';
  const skippable = (n: number) => {
    const h = Buffer.alloc(8 + n);
    h.writeUInt32LE(0x184d2a5a, 0);
    h.writeUInt32LE(n, 4);
    return h;
  };
  await fc.assert(
    fc.asyncProperty(jsonlText, fc.boolean(), fc.nat(20), fc.array(mutation, { minLength: 1, maxLength: 4 }), policy, chunk, async (text, sum, skip, ms, p, c) => {
      const z = Buffer.concat([skippable(skip), zstdCompress(text, { checksumFlag: sum }), zstdCompress(text)]);
      await readBytes(mutate(z, ms), 'zstd', p, c);
    }),
    params(),
  );
});

test('fuzz: mutated Parquet files (footer, page headers and pages)', async () => {
  target = 'parquet';
  const sources = ['small.snappy.parquet', 'small.zstd-v2.parquet', 'small.nested.parquet'].map((f) => readFileSync(fixture('parquet', f)));
  await withTempDir(async (dir) => {
    const path = join(dir, 'fuzz.parquet');
    await fc.assert(
      fc.asyncProperty(fc.nat(sources.length - 1), fc.constantFrom('footer', 'anywhere'), fc.array(mutation, { minLength: 1, maxLength: 3 }), policy, async (which, where, ms, p) => {
        const src = sources[which]!;
        // The footer is the last few KB (thrift metadata, its length, PAR1).
        writeFileSync(path, where === 'footer' ? mutate(src, ms, 0.9, 1) : mutate(src, ms));
        const files = await expandInputs([path]);
        const reports: FileReport[] = [];
        await guarded(p, (rejects) => readDocs(files, { fields: { text: 'text' }, rejects, reports, limits: LIMITS }), () => reports[0]?.documents ?? 0);
      }),
      params(),
    );
  });
});

test('fuzz: mutated ZIP archives (central directory, local headers, member data)', async () => {
  target = 'zip';
  const parquet = readFileSync(fixture('parquet', 'small.snappy.parquet'));
  const zip = makeZip([
    { name: 'a.jsonl', data: '{"text":"a"}\n{"text":"b"}\n' },
    { name: 'b.jsonl.gz', data: gzipSync('{"text":"c"}\n') },
    { name: 'c.parquet', data: parquet },
    { name: 'd/' },
    { name: 'e.json', data: '[{"text":"e"}]' },
  ]);
  const cdStart = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), zip.length - 22 - 200);
  await withTempDir(async (dir) => {
    const path = join(dir, 'fuzz.zip');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('directory', 'anywhere'), fc.array(mutation, { minLength: 1, maxLength: 3 }), policy, async (where, ms, p) => {
        writeFileSync(path, where === 'directory' ? mutate(zip, ms, cdStart / zip.length, 1) : mutate(zip, ms));
        const files = await expandInputs([path]);
        const reports: FileReport[] = [];
        await guarded(p, (rejects) => readDocs(files, { fields: { text: 'text' }, rejects, reports, limits: LIMITS }), () => reports[0]?.documents ?? 0);
      }),
      params(),
    );
  });
});
