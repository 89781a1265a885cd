import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { Tokenizer } from 'tokenizers';
import type { ChatMessage, Doc } from '../../src/sources/doc.js';
import { parseMessages } from '../../src/sources/messages.js';
import { ChatRenderer } from '../../src/tokenize/chat-render.js';
import { chatTemplate, type ChatTemplateName } from '../../src/tokenize/chat-template.js';
import type { TokenizerEngine } from '../../src/tokenize/engine.js';
import { encodeDocs } from '../../src/tokenize/encode-docs.js';
import { loadTokenizer } from '../../src/tokenize/load-tokenizer.js';
import { resolveTokenizer } from '../../src/tokenize/resolve-tokenizer.js';
import type { TokDoc } from '../../src/tokenize/tok-doc.js';
import { TokenizeStage } from '../../src/tokenize/tokenize-stage.js';

const conv: ChatMessage[] = [
  { role: 'user', content: 'What did the 1797 address say?' },
  { role: 'assistant', content: 'It spoke of the contagious sickness in Philadelphia.' },
  { role: 'user', content: 'And then?' },
  { role: 'assistant', content: 'A literal <|eot_id|> and <|im_end|> stay plain text.' },
];

test('parseMessages: {role, content}, ShareGPT {from, value}, a leading non-user turn dropped, bad shapes named', () => {
  assert.deepEqual(parseMessages([{ role: 'user', content: 'a' }, { role: 'assistant', content: '' }], 'm'), {
    ok: true,
    messages: [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: '' },
    ],
  });
  assert.deepEqual(parseMessages([{ from: 'system', value: 's' }, { from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }], 'c'), {
    ok: true,
    messages: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
    ],
  });
  assert.deepEqual(parseMessages([{ role: 'assistant', content: 'hi' }], 'm'), { ok: true, messages: [] });
  const bad: Array<[unknown, RegExp]> = [
    ['text', /field "m" is a string, not an array/],
    [[1], /m\[0\] is a number/],
    [[{ role: 'user' }], /m\[0\]\.content is missing/],
    [[{ role: 'user', content: null }], /m\[0\]\.content is a null/],
    [[{ role: '', content: 'x' }], /m\[0\]\.role is empty/],
  ];
  for (const [v, re] of bad) {
    const r = parseMessages(v, 'm');
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.reason, 'invalid_messages');
      assert.match(r.detail, re);
    }
  }
});

/** Renders a conversation with skein's renderer on a real tokenizer. */
async function renderReal(name: string, template: ChatTemplateName, messages: ChatMessage[]) {
  const engine = await loadTokenizer({ name });
  const chat = ChatRenderer.create(engine, template);
  const [enc] = await encodeDocs(engine, [{ id: 'x', messages, source: 's', loc: { file: 'f' } }], chat, engine.info.specialIds.bos);
  assert.equal(enc!.kind, 'chat');
  if (enc!.kind !== 'chat') throw new Error('unreachable');
  return { engine, ...enc! };
}

/** The decoded text of the target tokens, span by span. */
async function targetSpans(engine: TokenizerEngine, tokens: Int32Array, mask: Uint8Array): Promise<string[]> {
  const spans: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    if (!mask[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < tokens.length && mask[j]) j++;
    spans.push(await engine.decode(tokens.subarray(i, j)));
    i = j;
  }
  return spans;
}

