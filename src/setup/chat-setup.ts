import { ChatRenderer } from '../tokenize/chat-render.js';
import type { TokenizerEngine } from '../tokenize/engine.js';
import { UserError } from '../util/errors.js';
import type { PipelineConfig } from '../config/config-schema.js';

/**
 * The chat renderer of a build: made from `tokenizer.chat_template` when set, else undefined.
 * Throws a {@link UserError} when an input reads conversations (`fields.messages`) but no
 * template is set, or when the tokenizer lacks a control token of the template.
 */
export function chatRendererFor(config: PipelineConfig, engine: TokenizerEngine): ChatRenderer | undefined {
  const template = config.tokenizer.chat_template;
  if (!template) {
    const i = config.inputs.findIndex((input) => input.fields.messages !== undefined);
    if (i >= 0) throw new UserError(`inputs[${i}].fields.messages reads conversations but tokenizer.chat_template is not set; set it to llama-3 or chatml`);
    return undefined;
  }
  return ChatRenderer.create(engine, template);
}
