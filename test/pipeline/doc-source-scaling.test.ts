// A ZIP archive with many members costs linear work: the reader snapshot each document carries
// copies O(1) reports (counted by a proxy on every report object), and the reports the manifest
// gets are still every member's.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DocSource } from '../../src/input-plan/doc-source.js';
import { expandInputs } from '../../src/sources/expand-inputs.js';
import type { FileReport } from '../../src/sources/reader-context.js';
import { oneFilePlan } from '../helpers/one-file-plan.js';
import { makeZip, withTempDir } from '../sources/helpers.js';

/** Reads a ZIP of `members` one-line members through a DocSource; counts every copy of a report. */
async function readZip(dir: string, members: number): Promise<{ docs: number; copies: number; reports: FileReport[] }> {
  const path = join(dir, `m${members}.zip`);
  writeFileSync(path, makeZip(Array.from({ length: members }, (_, i) => ({ name: `m${String(i).padStart(6, '0')}.jsonl`, data: `{"text":"member ${i}"}\n` }))));
  const [file] = await expandInputs([path]);
  const plan = oneFilePlan(file!);
  const source = new DocSource({ plan, seed: 0, policy: 'fail', displayRoot: dir, subsets: new Map(), rejectsLength: () => ({ bytes: 0, lines: 0 }) });
  let copies = 0;
  // Spreading a report reads its keys: count that, per report object.
  const push = source.reports.push.bind(source.reports);
  source.reports.push = (...items: FileReport[]) =>
    push(
      ...items.map(
        (r) =>
          new Proxy(r, {
            ownKeys(t) {
              copies++;
              return Reflect.ownKeys(t);
            },
          }),
      ),
    );
  let docs = 0;
  let last;
  for (;;) {
    const batch = await source.nextBatch(256, 1 << 20);
    if (!batch) break;
    docs += batch.docs.length;
    for (const d of batch.docs) assert.ok(!d.after.reportsOpen.list && d.after.reportsOpen.end - d.after.reportsDone <= members + 1);
    last = batch.end;
  }
  const reports = [...source.reports.slice(0, last!.reportsDone), ...source.openReports(last!)];
  return { docs, copies, reports };
}

test('reading a ZIP of n members copies O(n) reports, not O(n^2) (500 vs 4,000 members)', async () => {
  await withTempDir(async (dir) => {
    const small = await readZip(dir, 500);
    const large = await readZip(dir, 4000);
    assert.equal(small.docs, 500);
    assert.equal(large.docs, 4000);
    // Two copies per document (the archive's report and the member's), nothing per member already read.
    assert.ok(small.copies <= 3 * (small.docs + 500), `${small.copies} copies for 500 members`);
    assert.ok(large.copies <= 3 * (large.docs + 4000), `${large.copies} copies for 4,000 members`);
    const ratio = large.copies / small.copies;
    if (process.env.SKEIN_TEST_VERBOSE) console.log({ small: small.copies, large: large.copies, ratio });
    assert.ok(ratio < 8 * 1.2, `8x the members, ${ratio.toFixed(2)}x the copies (quadratic would be 64x)`);
    // The reports are still complete and final.
    assert.equal(large.reports.length, 4001);
    assert.equal(large.reports[0]!.documents, 4000);
    assert.deepEqual(
      large.reports.slice(1, 4).map((r) => [r.member, r.documents, r.status]),
      [
        ['m000000.jsonl', 1, 'ok'],
        ['m000001.jsonl', 1, 'ok'],
        ['m000002.jsonl', 1, 'ok'],
      ],
    );
  });
});
