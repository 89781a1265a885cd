import type { RecordLocation } from '../util/errors.js';

/** One chat turn of a conversation document. */
export interface ChatMessage {
  role: string;
  content: string;
}

/** A document as read from an input, before tokenization (docs/architecture.md#items-between-stages). */
export interface Doc {
  /** Stable id: the record's own id field, or `file:line` / `file#row` (with `!member` inside ZIPs). */
  id: string;
  /** The text (plain-text documents). */
  text?: string;
  /** The conversation (chat documents). */
  messages?: ChatMessage[];
  /** Source name (mapped field, or the input's name). */
  source: string;
  /** Where the record was read from. */
  loc: RecordLocation;
  /**
   * The document's token ids, when they were computed where the record was parsed (a tokenizer
   * worker given the raw line block): then `text` and `messages` are not carried back.
   */
  encoded?: DocIds;
  /** With `encoded`: the content's length in code points (a conversation's: UTF-16 units), when asked for. */
  chars?: number;
}

/**
 * A document's token ids before the BOS/EOS policy: a plain text's ids, or a conversation's
 * tokens (its BOS included) with the loss mask (1 on assistant turns).
 */
export type DocIds = { kind: 'text'; ids: Int32Array } | { kind: 'chat'; tokens: Int32Array; lossMask: Uint8Array };

/** Where to find a document's fields in an input record, as dotted paths (`meta.redpajama_set_name`). */
export interface FieldMap {
  /** Path of the text field. Default `text`. */
  text: string;
  /** Path of the id field; absent ids become `file:line` / `file#row`. Default `id`. */
  id?: string;
  /** Path of the source-name field; when absent in a record, the input's name is used. */
  source?: string;
  /**
   * Path of a conversation field (`conversations`, `messages`): an array of `{role, content}`
   * or ShareGPT `{from, value}` turns. Records with a conversation there become chat documents;
   * records without one fall back to `text`.
   */
  messages?: string;
}
