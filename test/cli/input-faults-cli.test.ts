// Hostile and unusual inputs through the CLI (issue 15, input side): every case ends in documents,
// a counted reject, or exit 1 with one line naming the problem and the fix; never exit 2, a stack,
// or a touched input file.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { compress as zstdCompress } from 'zstd-napi';
import { manifestOf, oneLineError, skein, tempDir } from '../helpers/cli.js';
import { fixture, ROOT } from '../helpers/corpus.js';
import { runBytes, zstdRun } from '../helpers/hostile-inputs.js';
import { makeZip } from '../sources/helpers.js';

const FLAGS = ['--builder', 'pack', '--seq-len', '64', '--tokenizer', 'o200k_base', '--no-progress'];
const base = tempDir('skein-faults-');
let n = 0;
const outDir = () => path.join(base, `out-${n++}`);
const line = (text: string, extra: Record<string, unknown> = {}) => `${JSON.stringify({ text, ...extra })}\n`;
const lines = (k: number, from = 0) => Array.from({ length: k }, (_, i) => line(`document ${from + i} of the test`)).join('');

/** sha256 of every file under `dir` by raw name (links not followed), to prove a build left the inputs alone. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: Buffer, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true, encoding: 'buffer' })) {
      const p = Buffer.concat([d, Buffer.from('/'), e.name]);
      const r = `${rel}${e.name.toString('latin1')}`;
      if (e.isDirectory()) walk(p, `${r}/`);
      else if (e.isFile()) out[r] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(Buffer.from(dir), '');
  return out;
}

/** Exit 1 with one line naming the problem (`oneLineError`), and no manifest for the failed build. */
function assertOneLine(r: { code: number | null; stderr: string }, pattern: RegExp, out?: string): void {
  oneLineError(r, pattern);
  if (out) assert.ok(!fs.existsSync(path.join(out, 'manifest.json')), 'no manifest for a failed build');
}

/** A zstd stream beginning with a skippable frame, as pzstd writes it. */
function pzstdLike(data: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt32LE(0x184d2a50, 0);
  h.writeUInt32LE(4, 4);
  h.writeUInt32LE(data.length, 8);
  return Buffer.concat([h, zstdCompress(data)]);
}

/** A zstd frame whose header asks for a 2 GiB window, as `zstd --long=31` writes when it streams. */
function longWindow(data: Buffer): Buffer {
  const f = Buffer.from(zstdCompress(data, { contentSizeFlag: false, windowLog: 20 }));
  f[5] = (31 - 10) << 3;
  return f;
}

