import { createHash } from 'node:crypto';
import { crc32c } from '../crc32c.ts';

/**
 * Snapshot file, little-endian:
 *
 *   offset  size  field
 *        0     4  magic "BSNP"
 *        4     4  format version (1)
 *        8     8  seq: the last command the state includes (u64)
 *       16     8  ts: when it was taken, ms since the epoch (u64)
 *       24     8  body length in bytes (u64)
 *       32     4  chunk size in bytes of the CRC table
 *       36     4  CRC-32C of bytes [0, 36)
 *       40    32  SHA-256 of the body
 *       72   4*k  CRC-32C of each body chunk, k = ceil(body length / chunk size)
 *        …     n  body, opaque bytes from the engine
 *
 * The SHA-256 decides whether a snapshot is good. The chunk CRCs only locate the damage, so that a
 * report can name the byte offset of the bad chunk rather than just "hash mismatch".
 */
export const SNAPSHOT_FORMAT_VERSION = 1;
export const SNAPSHOT_HEADER_BYTES = 72;
export const SNAPSHOT_CHUNK_BYTES = 4096;

const MAGIC = Buffer.from('BSNP', 'latin1');

export interface SnapshotFields {
  readonly seq: number;
  readonly ts: number;
  readonly body: Uint8Array;
}

/** A reason a snapshot file cannot be used, with the byte offset where it was found. */
export interface SnapshotDefect {
  readonly offset: number;
  readonly reason: string;
}

/** The whole file's bytes: header, CRC table and body. */
export function encodeSnapshot({ seq, ts, body }: SnapshotFields): Buffer[] {
  const chunks = Math.ceil(body.length / SNAPSHOT_CHUNK_BYTES);
  const header = Buffer.alloc(SNAPSHOT_HEADER_BYTES + 4 * chunks);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(SNAPSHOT_FORMAT_VERSION, 4);
  header.writeBigUInt64LE(BigInt(seq), 8);
  header.writeBigUInt64LE(BigInt(ts), 16);
  header.writeBigUInt64LE(BigInt(body.length), 24);
  header.writeUInt32LE(SNAPSHOT_CHUNK_BYTES, 32);
  header.writeUInt32LE(crc32c(header, 0, 36), 36);
  createHash('sha256').update(body).digest().copy(header, 40);
  for (let i = 0; i < chunks; i++) {
    const from = i * SNAPSHOT_CHUNK_BYTES;
    header.writeUInt32LE(
      crc32c(body, from, Math.min(body.length, from + SNAPSHOT_CHUNK_BYTES)),
      SNAPSHOT_HEADER_BYTES + 4 * i,
    );
  }
  return [header, Buffer.from(body.buffer, body.byteOffset, body.length)];
}

/** Decodes and checks a whole snapshot file: the fields, or what is wrong and where. */
export function decodeSnapshot(file: Buffer): SnapshotFields | SnapshotDefect {
  if (file.length < SNAPSHOT_HEADER_BYTES) {
    return {
      offset: file.length,
      reason: `file is ${file.length} bytes, shorter than the ${SNAPSHOT_HEADER_BYTES}-byte header`,
    };
  }
  if (!file.subarray(0, 4).equals(MAGIC)) return { offset: 0, reason: 'bad magic, not a snapshot file' };
  const storedHeaderCrc = file.readUInt32LE(36);
  if (crc32c(file, 0, 36) !== storedHeaderCrc)
    return { offset: 0, reason: 'header CRC-32C mismatch in bytes [0, 36)' };
  const version = file.readUInt32LE(4);
  if (version !== SNAPSHOT_FORMAT_VERSION) {
    return {
      offset: 4,
      reason: `unsupported snapshot format version ${version} (expected ${SNAPSHOT_FORMAT_VERSION})`,
    };
  }
  const seq = Number(file.readBigUInt64LE(8));
  const ts = Number(file.readBigUInt64LE(16));
  const bodyLength = Number(file.readBigUInt64LE(24));
  const chunkBytes = file.readUInt32LE(32);
  if (chunkBytes === 0) return { offset: 32, reason: 'chunk size is 0' };
  const chunks = Math.ceil(bodyLength / chunkBytes);
  const bodyAt = SNAPSHOT_HEADER_BYTES + 4 * chunks;
  if (file.length !== bodyAt + bodyLength) {
    return {
      offset: Math.min(file.length, bodyAt + bodyLength),
      reason: `file is ${file.length} bytes, header promises ${bodyAt + bodyLength}`,
    };
  }
  const body = file.subarray(bodyAt);
  const digest = createHash('sha256').update(body).digest();
  if (digest.equals(file.subarray(40, 72))) return { seq, ts, body };
  for (let i = 0; i < chunks; i++) {
    const from = i * chunkBytes;
    const crc = crc32c(body, from, Math.min(bodyLength, from + chunkBytes));
    if (crc !== file.readUInt32LE(SNAPSHOT_HEADER_BYTES + 4 * i)) {
      return {
        offset: bodyAt + from,
        reason: `SHA-256 mismatch; body chunk [${bodyAt + from}, ${bodyAt + Math.min(bodyLength, from + chunkBytes)}) fails its CRC-32C (table entry at ${SNAPSHOT_HEADER_BYTES + 4 * i})`,
      };
    }
  }
  return {
    offset: 40,
    reason: 'SHA-256 mismatch while every body chunk passes its CRC-32C: the stored hash is damaged',
  };
}
