import zlib from 'node:zlib';

let table: Uint32Array | undefined;

/** CRC-32 (ISO 3309, as gzip and ZIP use) in JavaScript, for Node versions without `zlib.crc32` (before 20.15). */
function crc32Js(bytes: Uint8Array, prev = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = (prev ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** The CRC-32 of `bytes`, continuing from `prev` (the CRC of the bytes before them). */
export const crc32: (bytes: Uint8Array, prev?: number) => number = native ?? crc32Js;

/** The JavaScript CRC-32, exported so tests can check it against `zlib.crc32`. */
export { crc32Js };
