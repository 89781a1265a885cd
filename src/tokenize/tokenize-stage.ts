import { Transform, type TransformCallback } from 'node:stream';
import type { Doc } from '../sources/doc.js';
import { applyBosEos, type BosEosPolicy } from './bos-eos-policy.js';
import type { TokenizerEngine } from './engine.js';
import type { TokDoc } from './tok-doc.js';

/** Options of the tokenize stage. */
export interface TokenizeStageOptions {
  policy: BosEosPolicy;
  /** Documents per engine call (default 256). */
  batchDocs?: number;
  /** Characters per engine call (default 1 MiB); a batch closes at whichever limit comes first. */
  batchChars?: number;
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
}

/**
 * The tokenize stage: a Transform from {@link Doc} to {@link TokDoc}. Documents are gathered into
 * batches and sent to `engine.encodeBatch`; the stage waits for each batch before taking more
 * input (backpressure) and emits results in input order. The engine call is the only work done
 * per batch, so a worker pool can stand in for the engine without changing the stage.
 */
export class TokenizeStage extends Transform {
  /** Counters, complete after the stream ends. */
  readonly stats: TokenizeStats = { documents: 0, empty: 0, tokens: 0, chars: 0 };
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
    this.batchChars += doc.text?.length ?? 0;
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
    const encoded = await this.engine.encodeBatch(docs.map((d) => d.text ?? ''));
    for (let i = 0; i < docs.length; i++) {
      const doc = docs[i]!;
      const ids = encoded[i]!;
      this.stats.documents++;
      this.stats.chars += doc.text?.length ?? 0;
      if (ids.length === 0) {
        this.stats.empty++;
        continue;
      }
      const tokens = applyBosEos(ids, this.opts.policy);
      this.stats.tokens += tokens.length;
      const out: TokDoc = { id: doc.id, source: doc.source, tokens };
      this.push(out);
    }
  }
}

/** The tokenize stage as a Node Transform (Doc → TokDoc); see {@link TokenizeStage}. */
export function tokenize(engine: TokenizerEngine, opts: TokenizeStageOptions): TokenizeStage {
  return new TokenizeStage(engine, opts);
}
