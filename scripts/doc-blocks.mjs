// Extracts the shell blocks of the project's Markdown (README.md, docs/*.md) with what each one's
// `skein-doc` marker says about running it. scripts/check-doc-commands.mjs runs them; a unit test
// checks that every block either runs or carries a reason.
//
// A shell block is a fence tagged sh, bash, shell or console. In sh/bash/shell blocks every line
// is a command (with its comments); in console blocks only lines beginning with "$ " are commands
// and the rest is output (a plain or text block showing "$ " lines is an error: tag it console).
// HTML comments on the lines right before the fence decide how it runs:
//
//   <!-- skein-doc skip: REASON -->          not run anywhere (placeholders, GPUs, downloads, hours)
//   <!-- skein-doc clone-only: REASON -->    run in the fresh clone, not in an `npm install skein` project
//   <!-- skein-doc omit "COMMAND": REASON --> run the block without the line that is exactly COMMAND
//                                            (its trailing `# comment` aside)
//
// A marker without a reason, an unknown marker, or an omit whose command is not in the block is an
// error: nothing is skipped silently.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Fence languages whose blocks are commands. */
export const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console']);

const MARKER = /^<!--\s*skein-doc\s+(.*?)\s*-->$/;
const DIRECTIVE = /^(skip|clone-only|omit\s+"([^"]+)")\s*:\s*(\S.*)$/;

/** A command line with its trailing shell comment removed (quotes respected only roughly: `#` after a space). */
function stripComment(line) {
  return line.replace(/\s+#.*$/, '').trim();
}

/**
 * The shell blocks of one Markdown text, in order: `{ file, line, lang, commands, skip, cloneOnly,
 * omitted }`, where `commands` is the script to run (omitted lines removed), `skip` / `cloneOnly`
 * the marker's reason (or null) and `omitted` the `{ command, reason }` pairs left out.
 */
export function extractBlocks(markdown, file) {
  const lines = markdown.split('\n');
  const blocks = [];
  let pending = [];
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    const marker = MARKER.exec(trimmed);
    if (marker) {
      const d = DIRECTIVE.exec(marker[1]);
      if (!d) throw new Error(`${file}:${i + 1}: bad skein-doc marker "${marker[1]}" (skip: REASON, clone-only: REASON or omit "COMMAND": REASON)`);
      pending.push({ kind: d[2] ? 'omit' : d[1], command: d[2], reason: d[3], line: i + 1 });
      continue;
    }
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!fence) {
      if (trimmed !== '' && pending.length > 0) {
        throw new Error(`${file}:${pending[0].line}: skein-doc marker not followed by a shell block`);
      }
      continue;
    }
    // Find the closing fence (same characters, at least as long).
    const close = new RegExp(`^\\s*${fence[2][0]}{${fence[2].length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end])) end++;
    const body = lines.slice(i + 1, end).map((l) => l.slice(Math.min(fence[1].length, l.length - l.trimStart().length)));
    const lang = fence[3].toLowerCase();
    if (SHELL_LANGS.has(lang)) {
      blocks.push(makeBlock(file, i + 1, lang, body, pending));
    } else if ((lang === '' || lang === 'text') && body.some((l) => l.startsWith('$ '))) {
      throw new Error(`${file}:${i + 1}: a block showing "$ " commands must be tagged console (its $ lines then run)`);
    } else if (pending.length > 0) {
      throw new Error(`${file}:${pending[0].line}: skein-doc marker before a ${lang || 'plain'} block, which is never run`);
    }
    pending = [];
    i = end;
  }
  if (pending.length > 0) throw new Error(`${file}:${pending[0].line}: skein-doc marker at the end of the file`);
  return blocks;
}

function makeBlock(file, line, lang, body, markers) {
  let script = lang === 'console' ? body.filter((l) => l.startsWith('$ ')).map((l) => l.slice(2)) : body;
  const omitted = [];
  let skip = null;
  let cloneOnly = null;
  for (const m of markers) {
    if (m.kind === 'skip') skip = m.reason;
    else if (m.kind === 'clone-only') cloneOnly = m.reason;
    else {
      const before = script.length;
      script = script.filter((l) => stripComment(l) !== m.command);
      if (script.length === before) throw new Error(`${file}:${m.line}: omit "${m.command}": no such line in the block at line ${line}`);
      omitted.push({ command: m.command, reason: m.reason });
    }
  }
  return { file, line, lang, commands: script.join('\n').trim(), skip, cloneOnly, omitted };
}

/** The Markdown files whose commands are checked, in reading order: README.md, then docs/*.md by name. */
export function docFiles(root) {
  const docs = readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** Every shell block of the checked files under `root`, in order. */
export function allBlocks(root) {
  return docFiles(root).flatMap((f) => extractBlocks(readFileSync(path.join(root, f), 'utf8'), f));
}