test('llama-3 template: the exact §7.3 string, control tokens by id, loss on assistant content + <|eot_id|>', async () => {
  const { engine, tokens, lossMask } = await renderReal('llama3', 'llama-3', conv);
  const turn = (r: string, c: string) => `<|start_header_id|>${r}<|end_header_id|>\n\n${c}<|eot_id|>`;
  const expected = `<|begin_of_text|>${conv.map((m) => turn(m.role, m.content)).join('')}`;
  assert.equal(await engine.decode(tokens), expected);
  assert.equal(tokens[0], 128000);
  // Control tokens appear only where the template puts them: 4 headers and 4 turn ends.
  assert.equal(tokens.filter((t) => t === 128009).length, 4, 'the literal <|eot_id|> in a message is not a control token');
  assert.equal(tokens.filter((t) => t === 128006).length, 4);
  assert.deepEqual(await targetSpans(engine, tokens, lossMask), [`${conv[1]!.content}<|eot_id|>`, `${conv[3]!.content}<|eot_id|>`]);
  // The reference tokenizes the whole string with special tokens recognized; on ordinary content
  // the token sequence is the same.
  const plain = conv.slice(0, 3);
  const ours = await renderReal('llama3', 'llama-3', plain);
  const loc = resolveTokenizer('llama3');
  if (loc.kind !== 'tokenizer.json') throw new Error('llama3 is a tokenizer.json');
  const full = Tokenizer.fromFile(loc.file);
  const ref = await full.encode(`<|begin_of_text|>${plain.map((m) => turn(m.role, m.content)).join('')}`, null, { addSpecialTokens: false });
  assert.deepEqual(Array.from(ours.tokens), ref.getIds());
});

test('an empty assistant message (a deliberate difference from the reference): its turn is rendered whole and its <|eot_id|> is a target; later turns are trained as usual', async () => {
  const messages: ChatMessage[] = [
    { role: 'user', content: 'Say nothing.' },
    { role: 'assistant', content: '' },
    { role: 'user', content: 'Now answer: which year?' },
    { role: 'assistant', content: 'The year 1797.' },
  ];
  const { engine, tokens, lossMask } = await renderReal('llama3', 'llama-3', messages);
  // The reference's template writes an empty message as a bare header (no <|eot_id|>), and its
  // mask then stops at that turn, leaving the rest of the conversation untrained; skein renders
  // the turn whole and teaches the model to end an empty answer.
  assert.equal(
    await engine.decode(tokens),
    '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nSay nothing.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nNow answer: which year?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nThe year 1797.<|eot_id|>',
  );
  assert.deepEqual(await targetSpans(engine, tokens, lossMask), ['<|eot_id|>', 'The year 1797.<|eot_id|>']);
  const chatml = await renderReal('qwen3', 'chatml', messages);
  assert.deepEqual(await targetSpans(chatml.engine, chatml.tokens, chatml.lossMask), ['<|im_end|>', 'The year 1797.<|im_end|>']);
});

test('chatml template (Qwen): <|im_start|>role\\ncontent<|im_end|>\\n, loss on assistant content + <|im_end|>', async () => {
  const { engine, tokens, lossMask } = await renderReal('qwen3', 'chatml', conv);
  const expected = conv.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('');
  assert.equal(await engine.decode(tokens), expected);
  const imEnd = engine.tokenToId('<|im_end|>')!;
  assert.equal(tokens.filter((t) => t === imEnd).length, 4);
  assert.deepEqual(await targetSpans(engine, tokens, lossMask), [`${conv[1]!.content}<|im_end|>`, `${conv[3]!.content}<|im_end|>`]);
});

test('a template whose control tokens the tokenizer lacks is a user error naming the key', async () => {
  const engine = await loadTokenizer({ name: 'o200k_base' });
  assert.throws(() => ChatRenderer.create(engine, 'llama-3'), /tokenizer\.chat_template llama-3 needs the control token <\|start_header_id\|>/);
});

/** A fake engine: one token per UTF-16 unit (id = code + 1000); control tokens 1…5. */
const CONTROLS = ['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>', '<|im_start|>', '<|im_end|>'];
const fake: TokenizerEngine = {
  info: { name: 'fake', kind: 'tokenizer.json', source: 'test', vocabSize: 70_000, specialIds: { bos: 7 }, sha256: '', engine: 'fake' },
  engineKind: 'skein-bpe',
  async encodeBatch(texts) {
    return texts.map((t) => Int32Array.from(t, (c) => c.charCodeAt(0) + 1000));
  },
  async decode(ids) {
    return String.fromCharCode(...Array.from(ids, (i) => i - 1000));
  },
  decodeSync: (ids) => String.fromCharCode(...Array.from(ids, (i) => i - 1000)),
  idToToken: () => undefined,
  tokenToId: (t) => (CONTROLS.includes(t) ? CONTROLS.indexOf(t) + 1 : undefined),
  addTokens: () => {
    throw new Error('the fake engine registers no tokens');
  },
  addedTokens: () => ({}),
  specialTokens: () => Object.fromEntries(CONTROLS.map((t, i) => [t, i + 1])),
};

