import type { ChatMessage } from './doc.js';
import { InvalidUtf8 } from './strict-utf8.js';

/** ShareGPT speaker names mapped to the roles chat templates use; other names are kept as they are. */
export const SHAREGPT_ROLES: Readonly<Record<string, string>> = { human: 'user', gpt: 'assistant' };

/** A conversation read from a record, or why it cannot be read. */
export type ParsedMessages =
  | { ok: true; messages: ChatMessage[] }
  | { ok: false; reason: 'invalid_messages' | 'invalid_utf8'; detail: string };

/** A name for the type of a value, for messages (`null`, `array`, `object`, `number`...). */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Reads a conversation value (the field named by `fields.messages`): an array of turns, each
 * `{role, content}` (OpenAI / HF style) or `{from, value}` (ShareGPT, where `human` becomes
 * `user` and `gpt` becomes `assistant`). Role and content must be strings (content may be
 * empty). As the Llama-3-80K reference does (`src/data.py`), a leading turn whose role is not
 * `user` (a system prompt, a greeting by the assistant) is dropped, so the returned list may be
 * empty: the caller treats that as an empty document.
 *
 * `path` names the field in error details.
 */
export function parseMessages(value: unknown, path: string): ParsedMessages {
  if (!Array.isArray(value)) {
    return { ok: false, reason: 'invalid_messages', detail: `field "${path}" is a ${typeName(value)}, not an array of {role, content} turns` };
  }
  const messages: ChatMessage[] = [];
  for (let i = 0; i < value.length; i++) {
    const turn: unknown = value[i];
    const where = `${path}[${i}]`;
    if (typeof turn !== 'object' || turn === null || Array.isArray(turn)) {
      return { ok: false, reason: 'invalid_messages', detail: `${where} is a ${typeName(turn)}, not a {role, content} object` };
    }
    const t = turn as Record<string, unknown>;
    const shareGpt = !('role' in t) && !('content' in t) && ('from' in t || 'value' in t);
    const roleKey = shareGpt ? 'from' : 'role';
    const contentKey = shareGpt ? 'value' : 'content';
    const role = t[roleKey];
    const content = t[contentKey];
    for (const [key, v] of [[roleKey, role], [contentKey, content]] as const) {
      if (v instanceof InvalidUtf8) {
        return { ok: false, reason: 'invalid_utf8', detail: `${where}.${key} is not valid UTF-8 (first bad byte 0x${v.byte.toString(16).padStart(2, '0')} at byte ${v.offset} of the value)` };
      }
      if (typeof v !== 'string') {
        return { ok: false, reason: 'invalid_messages', detail: `${where}.${key} is ${v === undefined ? 'missing' : `a ${typeName(v)}`}, not a string` };
      }
    }
    if (role === '') return { ok: false, reason: 'invalid_messages', detail: `${where}.${roleKey} is empty` };
    const r = role as string;
    messages.push({ role: shareGpt && Object.hasOwn(SHAREGPT_ROLES, r) ? SHAREGPT_ROLES[r]! : r, content: content as string });
  }
  if (messages.length > 0 && messages[0]!.role !== 'user') messages.shift();
  return { ok: true, messages };
}
