import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsyncDirSync } from '../fsync-dir.ts';
import { JournalCorruptError } from '../log-errors.ts';
import { isValidRecordAt } from './record-codec.ts';
import { SegmentCursor } from './segment-cursor.ts';
import {
  headerPrevLastSeq,
  listSegmentFiles,
  SEGMENT_HEADER_BYTES,
  segmentHeaderProblem,
} from './segment-file.ts';
import type { SegmentInfo } from './segment-info.ts';

export interface RecoverOptions {
  readonly maxPayloadBytes: number;
  readonly readChunkBytes: number;
  readonly verifySealedSegments: boolean;
  readonly readOnly: boolean;
}

/** A torn tail the startup cut off (or, read-only, ignored). */
export interface TailRepair {
  readonly file: string;
  readonly offset: number;
  readonly bytesCut: number;
  readonly reason: string;
  /**
   * The last seq kept: the cut bytes held records after it (which ones, their damage hides; a store
   * derived from the log that is ahead of it tells how far they went).
   */
  readonly keptThroughSeq: number;
}

export interface Recovered {
  readonly segments: SegmentInfo[];
  readonly repairs: TailRepair[];
}

/**
 * Startup scan. Only the last segment may end in a torn write (an unacknowledged batch cut short by a
 * crash), because a segment is fully synced before the next one is created; so a bad record there with
 * nothing valid after it is cut off, and every other defect throws `JournalCorruptError`.
 *
 * Caveat: a torn batch whose later pages reached the disk before earlier ones would look like a bad
 * record followed by valid data, and stops the start too; an operator then decides, with the file and
 * offset in hand, rather than the journal guessing.
 */
export function recoverSegments(dir: string, options: RecoverOptions): Recovered {
  const files = listSegmentFiles(dir);
  const repairs: TailRepair[] = [];
  const segments: SegmentInfo[] = [];
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const isLast = i === files.length - 1;
    // With verification off, sealed segments are trusted and only their headers read, except the one
    // before the last, which becomes the active segment if the last is an empty torn creation.
    const trusted = !isLast && !options.verifySealedSegments && i !== files.length - 2;
    const segment = scanSegment(file.path, file.firstSeq, segments.at(-1), isLast, trusted, options, repairs);
    if (segment !== undefined) segments.push(segment);
  }
  const last = segments.at(-1);
  if (last !== undefined) last.sealed = false;
  return { segments, repairs };
}

