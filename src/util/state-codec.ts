/**
 * A value a resume checkpoint can hold: JSON values plus the typed arrays that carry tokens.
 * Builders and stages describe their carried-over state as a StateValue (see
 * `SampleBuilder.snapshot`), and the checkpoint writer stores it as JSON with the typed arrays
 * in a binary side file (tokens as base64 JSON would be 4/3 larger and slow to parse).
 */
export type StateValue =
  | null
  | boolean
  | number
  | string
  | Int32Array
  | Uint8Array
  | StateValue[]
  | { [key: string]: StateValue | undefined };

/** Where a typed array sits in the binary side file: `{ $blob: [offset, length, type] }`. */
interface BlobRef {
  $blob: [number, number, 'i32' | 'u8'];
}

/** The JSON part and the binary parts of an encoded {@link StateValue}. */
export interface EncodedState {
  json: unknown;
  /** Byte chunks of the side file, in order; their offsets are 8-byte aligned. */
  chunks: Uint8Array[];
  /** Total bytes of the side file. */
  bytes: number;
}

/** Encodes a value: typed arrays are replaced by references into the side file. */
export function encodeState(value: StateValue): EncodedState {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const pad = new Uint8Array(8);
  const walk = (v: StateValue | undefined): unknown => {
    if (v instanceof Int32Array || v instanceof Uint8Array) {
      const ref: BlobRef = { $blob: [bytes, v.length, v instanceof Int32Array ? 'i32' : 'u8'] };
      const raw = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      chunks.push(raw);
      bytes += raw.byteLength;
      const extra = (8 - (bytes % 8)) % 8;
      if (extra) {
        chunks.push(pad.subarray(0, extra));
        bytes += extra;
      }
      return ref;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = walk(x);
      return o;
    }
    return v;
  };
  return { json: walk(value), chunks, bytes };
}

/** Decodes what {@link encodeState} produced, given the side file's bytes (typed arrays are copied out). */
export function decodeState(json: unknown, side: Uint8Array): StateValue {
  const walk = (v: unknown): StateValue => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const ref = (v as Partial<BlobRef>).$blob;
      if (ref && Object.keys(v).length === 1) {
        const [offset, length, type] = ref;
        const size = type === 'i32' ? 4 : 1;
        if (offset + length * size > side.byteLength) throw new Error(`checkpoint side file is too short (${side.byteLength} bytes, needs ${offset + length * size})`);
        const copy = new Uint8Array(side.subarray(offset, offset + length * size));
        return type === 'i32' ? new Int32Array(copy.buffer, copy.byteOffset, length) : copy;
      }
      const o: Record<string, StateValue> = {};
      for (const [k, x] of Object.entries(v)) o[k] = walk(x);
      return o;
    }
    return v as StateValue;
  };
  return walk(json);
}
