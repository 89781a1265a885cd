import type { ChatMessage, Doc } from './doc.js';
import { dottedKeyHint, escapeKey, getPath } from './field-path.js';
import { parseMessages } from './messages.js';
import { locate, stableId, type ReaderContext } from './reader-context.js';
import { InvalidUtf8 } from './strict-utf8.js';

const NON_SPACE = /\S/;

/** A name for the type of a field value, for messages (`number`, `null`, `array`, `object`). */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return 'binary';
  return typeof value;
}

/** What a record without its text holds, and how to point skein at the right field. */
export function keysHint(record: Record<string, unknown>, textPath: string): string {
  const keys = Object.keys(record);
  const dotted = dottedKeyHint(textPath, keys);
  if (dotted) return dotted;
  if (keys.length === 0) return 'the record is an empty object';
  const shown = keys.slice(0, 12).map(escapeKey).join(', ') + (keys.length > 12 ? `, ... (${keys.length} keys)` : '');
  // The key with the longest string value is the likeliest text.
  let best: string | undefined;
  for (const k of keys) {
    const v = record[k];
    if (typeof v === 'string' && (best === undefined || v.length > (record[best] as string).length)) best = k;
  }
  const guess = best !== undefined ? ` (e.g. --text-field ${escapeKey(best)})` : '';
  return `the record has the keys ${shown}; name the text field with --text-field or inputs[].fields.text${guess}`;
}

/**
 * Turns one parsed record into a {@link Doc} using the field map of `ctx`, or reports why it
 * cannot: a missing (or null) text is `missing_text`, a text that is not a string is
 * `non_string_text` (both through `ctx.rejects.reject`, which throws under `fail`), and a text
 * with no non-whitespace character is dropped as `empty` (never an error). Returns undefined
 * when the record yields no document.
 *
 * Chat: when the field map names a `messages` field and the record has a non-null value there,
 * the document is that conversation ({@link parseMessages}) instead of a text: a bad shape is
 * rejected as `invalid_messages`, a conversation left with no turn is dropped as `empty`. A
 * record without a conversation falls back to its text (a plain-text row of a chat mix).
 *
 * The id is the record's id field (a string, or a number or bigint turned into a string);
 * when absent or empty it is the stable `file:line` / `file#row`. The source is the source
 * field when it is a non-empty string, else `ctx.sourceName`.
 */
export function recordToDoc(record: Record<string, unknown>, ctx: ReaderContext, at: { line: number } | { row: number }): Doc | undefined {
  const { fields } = ctx;
  let messages: ChatMessage[] | undefined;
  if (fields.messages) {
    const raw = getPath(record, fields.messages);
    if (raw !== undefined && raw !== null) {
      const parsed = parseMessages(raw, fields.messages);
      if (!parsed.ok) {
        ctx.rejects.reject(parsed.reason, locate(ctx, at), parsed.detail);
        return undefined;
      }
      if (parsed.messages.length === 0) {
        ctx.rejects.drop('empty');
        return undefined;
      }
      messages = parsed.messages;
    }
  }
  const textPath = fields.text || 'text';
  const text = messages ? '' : getPath(record, textPath);
  if (text instanceof InvalidUtf8) {
    ctx.rejects.reject('invalid_utf8', locate(ctx, at), `field "${textPath}" is not valid UTF-8 (first bad byte 0x${text.byte.toString(16).padStart(2, '0')} at byte ${text.offset} of the value)`);
    return undefined;
  }
  if (typeof text !== 'string') {
    if (text === undefined || text === null) {
      const orMessages = fields.messages ? ` and no conversation at field "${fields.messages}"` : '';
      ctx.rejects.reject('missing_text', locate(ctx, at), `no text at field "${textPath}"${text === null ? ' (it is null)' : ''}${orMessages}; ${keysHint(record, textPath)}`);
    } else {
      ctx.rejects.reject('non_string_text', locate(ctx, at), `field "${textPath}" is a ${describeType(text)}, not a string`);
    }
    return undefined;
  }
  if (!messages && !NON_SPACE.test(text)) {
    ctx.rejects.drop('empty');
    return undefined;
  }
  const rawId = getPath(record, fields.id || 'id');
  const rawSource = fields.source ? getPath(record, fields.source) : undefined;
  for (const [name, v] of [[fields.id || 'id', rawId], [fields.source, rawSource]] as const) {
    if (v instanceof InvalidUtf8) {
      ctx.rejects.reject('invalid_utf8', locate(ctx, at), `field "${name}" is not valid UTF-8 (first bad byte 0x${v.byte.toString(16).padStart(2, '0')} at byte ${v.offset} of the value)`);
      return undefined;
    }
  }
  let id: string;
  if (typeof rawId === 'string' && rawId !== '') id = rawId;
  else if (typeof rawId === 'number' || typeof rawId === 'bigint') id = String(rawId);
  else id = stableId(ctx, at);
  let source = ctx.sourceName;
  if (fields.source) {
    if (typeof rawSource === 'string' && rawSource !== '') source = rawSource;
  }
  return messages ? { id, messages, source, loc: locate(ctx, at) } : { id, text, source, loc: locate(ctx, at) };
}
