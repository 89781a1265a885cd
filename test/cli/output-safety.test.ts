import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { oneLineError, tempDir } from '../helpers/cli.js';
import { arrowHashes, skeinAsync } from '../helpers/spawn.js';
import { plant, treeOf } from '../helpers/tree.js';

const args = (out: string, ...more: string[]) => ['build', '--output', out, '--seq-len', '1024', '--shard-tokens', '20000', '--no-progress', ...more];

/** The uninterrupted build every resumed or rebuilt folder must equal. */
let reference: Record<string, string> | undefined;
async function referenceShards(): Promise<Record<string, string>> {
  if (!reference) {
    const ref = path.join(tempDir('skein-ref-'), 'ref');
    const r = await skeinAsync(args(ref));
    assert.equal(r.code, 0, r.stderr);
    reference = arrowHashes(ref);
  }
  return reference;
}

test('files of the user\'s in the output folder are never deleted: *.tmp, a shard-NNNNN.arrow folder, with or without --overwrite', async () => {
  const out = path.join(tempDir('skein-safe-'), 'out');
  plant(out, { 'backup.tmp/thesis.docx': 'my thesis', 'notes.tmp': 'notes', 'shard-99999.arrow/': '', '.hidden.tmp': 'h' });
  const before = treeOf(out);
  for (const extra of [[], ['--overwrite']]) {
    const r = await skeinAsync(args(out, ...extra));
    oneLineError(r, /output folder .*out holds files skein did not write \(.*backup\.tmp.*\); skein never deletes them: choose an empty or new folder with --output/);
    assert.deepEqual(treeOf(out), before, `nothing changed (${extra.join(' ')})`);
  }
});

test('a user\'s file next to a finished or an unfinished build makes skein refuse, even with --overwrite; the build\'s own files stay too', async () => {
  const base = tempDir('skein-safe-');
  const done = path.join(base, 'done');
  assert.equal((await skeinAsync(args(done))).code, 0);
  plant(done, { 'notes.tmp': 'mine', 'shard-00099.arrow': 'not a shard of this build' });
  const before = treeOf(done);
  oneLineError(await skeinAsync(args(done, '--seed', '7', '--overwrite')), /holds files skein did not write \(notes\.tmp, shard-00099\.arrow\)/);
  assert.deepEqual(treeOf(done), before);

  const killed = path.join(base, 'killed');
  assert.equal((await skeinAsync(args(killed), { SKEIN_TEST_KILL: 'rows:30' })).signal, 'SIGKILL');
  plant(killed, { '.shard-00077.arrow.tmp': 'a temporary name skein never recorded' });
  const before2 = treeOf(killed);
  oneLineError(await skeinAsync(args(killed)), /holds files skein did not write \(\.shard-00077\.arrow\.tmp\)/);
  assert.deepEqual(treeOf(killed), before2);
});

