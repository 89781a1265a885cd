import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { MixReport, MixReportSource } from '../mix/mixer.js';
import { columnSetFromNames } from '../shards/columns.js';
import { LengthHistogram } from '../shards/histogram.js';
import { shardsFingerprint, writeHfLayout } from '../shards/hf-layout.js';
import { withPairs } from '../setup/megatron-setup.js';
import { MANIFEST_FILE, readManifest, shardTotals, writeManifest, type Manifest, type ManifestSubset } from '../shards/manifest.js';
import { shardFiles, type ShardInfo } from '../shards/shard-writer.js';
import { makeFolder } from '../util/environment-error.js';
import { UserError } from '../util/errors.js';
import { builderStatsEntry } from '../samples/builder.js';
import { SourceHistograms } from '../run/source-histograms.js';

/** Options of {@link mergeBuilds}. */
export interface MergeOptions {
  /**
   * Hard-link each rank's shards into the merged folder (`rank-RRRRR-shard-NNNNN.arrow`) instead
   * of referencing them by relative path: the merged folder then stands alone (it can be moved or
   * uploaded by itself); needs one file system. Neither way copies data.
   */
  hardlink?: boolean;
}

/** Files `skein merge` writes into its output folder. */
const MERGE_FILES = new Set([MANIFEST_FILE, 'state.json', 'dataset_info.json']);

/** The path of `file` as seen from `dir`, with `/` separators (what state.json and the manifest store). */
function relativeTo(dir: string, file: string): string {
  return path.relative(dir, file).split(path.sep).join('/');
}

/** The sum of the ranks' counters of one augmenter (or of the builder), key by key. */
function sumCounters(tables: ReadonlyArray<Readonly<Record<string, number>>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tables) for (const [k, v] of Object.entries(t)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** Adds counts into a table. */
function addInto(t: Record<string, number>, more: Readonly<Record<string, number | undefined>>): void {
  for (const [k, v] of Object.entries(more)) if (v) t[k] = (t[k] ?? 0) + v;
}

/** Sums the ranks' mix reports: targets and achieved tokens add up, shares are recomputed. */
function mergeMix(reports: MixReport[]): MixReport {
  const first = reports[0]!;
  const sources: Record<string, MixReportSource> = {};
  let tokens = 0;
  for (const r of reports) {
    tokens += r.tokens;
    for (const [name, s] of Object.entries(r.sources)) {
      const m = (sources[name] ??= { budget_used: 0, tokens: 0, share: 0, documents: 0, considered_documents: 0, considered_tokens: 0, dropped: {} });
      if (s.target_share !== undefined) m.target_share = s.target_share;
      if (s.target_tokens !== undefined) m.target_tokens = (m.target_tokens ?? 0) + s.target_tokens;
      m.budget_used += s.budget_used;
      m.tokens += s.tokens;
      m.documents += s.documents;
      m.considered_documents += s.considered_documents;
      m.considered_tokens += s.considered_tokens;
      addInto(m.dropped as Record<string, number>, s.dropped);
    }
  }
  for (const s of Object.values(sources)) s.share = tokens ? s.tokens / tokens : 0;
  const sorted: Record<string, MixReportSource> = {};
  for (const name of Object.keys(sources).sort()) sorted[name] = sources[name]!;
  return {
    ...first,
    total_tokens: first.total_tokens === null ? null : reports.reduce((n, r) => n + (r.total_tokens ?? 0), 0),
    budget_fraction: reports.reduce((n, r) => n + r.budget_fraction, 0),
    tokens,
    budget_reached: reports.some((r) => r.budget_reached),
    stopped_early: reports.every((r) => r.stopped_early === true),
    sources: sorted,
  };
}

/** A rank folder's name: `rank-RRRRR-of-WWWWW`. */
const RANK_DIR = /^rank-\d{5}-of-\d{5}$/;

/**
 * The rank folders named by `dirs`: each is a rank folder itself, or a folder a rank was built
 * into with its own `--output` (it holds no manifest but `rank-RRRRR-of-WWWWW/` folders, which
 * are taken).
 */
async function rankFolders(dirs: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const d of dirs) {
    const dir = path.resolve(d);
    const hasManifest = await fs.stat(path.join(dir, MANIFEST_FILE)).then(() => true, () => false);
    const inner = hasManifest ? [] : await fs.readdir(dir).then((names) => names.filter((n) => RANK_DIR.test(n)).sort(), () => []);
    if (inner.length > 0) found.push(...inner.map((n) => path.join(dir, n)));
    else found.push(dir);
  }
  return found;
}

