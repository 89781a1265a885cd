/**
 * Middle truncation (Index-1.9B-32K report): a document longer than `max` tokens keeps its first
 * `⌈max/2⌉` and its last `⌊max/2⌋` tokens, so both its opening and its ending survive. Returns
 * the input itself when it fits. Used per document, before packing (the `pack` builder's
 * `long_documents: "truncate-middle"`): a built row never exceeds its length, so there is
 * nothing to cut once documents are in rows.
 */
export function truncateMiddle<A extends Int32Array | Uint8Array>(tokens: A, max: number): A {
  if (!Number.isInteger(max) || max < 0) throw new RangeError(`truncateMiddle: max must be a non-negative integer, got ${max}`);
  if (tokens.length <= max) return tokens;
  const head = Math.ceil(max / 2);
  const tail = max - head;
  const out = new (tokens.constructor as { new (n: number): A })(max);
  out.set(tokens.subarray(0, head), 0);
  out.set(tokens.subarray(tokens.length - tail), head);
  return out;
}
