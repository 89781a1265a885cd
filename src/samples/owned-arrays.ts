/**
 * Buffers that belong to one row alone: the row builders allocate each row's arrays afresh
 * (`RowAssembler.take`) and mark them here, so that the shard writer may move them to its
 * thread (a transfer: no copy, the sender's view is emptied) instead of copying them. An array
 * that is not marked (a view into a tokenizer worker's batch of documents, a caller's own array)
 * is copied. A WeakSet, so marking keeps nothing alive.
 */
const owned = new WeakSet<ArrayBufferLike>();

/**
 * Arrays smaller than this are not worth moving: copying them costs less than a transfer, and V8
 * keeps small typed arrays inside the heap until their `.buffer` is asked for.
 */
export const MIN_OWNED_BYTES = 4096;

/** Marks `a`'s buffer as the row's alone when `a` covers all of it (and is not small); returns `a`. */
export function markOwned<T extends Int32Array | Uint8Array>(a: T): T {
  if (a.byteLength >= MIN_OWNED_BYTES && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer) owned.add(a.buffer);
  return a;
}

/** Whether `a` is the whole of a buffer marked with {@link markOwned} (so it may be transferred). */
export function isOwned(a: ArrayBufferView): boolean {
  return a.byteLength >= MIN_OWNED_BYTES && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && owned.has(a.buffer);
}
