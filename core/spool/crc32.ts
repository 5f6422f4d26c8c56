import zlib from "node:zlib";

/**
 * CRC-32 (IEEE, zlib's): Node's own from 20.15 on, a table version before (package.json
 * accepts Node 20.6). `value` chains a CRC over several pieces, as zlib.crc32's does.
 */
export const crc32: (data: Uint8Array, value?: number) => number = typeof zlib.crc32 === "function" ? zlib.crc32 : tableCrc32;

let table: Uint32Array | undefined;

/** The byte-at-a-time table CRC-32; exported so the tests can check it against zlib's. */
export function tableCrc32(data: Uint8Array, value = 0): number {
  const t = (table ??= makeTable());
  let crc = ~value >>> 0;
  for (let i = 0; i < data.length; i++) crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}
