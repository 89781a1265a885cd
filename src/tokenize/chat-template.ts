import type { ChatMessage } from '../sources/doc.js';

/** The chat templates skein renders (config key `tokenizer.chat_template`). */
export const CHAT_TEMPLATES = ['llama-3', 'chatml'] as const;
/** Name of a chat template skein renders. */
export type ChatTemplateName = (typeof CHAT_TEMPLATES)[number];

/**
 * One piece of a rendered conversation: `text` is encoded as plain text (never turned into a
 * control token, whatever it contains); `control` is a control token inserted by its id.
 * `target` marks the pieces whose tokens are prediction targets (loss mask 1).
 */
export type ChatPart = { kind: 'text'; text: string; target: boolean } | { kind: 'control'; token: string; target: boolean };

/** A chat template: the control tokens it needs and how one turn is laid out. */
export interface ChatTemplate {
  readonly name: ChatTemplateName;
  /** Control tokens the template inserts; each must be a single token of the vocabulary. */
  readonly controls: readonly string[];
  /** The parts of one turn; the assistant's content and end-of-turn token are the targets. */
  turn(message: ChatMessage): ChatPart[];
}

const text = (t: string, target = false): ChatPart => ({ kind: 'text', text: t, target });
const control = (token: string, target = false): ChatPart => ({ kind: 'control', token, target });

/**
 * Llama-3 (Llama-3-8B-Instruct-80K reference, `src/chat.py`, docs/recipes.md#llama-3-8b-instruct-80k-chat-sft): each turn is
 * `<|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>`; the BOS comes from the
 * tokenizer policy, no system turn is added. Loss on the assistant content and its `<|eot_id|>`.
 */
export const LLAMA3_TEMPLATE: ChatTemplate = {
  name: 'llama-3',
  controls: ['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'],
  turn({ role, content }) {
    const a = role === 'assistant';
    return [control('<|start_header_id|>'), text(role), control('<|end_header_id|>'), text('\n\n'), text(content, a), control('<|eot_id|>', a)];
  },
};

/**
 * ChatML (Qwen): each turn is `<|im_start|>{role}\n{content}<|im_end|>\n`; no default system
 * prompt is added. Loss on the assistant content and its `<|im_end|>` (not the newline after it).
 */
export const CHATML_TEMPLATE: ChatTemplate = {
  name: 'chatml',
  controls: ['<|im_start|>', '<|im_end|>'],
  turn({ role, content }) {
    const a = role === 'assistant';
    return [control('<|im_start|>'), text(`${role}\n`), text(content, a), control('<|im_end|>', a), text('\n')];
  },
};

/** The template of a name. */
export function chatTemplate(name: ChatTemplateName): ChatTemplate {
  return name === 'llama-3' ? LLAMA3_TEMPLATE : CHATML_TEMPLATE;
}
