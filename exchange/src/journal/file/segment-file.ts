import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A segment is one file of the journal: a 24-byte header, then records (see record-codec.ts).
 *
 *   offset  size  field
 *        0     4  magic "BJNL"
 *        4     4  format version (1)
 *        8     8  seq of the first record (u64), the same number as in the file name
 *       16     8  seq of the last record of the previous segment (u64), 0 for the first segment
 *
 * The previous segment's last seq chains the segments: seqs may have gaps, so without it a whole
 * segment missing from the middle would look like a gap rather than lost data.
 *
 * File names are the first seq, zero-padded to 20 digits so that name order is seq order:
 * 00000000000000000001.seg, 00000000000000052001.seg, ...
 */
export const SEGMENT_HEADER_BYTES = 24;
export const SEGMENT_FORMAT_VERSION = 1;

const MAGIC = Buffer.from('BJNL', 'latin1');
const NAME_PATTERN = /^(\d{20})\.seg$/;

export function segmentFileName(firstSeq: number): string {
  return `${String(firstSeq).padStart(20, '0')}.seg`;
}

export function encodeSegmentHeader(firstSeq: number, prevLastSeq: number): Buffer {
  const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(SEGMENT_FORMAT_VERSION, 4);
  header.writeBigUInt64LE(BigInt(firstSeq), 8);
  header.writeBigUInt64LE(BigInt(prevLastSeq), 16);
  return header;
}

/** The previous segment's last seq as stored in a header that passed `segmentHeaderProblem`. */
export function headerPrevLastSeq(header: Buffer): number {
  return Number(header.readBigUInt64LE(16));
}

/** What is wrong with a segment header, as an offset into the file and a reason, or undefined. */
export function segmentHeaderProblem(
  header: Buffer,
  firstSeq: number,
): { offset: number; reason: string } | undefined {
  if (header.length < SEGMENT_HEADER_BYTES) {
    return {
      offset: header.length,
      reason: `segment header is ${header.length} of ${SEGMENT_HEADER_BYTES} bytes`,
    };
  }
  if (!header.subarray(0, 4).equals(MAGIC)) return { offset: 0, reason: 'bad magic, not a journal segment' };
  const version = header.readUInt32LE(4);
  if (version !== SEGMENT_FORMAT_VERSION) {
    return {
      offset: 4,
      reason: `unsupported segment format version ${version} (expected ${SEGMENT_FORMAT_VERSION})`,
    };
  }
  const stored = header.readBigUInt64LE(8);
  if (stored !== BigInt(firstSeq)) {
    return { offset: 8, reason: `header says first seq ${stored} but the file name says ${firstSeq}` };
  }
  return undefined;
}

/** The segment files of `dir` in seq order. Other files are ignored. */
export function listSegmentFiles(dir: string): { firstSeq: number; path: string }[] {
  const found: { firstSeq: number; path: string }[] = [];
  for (const name of readdirSync(dir)) {
    const match = NAME_PATTERN.exec(name);
    if (match?.[1] !== undefined) found.push({ firstSeq: Number(match[1]), path: join(dir, name) });
  }
  return found.sort((a, b) => a.firstSeq - b.firstSeq);
}
