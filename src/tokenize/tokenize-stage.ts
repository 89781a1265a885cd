import { Transform, type TransformCallback } from 'node:stream';
import type { Doc } from '../sources/doc.js';
import { applyBosEos, type BosEosPolicy } from './bos-eos-policy.js';
import type { ChatRenderer } from './chat-render.js';
import { docChars, encodeDocs, type EncodedDoc } from './encode-docs.js';
import type { TokenizerEngine } from './engine.js';
import type { TokDoc } from './tok-doc.js';

/** Options of the tokenize stage. */
export interface TokenizeStageOptions {
  policy: BosEosPolicy;
  /** Documents per engine call (default 256). */
  batchDocs?: number;
  /** Characters per engine call (default 1 MiB); a batch closes at whichever limit comes first. */
  batchChars?: number;
  /**
   * Renders conversations (documents with `messages`): tokens get the policy's BOS but never an
   * EOS (the template's end-of-turn token ends them) and a loss mask (1 on assistant turns).
   */
  chat?: ChatRenderer;
  /** Conversations longer than this many tokens are dropped whole (counted in `tooLong`), never truncated. */
  maxChatTokens?: number;
}

/** Counters of the tokenize stage, read into the manifest. */
export interface TokenizeStats {
  /** Documents received. */
  documents: number;
  /** Documents that tokenized to no token at all (dropped as `empty`). */
  empty: number;
  /** Tokens emitted (BOS/EOS included). */
  tokens: number;
  /** Characters received. */
  chars: number;
  /** Conversations dropped because they exceed `maxChatTokens` (manifest reason `too_long`). */
  tooLong: number;
}

/**
 * The tokenize stage: a Transform from {@link Doc} to {@link TokDoc}. Documents are gathered into
 * batches and sent to `engine.encodeBatch`; the stage waits for each batch before taking more
 * input (backpressure) and emits results in input order. The engine call is the only work done
 * per batch, so a worker pool can stand in for the engine without changing the stage.
 * Conversations (documents with `messages`) are rendered through `opts.chat` in the same engine
 * call ({@link encodeDocs}) and come out with a loss mask.
 */
export class TokenizeStage extends Transform {
  /** Counters, complete after the stream ends. */
  readonly stats: TokenizeStats = { documents: 0, empty: 0, tokens: 0, chars: 0, tooLong: 0 };
  private batch: Doc[] = [];
  private batchChars = 0;
  private readonly maxDocs: number;
  private readonly maxChars: number;

  constructor(
    private readonly engine: TokenizerEngine,
    private readonly opts: TokenizeStageOptions,
  ) {
    super({ objectMode: true, highWaterMark: 16 });
    this.maxDocs = opts.batchDocs ?? 256;
    this.maxChars = opts.batchChars ?? 1 << 20;
  }

  override _transform(doc: Doc, _enc: BufferEncoding, cb: TransformCallback): void {
    this.batch.push(doc);
    this.batchChars += docChars(doc);
    if (this.batch.length >= this.maxDocs || this.batchChars >= this.maxChars) this.flushBatch().then(() => cb(), cb);
    else cb();
  }

  override _flush(cb: TransformCallback): void {
    this.flushBatch().then(() => cb(), cb);
  }

  private async flushBatch(): Promise<void> {
    if (this.batch.length === 0) return;
    const docs = this.batch;
    this.batch = [];
    this.batchChars = 0;
    const encoded = await encodeDocs(this.engine, docs, this.opts.chat, this.opts.policy.bos);
    for (let i = 0; i < docs.length; i++) {
      const doc = docs[i]!;
      this.stats.documents++;
      this.stats.chars += docChars(doc);
      const r = tokenizeOutcome(doc, encoded[i]!, this.opts);
      if ('drop' in r) {
        if (r.drop === 'too_long') this.stats.tooLong++;
        else this.stats.empty++;
        continue;
      }
      this.stats.tokens += r.doc.tokens.length;
      this.push(r.doc);
    }
  }
}

/** What the tokenize stage makes of one document: its {@link TokDoc}, or why it is dropped. */
export type TokenizeOutcome = { doc: TokDoc } | { drop: 'empty' | 'too_long' };

/**
 * The per-document rule of {@link TokenizeStage}, for callers that encode batches themselves
 * (the resumable run loop, which needs each document's outcome at its position): a plain
 * text's ids get the policy's BOS/EOS and are dropped as `empty` when there are none; a
 * conversation keeps its tokens and loss mask and is dropped as `too_long` past `maxChatTokens`.
 */
export function tokenizeOutcome(doc: Doc, enc: EncodedDoc, opts: TokenizeStageOptions): TokenizeOutcome {
  if (enc.kind === 'chat') {
    if (opts.maxChatTokens !== undefined && enc.tokens.length > opts.maxChatTokens) return { drop: 'too_long' };
    return { doc: { id: doc.id, source: doc.source, tokens: enc.tokens, lossMask: enc.lossMask } };
  }
  if (enc.ids.length === 0) return { drop: 'empty' };
  return { doc: { id: doc.id, source: doc.source, tokens: applyBosEos(enc.ids, opts.policy) } };
}

/** The tokenize stage as a Node Transform (Doc → TokDoc); see {@link TokenizeStage}. */
export function tokenize(engine: TokenizerEngine, opts: TokenizeStageOptions): TokenizeStage {
  return new TokenizeStage(engine, opts);
}
