import type { Manifest } from '../shards/manifest.js';
import type { Row } from '../shards/reader.js';

/** Options of {@link explainRow}. */
export interface ExplainOptions {
  /** Decodes token ids to text (the dataset's tokenizer); without it ids are shown. */
  decode?: (ids: number[]) => Promise<string>;
  /** Characters shown per run of text (head … tail). */
  chars: number;
}

/** Shortens text to `chars` characters (head and tail kept), newlines shown as ⏎. */
function clipText(text: string, chars: number): string {
  const flat = text.replace(/\n/g, '⏎');
  if (flat.length <= chars) return flat;
  const head = Math.ceil(chars * 0.6);
  return `${flat.slice(0, head)}…${flat.slice(flat.length - (chars - head) + 1)}`;
}

/** UtK's backtracing marker ids, from the manifest's utk entry. */
interface SortIds {
  open: number;
  close: number;
  summaryOpen: number;
  summarySep: number;
  summaryClose: number;
}

/**
 * The ids of the dataset's (first) utk augmenter's markers, string → id: its `marker_ids`
 * (reserved special tokens or new ids), or for older manifests the added tokens.
 */
function utkMarkerIds(m: Manifest): Record<string, number> {
  const u = m.augment?.find((a) => a.type === 'utk');
  return (u?.marker_ids as Record<string, number> | undefined) ?? m.tokenizer.added_tokens ?? {};
}

/**
 * Display names of UtK's markers by id: `knot_1_end`, `knot_1_start`, … and `<D>`, `</D>`,
 * `<S>`, `<s>`, `</S>`, whatever tokens carry them (reserved special tokens or new ids).
 */
function utkMarkerNames(m: Manifest): Map<number, string> {
  const out = new Map<number, string>();
  const u = m.augment?.find((a) => a.type === 'utk');
  if (!u) return out;
  const ids = utkMarkerIds(m);
  ((u.knot_tokens as string[] | undefined) ?? []).forEach((t, i) => {
    if (ids[t] !== undefined) out.set(ids[t], `knot_${(i >> 1) + 1}_${i % 2 === 0 ? 'end' : 'start'}`);
  });
  if (u.add_sort_task) {
    const roles = ['<D>', '</D>', '<S>', '<s>', '</S>'];
    ((u.sort_tokens as string[] | undefined) ?? []).forEach((t, i) => {
      if (ids[t] !== undefined) out.set(ids[t], roles[i]!);
    });
  }
  return out;
}

/** The sort markers of the dataset's (first) utk augmenter, when it has backtracing on. */
function sortIdsOf(m: Manifest): SortIds | undefined {
  const u = m.augment?.find((a) => a.type === 'utk');
  const known = utkMarkerIds(m);
  const names = u?.sort_tokens as string[] | undefined;
  if (!u || !u.add_sort_task || !names) return undefined;
  const ids = names.map((n) => known[n]);
  if (ids.some((x) => x === undefined)) return undefined;
  const [open, close, summaryOpen, summarySep, summaryClose] = ids as [number, number, number, number, number];
  return { open, close, summaryOpen, summarySep, summaryClose };
}

/** A chunk header `<D> id </D>` or a summary `<S> id <s> id … </S>` found in a row. */
interface Found {
  at: number;
  end: number;
  /** The IDs as token keys (`1,2,3`). */
  keys: string[];
}

/** Finds headers and closed summaries in `ids`. */
function findBacktracing(ids: Int32Array, s: SortIds): { headers: Found[]; summaries: Found[] } {
  const headers: Found[] = [];
  const summaries: Found[] = [];
  for (let j = 0; j < ids.length; j++) {
    const t = ids[j]!;
    if (t !== s.open && t !== s.summaryOpen) continue;
    const closeId = t === s.open ? s.close : s.summaryClose;
    let e = j + 1;
    while (e < ids.length && ids[e] !== closeId) e++;
    if (e >= ids.length) break; // cut off by the row's end
    const keys: string[] = [];
    let cur: number[] = [];
    for (let k = j + 1; k < e; k++) {
      if (t === s.summaryOpen && ids[k] === s.summarySep) {
        keys.push(cur.join(','));
        cur = [];
      } else cur.push(ids[k]!);
    }
    keys.push(cur.join(','));
    (t === s.open ? headers : summaries).push({ at: j, end: e, keys });
    j = e;
  }
  return { headers, summaries };
}

/**
 * Renders row `index` with its structure visible (the `skein inspect --explain` view): one block
 * per document piece with its token range, positions, segment and source; inside it, marker
 * tokens (UtK's markers by role, `⟦knot_1_end⟧` or `⟦<D>⟧`, the manifest's added tokens and the
 * BOS/EOS specials) as `⟦name⟧`, spans that are not
 * prediction targets (`loss_mask` 0) as `‹…›`, and position jumps inside a piece as `⤳p`. For
 * UtK rows, each chunk is named by its ID and matched with its document's backtracing summary
 * (`chunk i/n of document g`).
 */