test('property: for random conversations the mask is 1 exactly on assistant content and its end-of-turn token', async () => {
  const roleArb = fc.constantFrom('user', 'assistant', 'system', 'tool');
  const msgArb = fc.record({ role: roleArb, content: fc.string({ maxLength: 12 }) });
  await fc.assert(
    fc.asyncProperty(fc.array(msgArb, { minLength: 1, maxLength: 8 }), fc.constantFrom<ChatTemplateName>('llama-3', 'chatml'), async (messages, name) => {
      const chat = ChatRenderer.create(fake, name);
      const [enc] = await encodeDocs(fake, [{ id: 'x', messages, source: 's', loc: { file: 'f' } }], chat, 7);
      if (enc!.kind !== 'chat') throw new Error('expected a conversation');
      // Expected mask, built independently from the template definition.
      const want: number[] = [0];
      const tok: number[] = [7];
      const eot = name === 'llama-3' ? 3 : 5;
      for (const m of messages) {
        const a = m.role === 'assistant' ? 1 : 0;
        const header = name === 'llama-3' ? [1, ...Array.from(m.role, (c) => c.charCodeAt(0) + 1000), 2, 1010, 1010] : [4, ...Array.from(`${m.role}\n`, (c) => c.charCodeAt(0) + 1000)];
        tok.push(...header, ...Array.from(m.content, (c) => c.charCodeAt(0) + 1000), eot, ...(name === 'chatml' ? [1010] : []));
        want.push(...header.map(() => 0), ...Array.from(m.content, () => a), a, ...(name === 'chatml' ? [0] : []));
      }
      assert.deepEqual(Array.from(enc!.tokens), tok);
      assert.deepEqual(Array.from(enc!.lossMask), want);
      const targets = enc!.lossMask.reduce((s, v) => s + v, 0);
      const assistant = messages.filter((m) => m.role === 'assistant').reduce((s, m) => s + m.content.length + 1, 0);
      assert.equal(targets, assistant);
      assert.equal(chatTemplate(name).name, name);
    }),
    { numRuns: 2000 },
  );
});

test('tokenize stage: conversations get BOS, a mask and no EOS; over-long ones are dropped whole; text documents are unchanged', async () => {
  const stage = new TokenizeStage(fake, { policy: { bos: 7, eos: 9 }, chat: ChatRenderer.create(fake, 'llama-3'), maxChatTokens: 40 });
  const docs: Doc[] = [
    { id: 'a', source: 's', loc: { file: 'f' }, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo' }] },
    { id: 'b', source: 's', loc: { file: 'f' }, text: 'plain' },
    { id: 'c', source: 's', loc: { file: 'f' }, messages: [{ role: 'user', content: 'x'.repeat(40) }, { role: 'assistant', content: 'y' }] },
  ];
  const out: TokDoc[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from(docs).pipe(stage).on('data', (d: TokDoc) => out.push(d)).on('end', resolve).on('error', reject);
  });
  assert.deepEqual(out.map((d) => d.id), ['a', 'b']);
  assert.equal(out[0]!.tokens[0], 7);
  assert.equal(out[0]!.tokens.at(-1), 3, 'a conversation ends with its end-of-turn token, no EOS');
  assert.equal(out[0]!.lossMask!.reduce((s, v) => s + v, 0), 3);
  assert.deepEqual(Array.from(out[1]!.tokens), [7, ...Array.from('plain', (c) => c.charCodeAt(0) + 1000), 9]);
  assert.equal(out[1]!.lossMask, undefined);
  assert.equal(stage.stats.tooLong, 1);
  assert.equal(stage.stats.documents, 3);
});
