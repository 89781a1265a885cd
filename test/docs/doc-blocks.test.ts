// The extraction behind scripts/check-doc-commands.mjs (which .ci/run runs): every shell block of
// README.md and docs/ is either run or carries a reason, and the markers mean what they say.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT } from '../helpers/corpus.js';
// @ts-expect-error: a plain ESM script without type declarations
import { allBlocks, extractBlocks } from '../../scripts/doc-blocks.mjs';

interface Block {
  file: string;
  line: number;
  lang: string;
  commands: string;
  skip: string | null;
  cloneOnly: string | null;
  omitted: Array<{ command: string; reason: string }>;
}

const extract = extractBlocks as (md: string, file: string) => Block[];

test('README.md and docs/: every shell block runs, or its marker gives a reason', () => {
  const blocks = (allBlocks as (root: string) => Block[])(ROOT);
  assert.ok(blocks.length >= 30, `only ${blocks.length} shell blocks found`);
  const run = blocks.filter((b) => !b.skip);
  // The documented first hour runs: the README's first commands and the training quick start.
  for (const where of ['README.md', 'docs/training.md', 'docs/recipes.md', 'docs/tokenization.md', 'docs/scale-out.md']) {
    assert.ok(run.some((b) => b.file === where), `no block of ${where} runs`);
  }
  for (const b of blocks) {
    assert.notEqual(b.commands, '', `${b.file}:${b.line}: an empty shell block`);
    for (const reason of [b.skip, b.cloneOnly, ...b.omitted.map((o) => o.reason)]) {
      if (reason !== null) assert.ok(reason.length >= 10, `${b.file}:${b.line}: reason "${reason}" says too little`);
    }
    // A block that runs holds no placeholder a shell would choke on or misread.
    if (!b.skip) assert.doesNotMatch(b.commands, /<[a-z][\w ]*>|\[--[\w-]+/, `${b.file}:${b.line}: placeholders in a block that runs`);
  }
});

test('markers: skip, clone-only and omit apply to the next shell block; console blocks run their $ lines only', () => {
  const md = [
    '<!-- skein-doc skip: needs a GPU that CI does not have -->',
    '```sh',
    'npx skein train shards --backend tensorflow-gpu',
    '```',
    'text',
    '<!-- skein-doc clone-only: fixtures/ is a repository path -->',
    '<!-- skein-doc omit "npm test": the suite runs in its own CI step -->',
    '```bash',
    'npx skein stats fixtures/corpus/sotu.jsonl',
    'npm test    # the tests',
    '```',
    '```console',
    '$ npx skein rope-base --head-dim 128',
    'liu: 1.49e5',
    '```',
    '```json',
    '{ "not": "run" }',
    '```',
  ].join('\n');
  const [gpu, stats, rope, ...rest] = extract(md, 'x.md');
  assert.equal(rest.length, 0);
  assert.deepEqual([gpu!.line, gpu!.skip, gpu!.cloneOnly], [2, 'needs a GPU that CI does not have', null]);
  assert.equal(stats!.cloneOnly, 'fixtures/ is a repository path');
  assert.equal(stats!.commands, 'npx skein stats fixtures/corpus/sotu.jsonl');
  assert.deepEqual(stats!.omitted, [{ command: 'npm test', reason: 'the suite runs in its own CI step' }]);
  assert.equal(rope!.commands, 'npx skein rope-base --head-dim 128');
});

test('markers: a reasonless, unknown, stray or mismatched marker is an error, never a silent skip', () => {
  const block = '```sh\nnpx skein build\n```';
  assert.throws(() => extract(`<!-- skein-doc skip -->\n${block}`, 'x.md'), /x\.md:1: bad skein-doc marker/);
  assert.throws(() => extract(`<!-- skein-doc ignore: because -->\n${block}`, 'x.md'), /bad skein-doc marker/);
  assert.throws(() => extract(`<!-- skein-doc skip: a reason -->\nsome prose\n${block}`, 'x.md'), /not followed by a shell block/);
  assert.throws(() => extract(`<!-- skein-doc skip: a reason -->\n\`\`\`json\n{}\n\`\`\``, 'x.md'), /before a json block/);
  assert.throws(() => extract(`<!-- skein-doc omit "npm test": a reason -->\n${block}`, 'x.md'), /omit "npm test": no such line/);
  assert.throws(() => extract('text\n<!-- skein-doc skip: a reason -->', 'x.md'), /at the end of the file/);
  assert.throws(() => extract('```\n$ npx skein doctor\nwasm loads\n```', 'x.md'), /x\.md:1: a block showing "\$ " commands must be tagged console/);
});
