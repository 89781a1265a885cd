import path from 'node:path';
import type { Dataset, Row } from '../shards/reader.js';
import { UserError } from '../util/errors.js';
import { explainRow } from './explain-row.js';
import { loadManifestTokenizer } from './manifest-tokenizer.js';
import { positionsChartSpec } from '../charts/positions-chart.js';
import { writeChart } from '../charts/write-chart.js';

/** What `skein inspect --explain / --plot` was asked for. */
export interface StructureRequest {
  /** Row to explain. */
  explain?: number;
  /** File to write the positions plot to (`.svg` or `.png`). */
  plot?: string;
  /** Rows drawn in the plot (the first ones). */
  plotRows: number;
  /** Characters per text run in the explanation. */
  chars: number;
  /** Decode text with the dataset's tokenizer. */
  decode: boolean;
}

/** Copies a row out of its record batch (the reader's arrays are views). */
function ownRow(r: Row): Row {
  return { ...r, inputIds: r.inputIds.slice(), positionIds: r.positionIds.slice(), lossMask: r.lossMask?.slice() };
}

/**
 * `skein inspect --explain N` and `--plot file.svg`: reads the rows needed (row N, the first
 * `plotRows` rows), prints the explanation of row N and writes the plot. A row number past the
 * end is a {@link UserError}.
 */
export async function showStructure(ds: Dataset, req: StructureRequest, out: (line: string) => void): Promise<void> {
  const m = ds.manifest;
  const need = Math.max(req.explain !== undefined ? req.explain + 1 : 0, req.plot ? req.plotRows : 0);
  const rows: Row[] = [];
  let explained: Row | undefined;
  let i = 0;
  for await (const r of ds.rows()) {
    if (i >= need) break;
    if (req.plot && i < req.plotRows) rows.push(ownRow(r));
    if (i === req.explain) explained = ownRow(r);
    i++;
  }
  if (req.explain !== undefined) {
    if (!explained) throw new UserError(`--explain ${req.explain}: the dataset has ${m.totals.rows} rows (0…${m.totals.rows - 1}); pick a row in range`);
    let decode: ((ids: number[]) => Promise<string>) | undefined;
    if (req.decode) {
      try {
        const { engine, note } = await loadManifestTokenizer(m);
        if (note) out(`(note: ${note})`);
        decode = (ids) => engine.decode(ids);
      } catch (e) {
        out(`(cannot load tokenizer ${m.tokenizer.name} to decode: ${(e as Error).message}; showing ids)`);
      }
    }
    for (const l of await explainRow(explained, req.explain, m, { decode, chars: req.chars })) out(l);
  }
  if (req.plot) {
    const spec = positionsChartSpec(
      rows.map((r, k) => ({ label: `row ${k} (${r.inputIds.length} tokens, ${r.docLengths.length} piece${r.docLengths.length === 1 ? '' : 's'})`, positions: r.positionIds })),
      { title: `${path.basename(ds.dir)}: position id vs token index (positions ${m.positions}, attention ${m.attention})` },
    );
    await writeChart(req.plot, spec, '--plot');
    out(`wrote ${req.plot}: positions of ${rows.length} row${rows.length === 1 ? '' : 's'}`);
  }
}