test('one folder of odd but readable inputs builds with exit 0: every document counted once, one warning per odd file', { timeout: 600_000 }, () => {
  const dir = path.join(base, 'mixed');
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  const w = (name: string, data: string | Buffer) => fs.writeFileSync(path.join(dir, name), data);
  w('garbage-tail.jsonl.gz', Buffer.concat([gzipSync(lines(3000)), Buffer.from('trailing text that is not gzip\n')]));
  const crc = gzipSync(lines(50, 100));
  crc[crc.length - 8]! ^= 1;
  w('bad-crc.jsonl.gz', crc);
  const sum = Buffer.from(zstdCompress(Buffer.from(lines(50, 200)), { checksumFlag: true }));
  sum[sum.length - 1]! ^= 1;
  w('bad-checksum.jsonl.zst', sum);
  w('pzstd.jsonl.zst', pzstdLike(Buffer.from(lines(40, 300))));
  w('long31.jsonl.zst', longWindow(Buffer.from(lines(40, 400))));
  w('plain.jsonl.gz', lines(5, 500));
  w('empty.jsonl.zst', '');
  w('finder.zip', makeZip([{ name: 'x/a.jsonl', data: lines(3, 600) }, { name: '__MACOSX/x/._a.jsonl', data: 'Mac OS X        ATTR' }, { name: 'x/.DS_Store', data: 'Bud1' }]));
  w('many.zip', makeZip(Array.from({ length: 3000 }, (_, i) => ({ name: `m/${String(i).padStart(5, '0')}.jsonl`, data: line(`member ${i}`) }))));
  w('records.json', `[\n  ${JSON.stringify({ text: 'array element 0' })},\n  ${JSON.stringify({ text: 'array element 1' })}\n]\n`);
  w('sub/real.jsonl', lines(2, 700));
  fs.symlinkSync('real.jsonl', path.join(dir, 'sub/link-to-real.jsonl'));
  fs.symlinkSync('..', path.join(dir, 'sub/up'));
  fs.writeFileSync(Buffer.concat([Buffer.from(path.join(dir, 'caf')), Buffer.from([0xe9]), Buffer.from('.jsonl')]), `${line('latin-1 name')}not json\n`);
  fs.cpSync(fixture('hf', 'sotu-head'), path.join(dir, 'hf'), { recursive: true });
  // 1 GiB of blank lines and one 2.1 GiB line (it once aborted Node): tiny on disk.
  w('bomb.jsonl.zst', zstdRun(0x0a, 2 ** 30, line('before the bomb'), line('after the bomb')));
  w('endless.jsonl.zst', zstdRun(0x61, 2 ** 31 + 2 ** 26, line('before the line'), `\n${line('after the line')}`));
  const before = snapshot(dir);
  const out = outDir();
  const r = skein(['build', '--input', dir, '--on-error', 'skip', '--output', out, ...FLAGS], base);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(snapshot(dir), before, 'inputs untouched');
  const m = manifestOf(out);
  const byPath = new Map<string, any>(m.inputs.filter((i: any) => !i.member).map((i: any) => [i.path.replace(/^mixed\//, ''), i]));
  const docs = (p: string) => byPath.get(p)?.documents;
  assert.equal(docs('garbage-tail.jsonl.gz'), 3000, 'every line before the trailing garbage');
  assert.equal(docs('bad-crc.jsonl.gz'), 50, 'a bad CRC keeps every decoded line');
  assert.equal(docs('bad-checksum.jsonl.zst'), 50, 'a bad checksum keeps every decoded line');
  assert.equal(docs('pzstd.jsonl.zst'), 40);
  assert.equal(docs('long31.jsonl.zst'), 40);
  assert.equal(docs('plain.jsonl.gz'), 5);
  assert.equal(docs('empty.jsonl.zst'), 0);
  assert.equal(docs('finder.zip'), 3);
  assert.equal(docs('many.zip'), 3000);
  assert.equal(docs('records.json'), 2);
  assert.equal(docs('sub/real.jsonl'), 2);
  assert.ok(!byPath.has('sub/link-to-real.jsonl') && ![...byPath.keys()].some((p) => p.includes('up/')), 'links read once');
  assert.equal(docs('caf\\xe9.jsonl'), 1);
  assert.equal(docs('hf/data-00000-of-00001.arrow'), 3);
  assert.equal(docs('bomb.jsonl.zst'), 2);
  assert.equal(docs('endless.jsonl.zst'), 2);
  assert.equal(byPath.get('bad-crc.jsonl.gz').status, 'corrupt');
  assert.equal(byPath.get('bad-crc.jsonl.gz').lost_bytes, 0);
  assert.match(byPath.get('garbage-tail.jsonl.gz').notes[0], /^31 bytes of trailing garbage after the last gzip member/);
  assert.match(byPath.get('plain.jsonl.gz').notes[0], /not gzip-compressed although its name says so/);
  assert.match(byPath.get('empty.jsonl.zst').notes[0], /empty \(0 bytes\)/);
  assert.match(byPath.get('finder.zip').notes[0], /skipped 2 macOS metadata members /);
  assert.equal(m.documents.read, m.documents.written + Object.values(m.documents.dropped as Record<string, number>).reduce((a, b) => a + b, 0));
  assert.deepEqual(
    Object.fromEntries(Object.entries(m.documents.dropped).filter(([, v]) => (v as number) > 0)),
    { line_too_long: 1, malformed_json: 1 },
  );
  const rejects = fs.readFileSync(path.join(out, 'rejects.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const tooLong = rejects.find((x) => x.reason === 'line_too_long');
  assert.deepEqual([tooLong.file, tooLong.line], ['mixed/endless.jsonl.zst', 2]);
  assert.match(tooLong.detail, new RegExp(`line is ${runBytes(2 ** 31 + 2 ** 26)} bytes \\(2\\.1 GiB\\), over max_line_bytes`));
  assert.deepEqual(
    rejects.filter((x) => x.reason === 'corrupt_input').map((x) => [x.file, x.documents]),
    [
      ['mixed/bad-checksum.jsonl.zst', 0],
      ['mixed/bad-crc.jsonl.gz', 0],
    ],
  );
  assert.deepEqual(
    rejects.filter((x) => x.reason === 'malformed_json').map((x) => [x.file, x.line]),
    [['mixed/caf\\xe9.jsonl', 2]],
  );
  const warnings = r.stderr.split('\n').filter((l) => l.startsWith('skein: warning:'));
  assert.deepEqual(
    warnings.map((l) => l.split(':')[2]!.trim()).sort(),
    ['mixed/empty.jsonl.zst', 'mixed/finder.zip', 'mixed/garbage-tail.jsonl.gz', 'mixed/plain.jsonl.gz'],
  );
});

test('under on_error fail: a bad CRC, a line over max_line_bytes and a bzip2 ZIP member each stop with one line naming file and fix', () => {
  const dir = path.join(base, 'fail');
  fs.mkdirSync(dir);
  const crc = gzipSync(lines(20));
  crc[crc.length - 8]! ^= 1;
  fs.writeFileSync(path.join(dir, 'crc.jsonl.gz'), crc);
  fs.writeFileSync(path.join(dir, 'long.jsonl'), `${line('short')}${line('x'.repeat(3 << 20))}`);
  fs.writeFileSync(path.join(dir, 'bz.zip'), makeZip([{ name: 'a.jsonl', data: 'BZh91AY&SY', method: 12 }]));
  const run = (file: string, extra: string[] = []) => {
    const out = outDir();
    return { out, r: skein(['build', '--input', path.join('fail', file), '--output', out, ...extra, ...FLAGS], base) };
  };
  let x = run('crc.jsonl.gz');
  assertOneLine(x.r, /^skein: fail\/crc\.jsonl\.gz at byte \d+: gzip stream is corrupt \(gzip member 1: CRC-32 mismatch .*\(corrupt_input\); fix the input or run with --on-error skip/, x.out);
  x = run('long.jsonl', ['--max-line-bytes', '1MiB']);
  const longBytes = Buffer.byteLength(line('x'.repeat(3 << 20))) - 1;
  assertOneLine(x.r, new RegExp(`^skein: fail/long\\.jsonl:2: line is ${longBytes} bytes \\(3 MiB\\), over max_line_bytes \\(1048576\\).*Raise --max-line-bytes .*\\(line_too_long\\)`), x.out);
  x = run('long.jsonl', ['--max-line-bytes', '1MiB', '--on-error', 'skip']);
  assert.equal(x.r.code, 0, x.r.stderr);
  assert.deepEqual(manifestOf(x.out).documents.dropped, { line_too_long: 1 });
  x = run('long.jsonl', ['--max-line-bytes', 'lots']);
  assertOneLine(x.r, /--max-line-bytes must be a positive size in bytes/);
  x = run('bz.zip');
  assertOneLine(x.r, /^skein: fail\/bz\.zip!a\.jsonl: the ZIP member is compressed with method 12 \(bzip2\), which skein cannot read .*\(unsupported_compression\)/, x.out);
});

test('a full temporary disk while unpacking a Parquet ZIP member is exit 1 naming TMPDIR, never a skipped corrupt_input', () => {
  const dir = path.join(base, 'tmpfull');
  fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  const parquet = fs.readFileSync(fixture('corpus', 'sotu.snappy.parquet'));
  fs.writeFileSync(path.join(dir, 'p.zip'), makeZip([{ name: 'docs.parquet', data: parquet }]));
  // A file-size limit makes every write past 256 KiB fail with EFBIG (SIGXFSZ ignored): the
  // temporary copy of the 600 KB member cannot be written, whatever the machine.
  const out = outDir();
  const cmd = `trap '' XFSZ; ulimit -f 256; exec "${process.execPath}" "${path.join(ROOT, 'bin', 'skein.js')}" build --input p.zip --on-error skip --output "${out}" ${FLAGS.join(' ')}`;
  const r = spawnSync('bash', ['-c', cmd], { cwd: dir, encoding: 'utf8', env: { ...process.env, TMPDIR: path.join(dir, 'tmp'), FORCE_COLOR: '0' } });
  assertOneLine({ code: r.status, stderr: r.stderr }, /^skein: cannot write the temporary copy of Parquet member docs\.parquet of p\.zip \(\d+ bytes, in TMPDIR\) \(EFBIG: file too large\): .*point TMPDIR at another disk/, out);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'tmp')), [], 'no temporary file left');
  // The real thing, where this machine lets the test mount a 64 KiB tmpfs (root).
  const small = path.join(dir, 'small');
  fs.mkdirSync(small);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small]).status !== 0) return;
  try {
    const out2 = outDir();
    const r2 = skein(['build', '--input', 'p.zip', '--on-error', 'skip', '--output', out2, ...FLAGS], dir, { TMPDIR: small });
    assertOneLine(r2, /^skein: cannot write the temporary copy of Parquet member docs\.parquet of p\.zip .*\(ENOSPC: no space left on device\): the disk is full: free space there \(for temporary files, or point TMPDIR at a larger disk\)/, out2);
  } finally {
    spawnSync('umount', [small]);
  }
});

test('an output folder inside the input folder is never read: a rerun is complete, --overwrite rebuilds, the inputs stay as they were', () => {
  const dir = path.join(base, 'nest');
  fs.mkdirSync(dir);
  fs.copyFileSync(fixture('corpus', 'sotu.jsonl'), path.join(dir, 'sotu.jsonl'));
  const out = path.join(dir, 'out');
  const first = skein(['build', '--input', 'nest', '--output', out, ...FLAGS], base);
  assert.equal(first.code, 0, first.stderr);
  const inputs = snapshot(dir);
  const again = skein(['build', '--input', 'nest', '--output', out, ...FLAGS], base);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /already complete/);
  assert.match(again.stderr, /note: left out .*nest\/out: it is the build's output folder/);
  const over = skein(['build', '--input', 'nest', '--output', out, '--overwrite', ...FLAGS.map((f) => (f === '64' ? '128' : f))], base);
  assert.equal(over.code, 0, over.stderr);
  assert.equal(manifestOf(out).documents.read, 26);
  const after = snapshot(dir);
  for (const f of Object.keys(inputs).filter((k) => !k.startsWith('out'))) assert.equal(after[f], inputs[f], `${f} untouched`);
});

test('a skein output folder or a DatasetDict named as input is refused with one line; a .json record without the text lists its keys', () => {
  const built = outDir();
  assert.equal(skein(['build', '--input', fixture('bad', 'crlf.jsonl'), '--output', built, ...FLAGS], base).code, 0);
  const out = outDir();
  assertOneLine(skein(['build', '--input', built, '--output', out, ...FLAGS], base), /^skein: input .* is a skein output folder: it holds tokenized shards, not text; give the inputs it was built from/, out);
  const dd = path.join(base, 'dd');
  fs.cpSync(fixture('hf', 'sotu-head'), path.join(dd, 'train'), { recursive: true });
  fs.writeFileSync(path.join(dd, 'dataset_dict.json'), '{"splits": ["train"]}');
  assertOneLine(skein(['build', '--input', 'dd', '--output', out, ...FLAGS], base), /^skein: input \S*dd is a Hugging Face DatasetDict with splits train; name one split folder, e\.g\. \S*dd\/train$/);
  fs.writeFileSync(path.join(base, 'posts.json'), JSON.stringify([{ title: 'a', body: 'the longest string field', meta: { x: 1 } }]));
  assertOneLine(
    skein(['build', '--input', 'posts.json', '--output', out, ...FLAGS], base),
    /^skein: posts\.json row 0: no text at field "text"; the record has the keys title, body, meta; name the text field with --text-field or inputs\[\]\.fields\.text \(e\.g\. --text-field body\) \(missing_text\)/,
  );
  // A key with a dot in it: the hint says how to write it (escaped, it is found: json-array.test.ts).
  fs.writeFileSync(path.join(base, 'dotted.jsonl'), line('unused', { 'meta.text': 'the real text' }));
  assertOneLine(skein(['build', '--input', 'dotted.jsonl', '--text-field', 'meta.text', '--output', out, ...FLAGS], base), /a column or key is named "meta\.text" with a dot in it: write the path as meta\\\.text to address it/);
});

/** Starts a build and, once it is reading (its output folder exists), runs `act`. */
async function whileReading(args: string[], act: () => void): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'skein.js'), ...args], { cwd: base, env: { ...process.env, FORCE_COLOR: '0' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  const out = args[args.indexOf('--output') + 1]!;
  let acted = false;
  while (!acted) {
    if (fs.existsSync(path.join(out, '.skein'))) {
      act();
      acted = true;
    } else if (child.exitCode !== null) break;
    else await sleep(20);
  }
  return { code: await done, stderr };
}

test('an input deleted, or one that grows, while the build reads another is exit 1 naming it', { timeout: 300_000 }, async () => {
  for (const what of ['deleted', 'grew'] as const) {
    const dir = path.join(base, `live-${what}`);
    fs.mkdirSync(dir);
    // The first input takes a second or more to read (2 GiB of blank lines); the second is touched meanwhile.
    fs.writeFileSync(path.join(dir, 'a.jsonl.zst'), zstdRun(0x0a, 2 ** 31, line('first')));
    fs.writeFileSync(path.join(dir, 'b.jsonl'), lines(3));
    const out = outDir();
    const r = await whileReading(['build', '--input', path.join(`live-${what}`, '*.jsonl*'), '--output', out, ...FLAGS], () => {
      if (what === 'deleted') fs.rmSync(path.join(dir, 'b.jsonl'));
      else fs.appendFileSync(path.join(dir, 'b.jsonl'), line('appended'));
    });
    const pattern =
      what === 'deleted'
        ? /^skein: cannot read input live-deleted\/b\.jsonl \(ENOENT: no such file or directory\): it no longer exists: it was moved or deleted during the build; restore it and rerun/
        : /^skein: input live-grew\/b\.jsonl grew from \d+ to \d+ bytes since the build listed it \(is it still being written\?\); rerun when it is complete$/;
    assertOneLine(r, pattern, out);
  }
});

test('SIGKILL while a Parquet ZIP member is read leaves no skein-zip temporary file', { timeout: 300_000 }, async () => {
  const dir = path.join(base, 'kill');
  fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  const parquet = fs.readFileSync(fixture('corpus', 'sotu.snappy.parquet'));
  fs.writeFileSync(path.join(dir, 'p.zip'), makeZip(Array.from({ length: 40 }, (_, i) => ({ name: `p${String(i).padStart(2, '0')}.parquet`, data: parquet }))));
  const out = outDir();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'skein.js'), 'build', '--input', 'p.zip', '--output', out, ...FLAGS], { cwd: dir, env: { ...process.env, TMPDIR: path.join(dir, 'tmp') } });
  const done = new Promise((resolve) => child.on('close', resolve));
  while (!fs.existsSync(path.join(out, '.skein')) && child.exitCode === null) await sleep(20);
  await sleep(300);
  child.kill('SIGKILL');
  await done;
  assert.deepEqual(fs.readdirSync(path.join(dir, 'tmp')), []);
});
