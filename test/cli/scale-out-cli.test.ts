import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openDataset } from '../../src/index.js';
import { fixture } from '../helpers/corpus.js';
import { manifestOf, skein, tempDir } from '../helpers/cli.js';
import { skeinAsync } from '../helpers/spawn.js';
import { python } from '../helpers/python.js';

/** Every document piece of a dataset as a key (its tokens), counted: the multiset of documents. */
async function documentsOf(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const row of (await openDataset(dir)).rows()) {
    let off = 0;
    for (const len of row.docLengths) {
      const key = Array.from(row.inputIds.subarray(off, off + len)).join(',');
      out.set(key, (out.get(key) ?? 0) + 1);
      off += len;
    }
  }
  return out;
}

test('world size 3 as three processes (files and Parquet row groups partitioned), merged without copying: no document lost or duplicated, totals add up', async () => {
  const base = tempDir('skein-scale-');
  // Rows wide enough that no document is split: each piece is a whole document.
  const args = (out: string) => ['build', '--input', fixture('slimpajama', 'train'), fixture('corpus', 'sotu.snappy.parquet'), `${fixture('corpus', 'sotu.jsonl')}[7]`, '--source-field', 'meta.redpajama_set_name', '--builder', 'pack', '--seq-len', '32768', '--shard-tokens', '150000', '--output', out, '--no-progress'];
  const single = path.join(base, 'single');
  const one = await skeinAsync(args(single));
  assert.equal(one.code, 0, one.stderr);
  const out = path.join(base, 'out');
  const ranks = await Promise.all([0, 1, 2].map((r) => skeinAsync([...args(out), '--rank', String(r), '--world-size', '3'])));
  for (const r of ranks) assert.equal(r.code, 0, r.stderr);
  const dirs = fs.readdirSync(out).sort();
  assert.deepEqual(dirs, ['rank-00000-of-00003', 'rank-00001-of-00003', 'rank-00002-of-00003']);
  // Parquet row groups went to different ranks.
  const parquetReads = dirs.flatMap((d) => manifestOf(path.join(out, d)).inputs.filter((i: any) => i.path.endsWith('.parquet')));
  assert.ok(parquetReads.length >= 2 && parquetReads.every((i: any) => Array.isArray(i.row_groups)), 'the Parquet file is split by row group');
  const merged = skein(['merge', ...dirs.map((d) => path.join(out, d)), '--output', out]);
  assert.equal(merged.code, 0, merged.stderr);
  assert.match(merged.stdout, /3 ranks .* nothing copied/);

  const m = manifestOf(out);
  const s = manifestOf(single);
  assert.equal(m.documents.read, s.documents.read);
  assert.equal(m.documents.written, s.documents.written);
  assert.equal(m.totals.tokens, s.totals.tokens);
  assert.deepEqual(m.subsets, { '2': { requested: 7, available: 26, eligible: 26, selected: 7 } }, 'a [N] subset is exact across ranks');
  const perRank = dirs.map((d) => manifestOf(path.join(out, d)));
  assert.equal(m.totals.rows, perRank.reduce((n, r) => n + r.totals.rows, 0));
  assert.equal(m.totals.shards, perRank.reduce((n, r) => n + r.totals.shards, 0));
  assert.ok(m.shards.every((sh: any) => sh.file.startsWith('rank-000')), 'shards referenced by relative path, not copied');
  assert.equal(fs.readdirSync(out).filter((f) => f.endsWith('.arrow')).length, 0);
  // The same multiset of documents as the single-process build: none lost, none twice.
  assert.deepEqual(await documentsOf(out), await documentsOf(single));
  const verify = skein(['inspect', out, '--rows', '0', '--verify']);
  assert.equal(verify.code, 0, verify.stderr);
  const py = python(['-c', `import datasets; d = datasets.load_from_disk(${JSON.stringify(out)}); print(d.num_rows)`]);
  assert.equal(py.status, 0, py.stderr);
  assert.equal(Number(py.stdout.trim()), m.totals.rows, 'datasets.load_from_disk opens the merged folder');
  // A --hardlink merge killed after linking some shards but before its manifest: the rerun
  // recognises its own links (same inode as the rank's shard) and finishes; a stranger of the
  // same name (another file's content) is refused and left in place.
  const linked = path.join(base, 'linked');
  fs.mkdirSync(linked);
  const shard0 = manifestOf(path.join(out, dirs[0]!)).shards[0].file as string;
  fs.linkSync(path.join(out, dirs[0]!, shard0), path.join(linked, `rank-00000-${shard0}`));
  const again = skein(['merge', ...dirs.map((d) => path.join(out, d)), '--output', linked, '--hardlink']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(manifestOf(linked).totals.rows, m.totals.rows);
  const stranger = path.join(base, 'stranger');
  fs.mkdirSync(stranger);
  fs.writeFileSync(path.join(stranger, `rank-00000-${shard0}`), 'not a shard of this build');
  const refused = skein(['merge', ...dirs.map((d) => path.join(out, d)), '--output', stranger, '--hardlink']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`holds rank-00000-${shard0.replace('.', '\\.')}, which skein merge did not write`));
  assert.equal(fs.readFileSync(path.join(stranger, `rank-00000-${shard0}`), 'utf8'), 'not a shard of this build');
  // Merge refuses incomplete sets.
  const missing = skein(['merge', path.join(out, dirs[0]!), path.join(out, dirs[2]!), '--output', path.join(base, 'm2')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /rank 1 of 3 is missing; build it \(--rank 1 --world-size 3\)/);
});
