/** CRC-32 (IEEE 802.3, the zlib and PNG polynomial), one table built on first use. */
let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  const out = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    out[n] = c >>> 0;
  }
  return out;
}

/** The CRC-32 of `bytes` as an unsigned integer (what zlib's `crc32` and `buffer-crc32`'s `unsigned` return). */
export function crc32(bytes: Uint8Array): number {
  table ??= crcTable();
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
