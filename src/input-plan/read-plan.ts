import path from 'node:path';
import { parseSubsetSuffix } from '../mix/subset.js';
import { expandInputs, type ExpandOptions, type InputFile } from '../sources/expand-inputs.js';
import { parquetRowGroupSizes, rowGroupSizesOf } from '../sources/parquet-row-groups.js';
import { RemoteAccess } from '../sources/remote/remote-access.js';
import { remoteRangeBuffer } from '../sources/remote/remote-range-buffer.js';
import { isRemotePath } from '../sources/remote/remote-url.js';
import { mapLimit } from '../util/map-limit.js';
import { UserError } from '../util/errors.js';
import type { PipelineConfig } from '../config/config-schema.js';
import { assignUnits, type WorkUnit } from './partition.js';

/** Parquet footers read at once while planning a scaled-out build (remote files: one or two requests each). */
const FOOTER_CONCURRENCY = 8;

/** One configured input with every file it names (all ranks' files). */
export interface PlanInput {
  /** Index in `config.inputs`. */
  index: number;
  config: PipelineConfig['inputs'][number];
  /** Every file of the input, sorted by path. */
  files: InputFile[];
  /** `N` of a `path[N]` subset: a seeded random subset of exactly N documents (all when fewer). */
  subset?: number;
}

/** One file this rank reads (with `rowGroups` when it reads part of a Parquet file). */
export interface ReadItem {
  /** Index into {@link ReadPlan.inputs}. */
  input: number;
  /** Index of the file within its input. */
  fileIndex: number;
  file: InputFile;
}

/** What one rank reads, in order. */
export interface ReadPlan {
  inputs: PlanInput[];
  /** This rank's files in the global read order. */
  items: ReadItem[];
  /** Bytes of the files this rank touches (the progress total). */
  bytesTotal: number;
  /** This rank's share of all input bytes (1 for a world of one): the fraction of the budgets it fills. */
  fraction: number;
  /** Work units of all ranks and this rank's count, for the summary. */
  units: { total: number; mine: number };
}

/**
 * Resolves the inputs of a config (paths relative to `baseDir`, URLs listed through their store;
 * a trailing `[N]` marks a subset) and decides which part this rank reads: files are units, and
 * Parquet files (local or remote: sizes from their footers) are split into row-group units when
 * there is more than one rank; units are assigned by {@link assignUnits}.
 * Throws {@link UserError} for missing inputs and misplaced `[N]` suffixes.
 */
export async function makeReadPlan(
  config: PipelineConfig,
  baseDir: string,
  scale: { rank: number; worldSize: number },
  expand: Pick<ExpandOptions, 'exclude' | 'onNote' | 'remote'> = {},
): Promise<ReadPlan> {
  const inputs: PlanInput[] = [];
  for (const [index, input] of config.inputs.entries()) {
    const raw = Array.isArray(input.path) ? input.path : [input.path];
    const parsed = raw.map(parseSubsetSuffix);
    const subsets = parsed.filter((p) => p.subset !== undefined);
    if (subsets.length > 0 && raw.length > 1) {
      throw new UserError(`inputs[${index}].path: a [N] subset applies to a whole input; give the subset its own input with a single path`);
    }
    const files = await expandInputs(
      parsed.map((p) => (isRemotePath(p.path) ? p.path : path.resolve(baseDir, p.path))),
      expand,
    );
    inputs.push({ index, config: input, files, ...(subsets[0] ? { subset: subsets[0].subset } : {}) });
  }

  interface Placed extends WorkUnit {
    input: number;
    fileIndex: number;
    rowGroup?: number;
  }
  const units: Placed[] = [];
  // Row-group sizes of every Parquet file, from its footer (remote footers a few at a time).
  const all = inputs.flatMap((pi, i) => pi.files.map((file, fileIndex) => ({ i, fileIndex, file })));
  const parquet = scale.worldSize > 1 ? all.filter((x) => x.file.format === 'parquet') : [];
  const sizes = await mapLimit(parquet, FOOTER_CONCURRENCY, async ({ file }) =>
    file.remote ? rowGroupSizesOf(remoteRangeBuffer(await (expand.remote ??= new RemoteAccess()).reader(file.remote))) : parquetRowGroupSizes(file.rawPath ?? file.path),
  );
  const groupsOf = new Map(parquet.map((x, k) => [x.file, sizes[k]]));
  for (const [i, pi] of inputs.entries()) {
    for (const [fileIndex, file] of pi.files.entries()) {
      const groups = groupsOf.get(file);
      if (groups && groups.length > 1) {
        for (const [g, bytes] of groups.entries()) units.push({ order: units.length, bytes, input: i, fileIndex, rowGroup: g });
      } else units.push({ order: units.length, bytes: file.size, input: i, fileIndex });
    }
  }
  const ranks = assignUnits(units, scale.worldSize);
  const items: ReadItem[] = [];
  let mine = 0;
  let myBytes = 0;
  let allBytes = 0;
  for (const [k, u] of units.entries()) {
    allBytes += u.bytes;
    if (ranks[k] !== scale.rank) continue;
    mine++;
    myBytes += u.bytes;
    const file = inputs[u.input]!.files[u.fileIndex]!;
    const last = items[items.length - 1];
    if (u.rowGroup === undefined) items.push({ input: u.input, fileIndex: u.fileIndex, file });
    else if (last && last.input === u.input && last.fileIndex === u.fileIndex) last.file = { ...last.file, rowGroups: [...(last.file.rowGroups ?? []), u.rowGroup] };
    else items.push({ input: u.input, fileIndex: u.fileIndex, file: { ...file, rowGroups: [u.rowGroup] } });
  }
  // A Parquet file whose row groups all went to this rank is read whole.
  const groupCount = new Map<string, number>();
  for (const u of units) if (u.rowGroup !== undefined) groupCount.set(`${u.input}/${u.fileIndex}`, (groupCount.get(`${u.input}/${u.fileIndex}`) ?? 0) + 1);
  for (const it of items) {
    if (!it.file.rowGroups) continue;
    if (it.file.rowGroups.length === groupCount.get(`${it.input}/${it.fileIndex}`)) {
      const { rowGroups: _, ...whole } = it.file;
      it.file = whole;
    }
  }
  const bytesTotal = items.reduce((n, it) => n + it.file.size, 0);
  const fraction = scale.worldSize === 1 ? 1 : allBytes > 0 ? myBytes / allBytes : 1 / scale.worldSize;
  return { inputs, items, bytesTotal, fraction, units: { total: units.length, mine } };
}
