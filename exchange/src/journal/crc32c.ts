/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of iSCSI, ext4 metadata and
 * Kafka record batches. Slicing-by-8: eight 256-entry tables let the loop consume eight bytes per
 * step, several times faster in V8 than the byte-at-a-time form while staying pure and dependency-free.
 */

const POLY = 0x82f63b78;

// TABLES[k * 256 + b] is the CRC contribution of byte b followed by k zero bytes.
const TABLES = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[b] = c;
  }
  for (let k = 1; k < 8; k++) {
    for (let b = 0; b < 256; b++) {
      const prev = t[(k - 1) * 256 + b]!;
      t[k * 256 + b] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
}

/**
 * CRC-32C of `data[start, end)`. Pass a previous result as `seed` to continue it over more bytes:
 * `crc32c(b, 0, b.length, crc32c(a))` equals the CRC of `a` followed by `b`.
 * Returns an unsigned 32-bit integer.
 */
export function crc32c(data: Uint8Array, start = 0, end = data.length, seed = 0): number {
  const t = TABLES;
  let c = ~seed;
  let i = start;
  const end8 = end - 8;
  while (i <= end8) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    c =
      t[1792 + (c & 0xff)]! ^
      t[1536 + ((c >>> 8) & 0xff)]! ^
      t[1280 + ((c >>> 16) & 0xff)]! ^
      t[1024 + (c >>> 24)]! ^
      t[768 + data[i + 4]!]! ^
      t[512 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
    i += 8;
  }
  while (i < end) c = t[(c ^ data[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