test('a .skein that is a link (to a folder of the user\'s) or a file is never followed or deleted', async () => {
  const base = tempDir('skein-safe-');
  const victim = path.join(base, 'victim');
  plant(victim, { 'a.txt': 'precious', 'lock': 'not a lock', 'files.jsonl': '"a.txt"\n', 'resume.json': '{}' });
  const victimBefore = treeOf(victim);
  const linked = path.join(base, 'linked');
  fs.mkdirSync(linked);
  fs.symlinkSync(victim, path.join(linked, '.skein'));
  const asFile = path.join(base, 'file');
  plant(asFile, { '.skein': 'my file' });
  for (const extra of [[], ['--overwrite']]) {
    oneLineError(await skeinAsync(args(linked, ...extra)), /\.skein is a symbolic link, not skein's work folder; skein never follows or deletes it/);
    assert.deepEqual(treeOf(victim), victimBefore);
    assert.deepEqual(Object.keys(treeOf(linked)), ['.skein']);
    oneLineError(await skeinAsync(args(asFile, ...extra)), /\.skein is a file, not skein's work folder/);
    assert.equal(fs.readFileSync(path.join(asFile, '.skein'), 'utf8'), 'my file');
  }
});

test('a killed build leaves only files it recorded in its ledger; a recorded name that became a folder is refused, not deleted', async () => {
  const out = path.join(tempDir('skein-safe-'), 'out');
  assert.equal((await skeinAsync(args(out), { SKEIN_TEST_KILL: 'rows:30' })).signal, 'SIGKILL');
  const recorded = new Set(
    fs
      .readFileSync(path.join(out, '.skein', 'files.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as string),
  );
  const tempOf = (rel: string) => rel.replace(/(^|\/)\.([^/]+)\.tmp$/, '$1$2');
  for (const rel of Object.keys(treeOf(out))) {
    if (['.skein', '.skein/lock', '.skein/files.jsonl'].includes(rel)) continue;
    assert.ok(recorded.has(rel) || recorded.has(tempOf(rel)), `${rel} is recorded`);
  }
  // The unfinished shard's temporary file, replaced by a folder holding the user's work.
  const tmp = fs.readdirSync(out).find((n) => n.endsWith('.arrow.tmp'))!;
  assert.ok(tmp, 'the killed build left its unfinished shard');
  fs.rmSync(path.join(out, tmp));
  plant(out, { [`${tmp}/work.txt`]: 'mine' });
  oneLineError(await skeinAsync(args(out)), new RegExp(`${tmp.replace(/\./g, '\\.')} is a folder, not a file skein wrote; skein never deletes it`));
  assert.equal(fs.readFileSync(path.join(out, tmp, 'work.txt'), 'utf8'), 'mine');
});

/** Edits a resume.json as a user with an editor would (its recorded sha256 unchanged). */
function rewrite(file: string, edit: (r: any) => void): void {
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(r);
  fs.writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
}

/** Re-signs an edited resume.json as skein would (its own sha256), so only the consistency checks can catch the edit. */
function resign(file: string, edit: (r: any) => void): void {
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(r);
  delete r.sha256;
  r.sha256 = createHash('sha256').update(`${JSON.stringify(r, null, 2)}\n`).digest('hex');
  fs.writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
}

test('an edited or damaged checkpoint is refused (never rows silently lost or duplicated); --overwrite then builds the same bytes', async () => {
  const base = tempDir('skein-ckpt-');
  const killed = path.join(base, 'killed');
  assert.equal((await skeinAsync(args(killed), { SKEIN_TEST_KILL: 'checkpoints:3' })).signal, 'SIGKILL');
  const copy = (name: string) => {
    const d = path.join(base, name);
    fs.cpSync(killed, d, { recursive: true });
    return { dir: d, resume: path.join(d, '.skein', 'resume.json') };
  };
  const damaged = /the checkpoint .*resume\.json is damaged \((.*)\); pass --overwrite to start the build over/;
  const cases: Array<[string, (resume: string, dir: string) => void, RegExp]> = [
    ['rows edited', (f) => rewrite(f, (r) => (r.rows_in_shards = 80)), /its content does not match its sha256/],
    ['rows edited and re-signed', (f) => resign(f, (r) => (r.rows_in_shards += 7)), /rows_in_shards \d+ is not the \d+ rows of its shards/],
    ['reader position edited', (f) => rewrite(f, (r) => (r.state.reader.pos.docs += 5)), /its content does not match its sha256/],
    ['a shard path leaving the folder', (f) => resign(f, (r) => (r.shards[0].file = '../victim.arrow')), /shard 0 of its list is not shard-00000\.arrow/],
    ['no reader position', (f) => resign(f, (r) => delete r.state.reader), /it holds no reader position/],
    ['no state', (f) => resign(f, (r) => delete r.state), /it holds no reader position/],
    ['null', (f) => fs.writeFileSync(f, 'null\n'), /it is not a JSON object/],
    ['a folder', (f) => { fs.rmSync(f); fs.mkdirSync(f); }, /it is a folder/],
  ];
  for (const [name, edit, why] of cases) {
    const { dir, resume } = copy(name.replace(/\W+/g, '-'));
    edit(resume, dir);
    // The killed build's stale lock is replaced and released; nothing else may change.
    const withoutLock = () => Object.fromEntries(Object.entries(treeOf(dir)).filter(([k]) => k !== '.skein/lock'));
    const before = withoutLock();
    const r = await skeinAsync(args(dir));
    oneLineError(r, damaged);
    assert.match(r.stderr, why, name);
    assert.deepEqual(withoutLock(), before, `${name}: nothing was changed`);
  }
  // A finished shard the checkpoint lists, deleted.
  const { dir: gone } = copy('shard-deleted');
  fs.rmSync(path.join(gone, 'shard-00001.arrow'));
  oneLineError(await skeinAsync(args(gone)), /shard .*shard-00001\.arrow, finished before the interruption, is missing/);
  // --overwrite starts over and gives the uninterrupted build's bytes.
  const { dir: fixed } = copy('overwrite');
  resign(path.join(fixed, '.skein', 'resume.json'), (r) => (r.rows_in_shards += 7));
  const r = await skeinAsync(args(fixed, '--overwrite'));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(arrowHashes(fixed), await referenceShards());
});

test('a finished folder with a shard altered or deleted is not "already complete": exit 1 naming it; --overwrite rebuilds it', async () => {
  const out = path.join(tempDir('skein-done-'), 'out');
  assert.equal((await skeinAsync(args(out))).code, 0);
  const same = await skeinAsync(args(out));
  assert.equal(same.code, 0);
  assert.match(same.stdout, /already complete/);
  const shard = path.join(out, 'shard-00003.arrow');
  const bytes = fs.readFileSync(shard);
  bytes[bytes.length >> 1] ^= 1;
  fs.writeFileSync(shard, bytes);
  oneLineError(await skeinAsync(args(out)), /holds this build, complete, but its shard-00003\.arrow does not match its sha256 \(the folder was modified\); pass --overwrite/);
  fs.rmSync(path.join(out, 'shard-00005.arrow'));
  oneLineError(await skeinAsync(args(out)), /its shard-00003\.arrow does not match its sha256/);
  fs.writeFileSync(shard, (bytes[bytes.length >> 1] ^= 1, bytes));
  oneLineError(await skeinAsync(args(out)), /its shard-00005\.arrow is missing/);
  const r = await skeinAsync(args(out, '--overwrite'));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(arrowHashes(out), await referenceShards());
});

test('a user error after set-up (no source in the mixture) leaves no file behind: a new folder is gone, an existing one is as it was', async () => {
  const base = tempDir('skein-err-');
  const mix = ['--set', 'mix={"mode":"per_source","total_tokens":100000,"weights":{"web":1}}'];
  const fresh = path.join(base, 'new');
  oneLineError(await skeinAsync(args(fresh, ...mix)), /no document's source is in the mixture/);
  assert.ok(!fs.existsSync(fresh));
  const existing = path.join(base, 'existing');
  fs.mkdirSync(existing);
  oneLineError(await skeinAsync(args(existing, ...mix)), /no document's source is in the mixture/);
  assert.deepEqual(fs.readdirSync(existing), []);
});