/**
 * Joins the output folders of the ranks of one scaled-out build into one dataset folder
 * (manifest.json, state.json, dataset_info.json) without copying shard data: state.json and the
 * manifest name each rank's shards by their path relative to the merged folder (what
 * `datasets.load_from_disk` joins to the folder), or by hard links with `hardlink`.
 *
 * A folder given that holds no manifest but `rank-RRRRR-of-WWWWW/` folders (each rank built with
 * its own `--output`) stands for them. Checks that the folders are complete builds of the same fingerprint (config, tokenizer, inputs,
 * skein version) with the same world size, and that every rank is there exactly once. The
 * merged manifest sums the ranks' counts (documents, tokens, per-source targets and achieved
 * tokens), merges their histograms and lists the ranks. Rows are in rank order, then each
 * rank's own order.
 */
export async function mergeBuilds(dirs: readonly string[], output: string, opts: MergeOptions = {}): Promise<Manifest> {
  if (dirs.length === 0) throw new UserError('skein merge needs the output folders of the ranks, e.g. skein merge out/rank-* --output out');
  const out = path.resolve(output);
  const ranks: Array<{ dir: string; m: Manifest }> = [];
  for (const dir of await rankFolders(dirs)) {
    if (dir === out) throw new UserError(`--output ${output} is one of the folders to merge; write the merged dataset to another folder (the parent of the rank folders works)`);
    const m = await readManifest(dir);
    if (!m.resume?.complete) throw new UserError(`${dir} holds an unfinished build; run its rank again to finish it, then merge`);
    if (!m.scale_out || m.scale_out.rank === undefined) throw new UserError(`${dir} is not a rank of a scaled-out build (its manifest has no scale_out.rank); merge the rank-RRRRR-of-WWWWW folders of one build`);
    ranks.push({ dir, m });
  }
  ranks.sort((a, b) => a.m.scale_out!.rank! - b.m.scale_out!.rank!);
  const first = ranks[0]!.m;
  const world = first.scale_out!.world_size;
  const parts = (m: Manifest) => {
    const p = { ...(m.resume.fingerprint_parts ?? {}) };
    delete p.rank;
    return JSON.stringify(p);
  };
  for (const { dir, m } of ranks) {
    if (m.scale_out!.world_size !== world) throw new UserError(`${dir} is a rank of a build with ${m.scale_out!.world_size} ranks, ${ranks[0]!.dir} of one with ${world}; merge the ranks of one build`);
    if (parts(m) !== parts(first)) throw new UserError(`${dir} was built with another configuration, tokenizer, inputs or skein version than ${ranks[0]!.dir}; merge the ranks of one build`);
    if (m.columns.join() !== first.columns.join()) throw new UserError(`${dir} has columns ${m.columns.join(', ')}, ${ranks[0]!.dir} has ${first.columns.join(', ')}; merge the ranks of one build`);
  }
  for (let r = 0; r < world; r++) {
    const n = ranks.filter((x) => x.m.scale_out!.rank === r).length;
    if (n === 0) throw new UserError(`rank ${r} of ${world} is missing; build it (--rank ${r} --world-size ${world}) and pass its folder too`);
    if (n > 1) throw new UserError(`rank ${r} of ${world} is given ${n} times; pass each rank's folder once`);
  }
  if (ranks.length !== world) throw new UserError(`expected ${world} rank folders, got ${ranks.length}`);

  const outStat = await fs.stat(out).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    if (e.code === 'ENOTDIR') throw new UserError(`--output ${output} is under a file, not a folder; give a folder for the merged dataset`);
    throw e;
  });
  if (outStat && !outStat.isDirectory()) throw new UserError(`--output ${output} is a file; give a folder for the merged dataset (the parent of the rank folders works)`);
  await makeFolder(out);
  const existing = await readManifest(out).catch(() => undefined);
  if (existing && !existing.scale_out?.ranks) throw new UserError(`--output ${output} holds a build of its own; merge into another folder`);
  // Hard links an earlier merge into this folder made (its manifest lists them) may be replaced; nothing else.
  const earlierLinks = new Set((existing?.shards ?? []).flatMap(shardFiles).map((s) => s.file).filter((f) => /^rank-\d{5}-shard-\d{5,}\.(?:arrow|bin|idx)$/.test(f)));
  const ownNames = new Set(ranks.map((r) => path.relative(out, r.dir).split(path.sep)[0]!));
  const rankDirs = new Map(ranks.map((r) => [r.m.scale_out!.rank!, r.dir]));
  for (const name of await fs.readdir(out)) {
    if (MERGE_FILES.has(name) || ownNames.has(name) || earlierLinks.has(name)) continue;
    if (await isLinkOfRankFile(out, name, rankDirs)) continue; // linked by a merge killed before its manifest

    if (name.startsWith('.')) continue; // hidden files (temporary files of an interrupted merge, .DS_Store) are left alone
    throw new UserError(`--output ${output} holds ${name}, which skein merge did not write; choose an empty folder or the parent of the rank folders`);
  }

  const shards: ShardInfo[] = [];
  for (const { dir, m } of ranks) {
    /** A rank's file as the merged folder names it: hard-linked in, or by relative path. */
    const place = async (file: string): Promise<string> => {
      const src = path.join(dir, file);
      if (!opts.hardlink) return relativeTo(out, src);
      const name = `rank-${String(m.scale_out!.rank).padStart(5, '0')}-${file}`;
      const dst = path.join(out, name);
      // Only a regular file an earlier merge linked here is replaced (the check above).
      const there = await fs.lstat(dst).catch(() => undefined);
      if (there) {
        if (!there.isFile()) throw new UserError(`${dst} is not a file skein merge wrote; move it away or merge into another folder`);
        await fs.unlink(dst);
      }
      try {
        await fs.link(src, dst);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EXDEV') throw new UserError(`cannot hard-link ${src} into ${output}: they are on different file systems; drop --hardlink to reference the shards by relative path`);
        throw e;
      }
      return name;
    };
    for (const s of m.shards) {
      const merged: ShardInfo = { ...s, file: await place(s.file) };
      if (s.index) merged.index = { ...s.index, file: await place(s.index.file) };
      shards.push(merged);
    }
  }
  const documents = { read: 0, written: 0, dropped: {} as Record<string, number> };
  const sources: Manifest['sources'] = {};
  const docHist = new LengthHistogram();
  const sampleHist = new LengthHistogram();
  const srcHist = new SourceHistograms();
  const subsets: Record<string, ManifestSubset> = {};
  let extendedRows: number | undefined;
  let splitDocuments = 0;
  let tokensDropped = 0;
  let rejects = 0;
  const rejectFiles: string[] = [];
  for (const { dir, m } of ranks) {
    documents.read += m.documents.read;
    documents.written += m.documents.written;
    addInto(documents.dropped, m.documents.dropped);
    for (const [name, s] of Object.entries(m.sources)) {
      const t = (sources[name] ??= { documents: 0, tokens: 0 });
      t.documents += s.documents;
      t.tokens += s.tokens;
    }
    docHist.merge(m.histograms.document_tokens);
    sampleHist.merge(m.histograms.sample_tokens);
    if (m.histograms.sources) srcHist.merge(m.histograms.sources);
    for (const [k, s] of Object.entries(m.subsets ?? {})) {
      const t = (subsets[k] ??= { requested: s.requested, available: s.available, ...(s.eligible !== undefined ? { eligible: s.eligible } : {}), selected: 0 });
      t.selected += s.selected;
    }
    const bs = m.builder.stats as { extended_rows?: number } | undefined;
    if (bs?.extended_rows !== undefined) extendedRows = (extendedRows ?? 0) + bs.extended_rows;
    splitDocuments += m.packing.split_documents;
    tokensDropped += m.packing.tokens_dropped ?? 0;
    rejects += m.rejects.count;
    if (m.rejects.file) rejectFiles.push(relativeTo(out, path.join(dir, m.rejects.file)));
  }
  const totals = shardTotals(shards);
  const seqLen = first.builder.seq_len;
  const { stats: _rankStats, ...builderOptions } = first.builder;
  const fingerprint = createHash('sha256').update(ranks.map((r) => r.m.resume.fingerprint ?? '').join('\n')).digest('hex');
  const { rank: _r, ...fpParts } = first.resume.fingerprint_parts ?? {};
  const manifest: Manifest = {
    ...first,
    builder: { ...builderOptions, ...builderStatsEntry({ rows: totals.rows, extendedRows }) },
    ...(first.augment ? { augment: first.augment.map((a, i) => ({ ...a, stats: sumCounters(ranks.map((r) => r.m.augment?.[i]?.stats ?? {})) })) } : {}),
    shards,
    totals,
    documents,
    inputs: ranks.flatMap(({ m }) => m.inputs.map((i) => ({ ...i, rank: m.scale_out!.rank! }))),
    sources,
    histograms: { document_tokens: docHist.toJSON(), sample_tokens: sampleHist.toJSON(), sources: srcHist.toJSON() },
    packing: { rows: totals.rows, tokens: totals.tokens, capacity_tokens: totals.rows * seqLen, fill: totals.rows ? totals.tokens / (totals.rows * seqLen) : 0, split_documents: splitDocuments, tokens_dropped: tokensDropped },
    rejects: { file: null, count: rejects, ...(rejectFiles.length ? { files: rejectFiles } : {}) },
    resume: { complete: true, fingerprint, fingerprint_parts: fpParts },
    scale_out: { world_size: world, ranks: ranks.map(({ dir, m }) => ({ rank: m.scale_out!.rank!, dir: relativeTo(out, dir), fingerprint: m.resume.fingerprint ?? '' })) },
  };
  const mixes = ranks.map((r) => r.m.mix).filter((x): x is MixReport => x !== undefined);
  if (mixes.length === ranks.length && mixes.length > 0) manifest.mix = mergeMix(mixes);
  if (Object.keys(subsets).length) manifest.subsets = subsets;
  if (first.megatron) manifest.megatron = withPairs(first.megatron, shards);
  else await writeHfLayout(out, shards, columnSetFromNames(first.columns), shardsFingerprint(shards));
  await writeManifest(out, manifest);
  return manifest;
}

/**
 * Whether `name` in the merged folder is a hard link to the very rank file its name stands for
 * (`rank-RRRRR-<file>` ↔ `<rank RRRRR's folder>/<file>`, same device and inode): a link an
 * interrupted `--hardlink` merge made before it could write its manifest. Replacing it loses
 * nothing, since it is the rank's own file.
 */
async function isLinkOfRankFile(out: string, name: string, rankDirs: Map<number, string>): Promise<boolean> {
  const m = /^rank-(\d{5})-(shard-\d{5,}\.(?:arrow|bin|idx))$/.exec(name);
  const dir = m ? rankDirs.get(Number(m[1])) : undefined;
  if (!m || dir === undefined) return false;
  const [here, there] = await Promise.all([fs.lstat(path.join(out, name)).catch(() => undefined), fs.lstat(path.join(dir, m[2]!)).catch(() => undefined)]);
  return !!here && !!there && here.isFile() && there.isFile() && here.dev === there.dev && here.ino === there.ino;
}
