import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { oneLineError, skein, tempDir } from '../helpers/cli.js';
import { ROOT } from '../helpers/corpus.js';
import { arrowHashes, skeinAsync } from '../helpers/spawn.js';

/**
 * Whether this machine lets a test mount a small file system of its own (`unshare --mount` as
 * root): then disk-full and read-only faults are real ones. Elsewhere the tests use a file size
 * limit (EFBIG) and folder permissions (EACCES), which need no privilege.
 */
const canMount = process.env.SKEIN_TEST_NO_MOUNT !== '1' && process.getuid?.() === 0 && spawnSync('unshare', ['--mount', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt && umount /mnt'], { stdio: 'ignore' }).status === 0;

/** Runs a shell script (`$SKEIN` is the CLI) and returns its output. */
function sh(script: string, opts: { mount?: boolean } = {}): { status: number | null; stdout: string; stderr: string } {
  const cmd = opts.mount ? ['unshare', '--mount', 'bash', '-c', script] : ['bash', '-c', script];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', SKEIN: `${process.execPath} ${path.join(ROOT, 'bin', 'skein.js')}` } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const BUILD = 'build --seq-len 1024 --shard-tokens 20000 --no-progress';

// With 0 workers the shards are written on the main thread, with 1 on a writing thread of their own: both report the same way.
for (const workers of [0, 1]) test(`a full disk mid-build is one line with exit 1 (${canMount ? 'a 400 KB tmpfs' : 'a 40 KB file size limit'}, ${workers} worker${workers === 1 ? '' : 's'}); after freeing space the same command resumes to the uninterrupted build's bytes`, async () => {
  const BUILD = `build --seq-len 1024 --shard-tokens 20000 --no-progress --workers ${workers}`;
  const base = tempDir('skein-full-');
  const ref = path.join(base, 'ref');
  assert.equal((await skeinAsync(['build', '--output', ref, '--seq-len', '1024', '--shard-tokens', '20000', '--no-progress'])).code, 0);
  const disk = path.join(base, 'disk');
  fs.mkdirSync(disk);
  const kept = path.join(base, 'kept');
  const script = canMount
    ? `mount -t tmpfs -o size=400k tmpfs ${disk} || exit 99
       $SKEIN ${BUILD} --output ${disk}/out; echo "rc1=$?" >&2
       ls -a ${disk}/out ${disk}/out/.skein >&2
       mount -o remount,size=64m ${disk}
       $SKEIN ${BUILD} --output ${disk}/out; echo "rc2=$?" >&2
       cp -r ${disk}/out ${kept}`
    : `trap '' XFSZ; ulimit -S -f 40
       $SKEIN ${BUILD} --output ${disk}/out; echo "rc1=$?" >&2
       ulimit -S -f unlimited
       $SKEIN ${BUILD} --output ${disk}/out; echo "rc2=$?" >&2
       cp -r ${disk}/out ${kept}`;
  const r = sh(script, { mount: canMount });
  const first = r.stderr.slice(0, r.stderr.indexOf('rc1='));
  assert.match(r.stderr, /rc1=1\n/, r.stderr);
  const line = first.trim().split('\n').filter((l) => l.startsWith('skein:'));
  assert.equal(line.length, 1, first);
  assert.match(line[0]!, canMount ? /^skein: cannot write .*: no space left on the device \(ENOSPC\); free space \(or choose another --output\) and run the same command again/ : /^skein: cannot write .*: the file is too large .* \(EFBIG\)/);
  assert.doesNotMatch(first, /internal error|\n\s+at /);
  assert.match(r.stderr, /rc2=0\n/, r.stderr);
  // On the tmpfs some shards fit before the disk is full and are kept; under the per-file limit none fits.
  if (canMount) assert.match(r.stdout, /resumed: kept \d+ finished shard/);
  assert.deepEqual(arrowHashes(kept), arrowHashes(ref));
});

test('an output folder that cannot be written (read-only file system or no permission) is one line, exit 1', () => {
  const base = tempDir('skein-ro-');
  const ro = path.join(base, 'ro');
  fs.mkdirSync(ro);
  const r = canMount
    ? sh(`mount -t tmpfs -o ro,size=64k tmpfs ${ro} || exit 99; $SKEIN ${BUILD} --output ${ro}/out`, { mount: true })
    : sh(`chmod 555 ${ro}; $SKEIN ${BUILD} --output ${ro}/out`);
  oneLineError({ code: r.status, stderr: r.stderr }, canMount ? /cannot mkdir .*ro\/out: the file system is read-only \(EROFS\); choose a writable folder/ : /cannot mkdir .*ro\/out: permission denied \(EACCES\)/);
});

test('an output path under a regular file, and merge --output on a file, are one line, exit 1', () => {
  const base = tempDir('skein-path-');
  const file = path.join(base, 'afile');
  fs.writeFileSync(file, 'x');
  oneLineError(skein(['build', '--output', path.join(file, 'out'), '--no-progress']), /output .*afile\/out is under a file, not a folder; give a folder path with --output/);
  oneLineError(skein(['build', '--output', file, '--no-progress']), /output .*afile is a file; give a folder with --output/);
  const ranks = path.join(base, 'ranks');
  for (const rank of ['0', '1']) assert.equal(skein(['build', '--output', ranks, '--world-size', '2', '--rank', rank, '--no-progress', '--tokenizer', 'o200k_base']).code, 0);
  const dirs = ['rank-00000-of-00002', 'rank-00001-of-00002'].map((d) => path.join(ranks, d));
  oneLineError(skein(['merge', ...dirs, '--output', file]), /--output .*afile is a file; give a folder for the merged dataset/);
  oneLineError(skein(['merge', ...dirs, '--output', path.join(file, 'merged')]), /--output .*afile\/merged is under a file, not a folder/);
  assert.equal(fs.readFileSync(file, 'utf8'), 'x');
});

test('tokenizer names that are JavaScript object keys, a tokenizer.json that is null, and ids outside the vocabulary are one-line errors', () => {
  const base = tempDir('skein-tok-');
  for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
    oneLineError(skein(['build', '--tokenizer', name, '--output', path.join(base, name), '--no-progress']), new RegExp(`tokenizer '${name}' not found`));
  }
  const nullFile = path.join(base, 'null.json');
  fs.writeFileSync(nullFile, 'null');
  oneLineError(skein(['build', '--tokenizer', nullFile, '--output', path.join(base, 'n'), '--no-progress']), /null\.json is not a tokenizer\.json \(its JSON is null\)/);
  const small = {
    model: { type: 'BPE', vocab: { a: 0, b: 1, ab: 2, '<s>': 3 }, merges: ['a b'] },
    added_tokens: [{ id: 3, content: '<s>', special: true }],
    pre_tokenizer: null,
    normalizer: null,
  };
  const write = (name: string, edit: (j: any) => void) => {
    const j = structuredClone(small);
    edit(j);
    const f = path.join(base, `${name}.json`);
    fs.writeFileSync(f, JSON.stringify(j));
    return f;
  };
  oneLineError(skein(['build', '--tokenizer', write('negative', (j) => (j.added_tokens[0].id = -5)), '--output', path.join(base, 'neg'), '--no-progress']), /token "<s>" has id -5, outside \[0, 5\)/);
  oneLineError(skein(['build', '--tokenizer', write('sparse', (j) => (j.model.vocab.ab = 10_000_000)), '--output', path.join(base, 'sp'), '--no-progress']), /token "ab" has id 10000000, outside \[0, 4\)/);
  oneLineError(skein(['build', '--tokenizer', write('fraction', (j) => (j.model.vocab.b = 1.5)), '--output', path.join(base, 'fr'), '--no-progress']), /token "b" has id 1\.5, outside/);
  assert.deepEqual(fs.readdirSync(base).filter((n) => !n.endsWith('.json')), [], 'no output folder was made');
});

test('--set refuses __proto__ / constructor / prototype keys and absurd indices in one line (no crash, no polluted prototype)', () => {
  for (const [expr, why] of [
    ['__proto__.x=1', /'__proto__' is not a config key/],
    ['builder.constructor.prototype.x=1', /'constructor' is not a config key/],
    ['inputs[4294967294].path=x', /index \[4294967294\] is too large/],
    ['inputs[7].path=x', /has 1 entries; set \[1\] at most/],
  ] as const) {
    oneLineError(skein(['build', '--set', expr, '--output', path.join(tempDir(), 'o'), '--no-progress']), why);
  }
});

test('--workers beyond the cores warns with the memory per worker; beyond the memory it is refused naming a count that fits', () => {
  const out = path.join(tempDir('skein-w-'), 'o');
  const r = skein(['build', '--workers', '100000', '--tokenizer', 'o200k_base', '--output', out, '--no-progress']);
  oneLineError(r, /--workers 100000 would need about \d+(\.\d)? GB \(about \d+ MB per worker: each holds its own tokenizer\), more than this machine's .* allow; use --workers \d+ or fewer/);
  assert.ok(!fs.existsSync(out));
  const cores = Number(spawnSync(process.execPath, ['-p', 'os.availableParallelism()'], { encoding: 'utf8' }).stdout);
  const w = skein(['build', '--workers', String(cores + 1), '--tokenizer', 'o200k_base', '--output', out, '--no-progress']);
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stderr, new RegExp(`skein: --workers ${cores + 1} is more than the ${cores} cores here: extra workers cannot encode faster and each holds about \\d+ MB`));
});
