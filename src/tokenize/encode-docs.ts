import type { Doc, DocIds } from '../sources/doc.js';
import { codePoints } from '../util/code-points.js';
import { UserError } from '../util/errors.js';
import type { ChatRenderer, RenderedChat } from './chat-render.js';
import type { TokenizerEngine } from './engine.js';

/** One encoded document: a plain text's ids (no BOS/EOS yet), or a conversation's tokens with its loss mask. */
export type EncodedDoc = DocIds;

/** Characters of a document's content (its text, or the sum of its messages' contents). */
export function docChars(doc: Doc): number {
  if (doc.messages) {
    let n = 0;
    for (const m of doc.messages) n += m.content.length;
    return n;
  }
  return doc.text?.length ?? 0;
}

/**
 * A document's length as the mixer's `chars` estimate counts it: a text's code points (Python's
 * `len`), a conversation's UTF-16 units; for a document encoded where it was parsed, the count
 * computed there (`doc.chars`).
 */
export function mixChars(doc: Doc): number {
  if (doc.encoded) return doc.chars ?? 0;
  return doc.messages ? docChars(doc) : codePoints(doc.text ?? '');
}

/** Tokens of a document's ids (before BOS/EOS). */
export function idsLength(ids: DocIds): number {
  return ids.kind === 'text' ? ids.ids.length : ids.tokens.length;
}

/**
 * Encodes a batch of documents with one `engine.encodeBatch` call: a plain document contributes
 * its text; a conversation is rendered by `chat` and contributes its text parts, then is
 * assembled with the template's control tokens and `bos` in front (see {@link ChatRenderer}).
 * Results are in input order. A conversation without a renderer is a {@link UserError}.
 */
export async function encodeDocs(engine: TokenizerEngine, docs: readonly Doc[], chat: ChatRenderer | undefined, bos?: number): Promise<EncodedDoc[]> {
  const texts: string[] = [];
  const rendered: Array<RenderedChat | undefined> = [];
  for (const doc of docs) {
    if (doc.messages) {
      if (!chat) throw new UserError(`document ${doc.id} is a conversation but no chat template is set; set tokenizer.chat_template (llama-3 or chatml)`);
      const r = chat.render(doc.messages);
      rendered.push(r);
      texts.push(...r.texts);
    } else {
      rendered.push(undefined);
      texts.push(doc.text ?? '');
    }
  }
  const encoded = texts.length ? await engine.encodeBatch(texts) : [];
  const out: EncodedDoc[] = [];
  let at = 0;
  for (const r of rendered) {
    if (r) {
      const n = r.texts.length;
      out.push({ kind: 'chat', ...chat!.assemble(r, encoded.slice(at, at + n), bos) });
      at += n;
    } else {
      out.push({ kind: 'text', ids: encoded[at++]! });
    }
  }
  return out;
}
