import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { tableFromIPC, Type } from '@uwdata/flechette';
import type { Sample } from '../../src/samples/sample.js';
import { columnNames, hfFeatures, type ColumnSet } from '../../src/shards/index.js';
import { COLUMN_SETS, makeSample, tempDir, writeDataset } from './helpers.js';

/** Expected element type per column, as flechette describes it. */
const ELEMENT: Record<string, { typeId: number; bitWidth?: number; signed?: boolean }> = {
  input_ids: { typeId: Type.Int, bitWidth: 32, signed: true },
  doc_lengths: { typeId: Type.Int, bitWidth: 32, signed: true },
  position_ids: { typeId: Type.Int, bitWidth: 32, signed: true },
  loss_mask: { typeId: Type.Int, bitWidth: 8, signed: false },
  doc_sources: { typeId: Type.Utf8 },
};

/** The value of column `name` in a sample, as a plain array. */
function expected(s: Sample, name: string): unknown[] {
  const v = { input_ids: s.inputIds, doc_lengths: s.docLengths, position_ids: s.positionIds, loss_mask: s.lossMask, doc_sources: s.docSources }[name];
  return Array.from(v as ArrayLike<unknown>);
}

for (const cols of COLUMN_SETS) {
  const label = columnNames(cols).join(',');
  test(`independent reader (@uwdata/flechette) reads every shard: ${label}`, async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const samples = Array.from({ length: 40 }, (_, i) => makeSample([(i * 7) % 13, 5, i % 4], cols as ColumnSet, i));
      const shards = await writeDataset(dir, samples, { columns: cols, shardTokens: 150, batchRows: 3 });
      assert.ok(shards.length > 2);
      let at = 0;
      for (const shard of shards) {
        const table = tableFromIPC(await readFile(join(dir, shard.file)));
        assert.deepEqual(table.schema.fields.map((f) => f.name), columnNames(cols));
        for (const f of table.schema.fields) {
          assert.equal(f.nullable, true, `${f.name} nullable`);
          assert.equal(f.type.typeId, Type.List, `${f.name} is a list`);
          const child = (f.type as { children: Array<{ name: string; nullable: boolean; type: Record<string, unknown> }> }).children[0]!;
          assert.equal(child.name, 'item');
          assert.equal(child.nullable, true);
          for (const [k, v] of Object.entries(ELEMENT[f.name]!)) assert.equal(child.type[k], v, `${f.name} element ${k}`);
        }
        assert.deepEqual(JSON.parse(table.schema.metadata!.get('huggingface')!), { info: { features: hfFeatures(cols) } });
        assert.equal(table.numRows, shard.rows);
        for (let r = 0; r < table.numRows; r++, at++) {
          for (const name of columnNames(cols)) {
            assert.deepEqual(Array.from(table.getChild(name).at(r) as ArrayLike<unknown>), expected(samples[at]!, name), `${shard.file} row ${r} ${name}`);
          }
        }
      }
      assert.equal(at, samples.length);
    } finally {
      await cleanup();
    }
  });
}
