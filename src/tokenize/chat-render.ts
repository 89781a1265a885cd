import type { ChatMessage } from '../sources/doc.js';
import { UserError } from '../util/errors.js';
import { chatTemplate, type ChatPart, type ChatTemplate, type ChatTemplateName } from './chat-template.js';
import type { TokenizerEngine } from './engine.js';

/** A conversation laid out by a template, waiting for its text parts to be encoded. */
export interface RenderedChat {
  parts: ChatPart[];
  /** The text parts to encode, in order (empty texts left out). */
  texts: string[];
}

/** A conversation as tokens with its loss mask (1 = prediction target). */
export interface ChatTokens {
  tokens: Int32Array;
  lossMask: Uint8Array;
}

/**
 * Renders conversations through a {@link ChatTemplate} in two steps around the tokenizer, so
 * that the tokenize stage can encode the text of many documents in one engine call:
 * {@link render} lists the text parts to encode, {@link assemble} joins their tokens with the
 * template's control tokens, inserted by id (looked up once with `engine.tokenToId`). Document
 * text is always encoded as plain text, so a literal `<|eot_id|>` in a message never becomes a
 * control token. Each text part is encoded on its own, so the boundary between a header and the
 * content is always a token boundary and the loss mask is exact.
 */
export class ChatRenderer {
  private constructor(
    readonly template: ChatTemplate,
    private readonly controlIds: ReadonlyMap<string, number>,
  ) {}

  /**
   * The renderer of template `name` for `engine`; throws a {@link UserError} when a control
   * token of the template is not a single token of the tokenizer.
   */
  static create(engine: TokenizerEngine, name: ChatTemplateName): ChatRenderer {
    const template = chatTemplate(name);
    const ids = new Map<string, number>();
    for (const token of template.controls) {
      const id = engine.tokenToId(token);
      if (id === undefined) {
        throw new UserError(
          `tokenizer.chat_template ${name} needs the control token ${token}, which tokenizer ${engine.info.name} does not have; use a matching tokenizer (llama-3: llama3, chatml: qwen3) or the other template`,
        );
      }
      ids.set(token, id);
    }
    return new ChatRenderer(template, ids);
  }

  /** Lays out a conversation: its parts, and the texts that must be encoded. */
  render(messages: readonly ChatMessage[]): RenderedChat {
    const parts: ChatPart[] = [];
    const texts: string[] = [];
    for (const m of messages) {
      for (const p of this.template.turn(m)) {
        if (p.kind === 'text') {
          if (p.text === '') continue;
          texts.push(p.text);
        }
        parts.push(p);
      }
    }
    return { parts, texts };
  }

  /**
   * Joins a rendered conversation into tokens and loss mask. `encoded[i]` are the tokens of
   * `chat.texts[i]`; `bos`, when given, starts the sequence (not a target).
   */
  assemble(chat: RenderedChat, encoded: readonly Int32Array[], bos?: number): ChatTokens {
    if (encoded.length !== chat.texts.length) throw new Error(`ChatRenderer.assemble: ${encoded.length} encodings for ${chat.texts.length} texts`);
    let n = bos === undefined ? 0 : 1;
    let t = 0;
    for (const p of chat.parts) n += p.kind === 'control' ? 1 : encoded[t++]!.length;
    const tokens = new Int32Array(n);
    const lossMask = new Uint8Array(n);
    let at = 0;
    if (bos !== undefined) tokens[at++] = bos;
    t = 0;
    for (const p of chat.parts) {
      if (p.kind === 'control') {
        tokens[at] = this.controlIds.get(p.token)!;
        if (p.target) lossMask[at] = 1;
        at++;
      } else {
        const ids = encoded[t++]!;
        tokens.set(ids, at);
        if (p.target) lossMask.fill(1, at, at + ids.length);
        at += ids.length;
      }
    }
    return { tokens, lossMask };
  }
}
