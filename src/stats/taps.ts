import { Transform, type TransformCallback } from 'node:stream';

/**
 * A pass-through stage that shows every item to `observe` and forwards it unchanged; the
 * pipeline uses taps to count documents, tokens and lengths between stages.
 */
export function tap<T>(observe: (item: T) => void): Transform {
  return new Transform({
    objectMode: true,
    highWaterMark: 16,
    transform(item: T, _enc: BufferEncoding, cb: TransformCallback) {
      try {
        observe(item);
        cb(null, item);
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}
