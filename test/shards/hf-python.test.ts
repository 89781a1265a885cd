import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Sample } from '../../src/samples/sample.js';
import { columnLayout, columnNames, type ColumnSet, type ShardInfo } from '../../src/shards/index.js';
import { COLUMN_SETS, makeSample, tempDir, writeDataset } from './helpers.js';
import { python } from '../helpers/python.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'check_hf.py');

/** The JSON expectation check_hf.py compares the folder with. */
function expectation(samples: Sample[], shards: ShardInfo[], cols: ColumnSet, override: Record<string, unknown> = {}) {
  const pick = (s: Sample, name: string) =>
    Array.from(
      ({ input_ids: s.inputIds, doc_lengths: s.docLengths, position_ids: s.positionIds, loss_mask: s.lossMask, doc_sources: s.docSources } as Record<string, ArrayLike<unknown>>)[name]!,
    );
  const rows = [0, 1, Math.floor(samples.length / 2), samples.length - 1];
  return {
    rows: samples.length,
    columns: columnNames(cols),
    dtypes: Object.fromEntries(columnLayout(cols).map((c) => [c.name, c.dtype])),
    shards: shards.map((s) => ({ file: s.file, rows: s.rows })),
    values: rows.flatMap((row) => columnNames(cols).map((column) => ({ row, column, value: pick(samples[row]!, column) }))),
    ...override,
  };
}

/** Runs check_hf.py on a folder. */
function runCheck(dir: string, exp: unknown) {
  const r = python([SCRIPT, dir, JSON.stringify(exp)]);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

for (const cols of [COLUMN_SETS[0]!, COLUMN_SETS[3]!]) {
  test(`datasets.load_from_disk and pyarrow.ipc.open_stream read the folder: ${columnNames(cols).join(',')}`, async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const samples = Array.from({ length: 30 }, (_, i) => makeSample([(i * 5) % 17, 9, i % 3], cols, i));
      const shards = await writeDataset(dir, samples, { columns: cols, shardTokens: 100, batchRows: 4 });
      assert.ok(shards.length > 2);
      const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
      assert.deepEqual(state._data_files, shards.map((s) => ({ filename: s.file })));

      const ok = runCheck(dir, expectation(samples, shards, cols));
      assert.equal(ok.status, 0, ok.out);
      assert.match(ok.out, new RegExp(`^OK rows=30 shards=${shards.length} columns=${columnNames(cols).join(',')}`, 'm'));

      // The script really compares: a wrong expectation must fail, naming the mismatch.
      const wrong = expectation(samples, shards, cols);
      wrong.values[0]!.value = [123456789];
      const bad = runCheck(dir, { ...wrong, rows: 31 });
      assert.equal(bad.status, 1, bad.out);
      assert.match(bad.out, /MISMATCH: load_from_disk rows 30 != 31/);
      assert.match(bad.out, /MISMATCH: row 0 input_ids/);
    } finally {
      await cleanup();
    }
  });
}