export async function explainRow(row: Row, index: number, m: Manifest, opts: ExplainOptions): Promise<string[]> {
  const ids = row.inputIds;
  const mask = row.lossMask;
  const pos = row.positionIds;
  const names = new Map<number, string>();
  for (const [name, id] of Object.entries(m.tokenizer.special_ids)) names.set(id, name);
  for (const [str, id] of Object.entries(m.tokenizer.added_tokens ?? {})) names.set(id, str);
  for (const [id, role] of utkMarkerNames(m)) names.set(id, role);
  const decode = async (run: number[]): Promise<string> => (opts.decode ? clipText(await opts.decode(run), opts.chars) : `[${run.length > 16 ? `${run.slice(0, 8).join(' ')} … ${run.slice(-8).join(' ')}` : run.join(' ')}]`);
  const idText = async (key: string): Promise<string> => (key === '' ? '' : opts.decode ? opts.decode(key.split(',').map(Number)) : `[${key.replace(/,/g, ' ')}]`);

  const masked = mask ? mask.reduce((a, b) => a + (b === 0 ? 1 : 0), 0) : 0;
  const lines = [
    `row ${index}: ${ids.length} tokens, ${row.docLengths.length} piece${row.docLengths.length === 1 ? '' : 's'}; attention ${m.attention}, positions ${m.positions}${m.augment?.length ? `; augmented by ${m.augment.map((a) => a.type).join(', ')}` : ''}`,
    `  loss_mask: ${mask ? `${ids.length - masked} targets, ${masked} not targets` : 'none (every token a target)'}`,
    '  legend: ⟦marker⟧ special or added token · ‹…› not a target (loss_mask 0) · ⤳p position jumps to p',
  ];

  // UtK backtracing: which chunk of which document each header names.
  const sort = sortIdsOf(m);
  const chunkOf = new Map<string, { doc: number; chunk: number; of: number }>();
  const bt = sort ? findBacktracing(ids, sort) : { headers: [], summaries: [] };
  bt.summaries.forEach((s, g) => s.keys.forEach((k, c) => chunkOf.set(k, { doc: g + 1, chunk: c + 1, of: s.keys.length })));
  if (sort) {
    lines.push(`  backtracing: ${bt.headers.length} chunk headers, ${bt.summaries.length} complete summaries (documents numbered by their summary)`);
    for (const [g, s] of bt.summaries.entries()) lines.push(`    document ${g + 1}: summary at token ${s.at} lists ${(await Promise.all(s.keys.map(idText))).join(' → ')}`);
  }

  let off = 0;
  for (let k = 0; k < row.docLengths.length; k++) {
    const len = row.docLengths[k]!;
    const end = off + len;
    const notes: string[] = [];
    for (const h of bt.headers) {
      if (h.at < off || h.at >= end) continue;
      const c = chunkOf.get(h.keys[0]!);
      notes.push(`chunk ${await idText(h.keys[0]!)}${c ? ` = ${c.chunk}/${c.of} of document ${c.doc}` : ' (its summary is cut off)'}`);
    }
    for (const s of bt.summaries) if (s.at >= off && s.at < end) notes.push(`ends document ${bt.summaries.indexOf(s) + 1} with its summary`);
    lines.push(
      `  piece ${k}: tokens ${off}–${end - 1}, positions ${len ? `${pos[off]}–${pos[end - 1]}` : '-'}, segment ${len ? row.segmentIds[off] : '-'}${row.docSources ? `, source ${row.docSources[k]}` : ''}${notes.length ? `; ${notes.join('; ')}` : ''}`,
    );
    // Body: runs of text / markers, masked spans wrapped, position jumps marked.
    let body = '';
    let inMasked = false;
    let run: number[] = [];
    const flush = async () => {
      if (run.length) body += await decode(run);
      run = [];
    };
    for (let j = off; j < end; j++) {
      const isMasked = mask ? mask[j] === 0 : false;
      const jump = j > off && pos[j] !== pos[j - 1]! + 1;
      if (isMasked !== inMasked || jump || names.has(ids[j]!)) await flush();
      if (isMasked !== inMasked) {
        body += isMasked ? '‹' : '›';
        inMasked = isMasked;
      }
      if (jump) body += `⤳${pos[j]}`;
      const name = names.get(ids[j]!);
      if (name !== undefined) body += `⟦${name}⟧`;
      else run.push(ids[j]!);
    }
    await flush();
    if (inMasked) body += '›';
    lines.push(`    ${body}`);
    off = end;
  }
  return lines;
}