function scanSegment(
  path: string,
  firstSeq: number,
  previous: SegmentInfo | undefined,
  isLast: boolean,
  trusted: boolean,
  options: RecoverOptions,
  repairs: TailRepair[],
): SegmentInfo | undefined {
  const fd = openSync(path, options.readOnly ? 'r' : 'r+');
  try {
    const size = fstatSync(fd).size;
    const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
    const headerBytes = readSync(fd, header, 0, SEGMENT_HEADER_BYTES, 0);
    const headerProblem = segmentHeaderProblem(header.subarray(0, headerBytes), firstSeq);
    if (headerProblem !== undefined) {
      // A crash between creating the file and syncing it leaves a short or zero-filled header.
      if (
        isLast &&
        (size < SEGMENT_HEADER_BYTES || header.every((b) => b === 0)) &&
        !containsValidRecord(fd, size, 0, options)
      ) {
        repairs.push({
          file: path,
          offset: 0,
          bytesCut: size,
          reason: headerProblem.reason,
          keptThroughSeq: previous?.lastSeq ?? firstSeq - 1,
        });
        dropFile(path, options.readOnly);
        return undefined;
      }
      throw new JournalCorruptError(path, headerProblem.offset, headerProblem.reason);
    }
    const prevLastSeq = headerPrevLastSeq(header);
    if (previous !== undefined) {
      // A trusted previous segment only knows an upper bound of its last seq; fix it from this header.
      if (previous.lastSeq === UNKNOWN_SEQ) previous.lastSeq = prevLastSeq;
      else if (prevLastSeq !== previous.lastSeq) {
        throw new JournalCorruptError(
          path,
          16,
          `segment follows seq ${prevLastSeq} but the previous segment ${previous.path} ends at seq ${previous.lastSeq}: a segment is missing or damaged`,
        );
      }
    }
    if (firstSeq <= prevLastSeq) {
      throw new JournalCorruptError(
        path,
        8,
        `first seq ${firstSeq} is not after seq ${prevLastSeq} of the previous segment`,
      );
    }
    if (trusted) return { firstSeq, path, durableSize: size, lastSeq: UNKNOWN_SEQ, sealed: true };

    // Seqs must start at the name's seq: prevSeq = firstSeq - 1 rejects anything lower.
    const cursor = new SegmentCursor(
      SEGMENT_HEADER_BYTES,
      firstSeq - 1,
      0,
      options.maxPayloadBytes,
      options.readChunkBytes,
    );
    let problem: string | undefined;
    for (
      let req = cursor.nextRead(size);
      req !== undefined && problem === undefined;
      req = cursor.nextRead(size)
    ) {
      const n = readSync(fd, req.buffer, req.offset, req.length, req.position);
      if (n === 0) break;
      problem = cursor.advance(n, undefined);
    }
    if (problem === undefined && cursor.pendingBytes > 0) {
      problem = `truncated record: ${cursor.pendingBytes} bytes before the end of the file`;
    }
    if (cursor.offset > SEGMENT_HEADER_BYTES && firstRecordSeq(fd) !== firstSeq) {
      throw new JournalCorruptError(
        path,
        SEGMENT_HEADER_BYTES,
        `first record is not seq ${firstSeq}, as the file name says`,
      );
    }

    let end = size;
    if (problem !== undefined) {
      if (!isLast) throw new JournalCorruptError(path, cursor.offset, problem);
      const validAt = findValidRecordAfter(fd, size, cursor.offset, cursor.lastSeq, options);
      if (validAt !== undefined) {
        throw new JournalCorruptError(
          path,
          cursor.offset,
          `${problem}; a valid record follows at offset ${validAt}, so this is not a torn tail`,
        );
      }
      end = cursor.offset;
      repairs.push({
        file: path,
        offset: end,
        bytesCut: size - end,
        reason: problem,
        keptThroughSeq: cursor.lastSeq,
      });
      if (!options.readOnly) {
        ftruncateSync(fd, end);
        fsyncSync(fd);
      }
    }
    if (end === SEGMENT_HEADER_BYTES) {
      if (!isLast)
        throw new JournalCorruptError(path, SEGMENT_HEADER_BYTES, 'sealed segment holds no records');
      dropFile(path, options.readOnly);
      return undefined;
    }
    return { firstSeq, path, durableSize: end, lastSeq: cursor.lastSeq, sealed: !isLast };
  } finally {
    closeSync(fd);
  }
}

// Marks the last seq of a trusted (unread) segment until the next segment's header supplies it.
const UNKNOWN_SEQ = -1;

function firstRecordSeq(fd: number): number {
  const b = Buffer.alloc(8);
  readSync(fd, b, 0, 8, SEGMENT_HEADER_BYTES + 4);
  return b.readUInt32LE(4) * 0x1_0000_0000 + b.readUInt32LE(0);
}

/** Offset of the first valid record with seq above `afterSeq` starting after `from`, if any. */
function findValidRecordAfter(
  fd: number,
  size: number,
  from: number,
  afterSeq: number,
  options: RecoverOptions,
): number | undefined {
  const rest = Buffer.alloc(size - from);
  readSync(fd, rest, 0, rest.length, from);
  for (let at = 1; at < rest.length; at++) {
    if (isValidRecordAt(rest, at, rest.length, afterSeq, options.maxPayloadBytes)) return from + at;
  }
  return undefined;
}

function containsValidRecord(fd: number, size: number, afterSeq: number, options: RecoverOptions): boolean {
  return size > 0 && findValidRecordAfter(fd, size, 0, afterSeq, options) !== undefined;
}

/** Removes the empty file a crash left while creating a new segment; nothing acknowledged was in it. */
function dropFile(path: string, readOnly: boolean): void {
  if (readOnly) return;
  unlinkSync(path);
  fsyncDirSync(dirname(path));
}
