import type { LogRecord } from '../log-port.ts';
import { parseRecords } from './record-codec.ts';

/** A read the cursor wants done: fill `buffer[offset, offset + length)` from file `position`. */
export interface ReadRequest {
  readonly buffer: Buffer;
  readonly offset: number;
  readonly length: number;
  readonly position: number;
}

/**
 * Sequential decoding of one segment in big chunks, without doing I/O itself so that the startup scan
 * (sync reads) and readers (async reads) share it. Each chunk is a fresh buffer because the records
 * handed out keep views into it; only the incomplete record at a chunk's end is copied forward.
 */
export class SegmentCursor {
  private buf: Buffer = Buffer.alloc(0);
  // File offset of buf[0], bytes of buf filled, bytes of buf decoded.
  private bufPosition: number;
  private filled = 0;
  private parsed = 0;
  private needBytes = 0;
  private last: number;
  private readonly fromSeq: number;
  private readonly maxPayloadBytes: number;
  private readonly chunkBytes: number;

  constructor(
    startOffset: number,
    prevSeq: number,
    fromSeq: number,
    maxPayloadBytes: number,
    chunkBytes: number,
  ) {
    this.bufPosition = startOffset;
    this.last = prevSeq;
    this.fromSeq = fromSeq;
    this.maxPayloadBytes = maxPayloadBytes;
    this.chunkBytes = chunkBytes;
  }

  /** File offset just after the last good record decoded. */
  get offset(): number {
    return this.bufPosition + this.parsed;
  }

  /** Seq of the last good record decoded (or the `prevSeq` given). */
  get lastSeq(): number {
    return this.last;
  }

  /** Bytes read but not yet decoded: an incomplete record waiting for the rest. */
  get pendingBytes(): number {
    return this.filled - this.parsed;
  }

  /** The next read up to file offset `limit`, or undefined when everything before `limit` was read. */
  nextRead(limit: number): ReadRequest | undefined {
    const position = this.bufPosition + this.filled;
    const pending = this.filled - this.parsed;
    const length = Math.min(limit - position, Math.max(this.chunkBytes, this.needBytes - pending));
    if (length <= 0) return undefined;
    const next = Buffer.allocUnsafe(pending + length);
    this.buf.copy(next, 0, this.parsed, this.filled);
    this.buf = next;
    this.bufPosition += this.parsed;
    this.filled = pending;
    this.parsed = 0;
    return { buffer: next, offset: pending, length, position };
  }

  /**
   * Records that `bytesRead` bytes of the last request arrived, decodes what is complete into `out`,
   * and returns the reason if a bad record was met (the cursor's `offset` is then where it starts).
   */
  advance(bytesRead: number, out: LogRecord[] | undefined): string | undefined {
    this.filled += bytesRead;
    const outcome = parseRecords(
      this.buf,
      this.parsed,
      this.filled,
      this.last,
      this.fromSeq,
      this.maxPayloadBytes,
      out,
    );
    this.parsed = outcome.offset;
    this.last = outcome.lastSeq;
    this.needBytes = outcome.needBytes;
    return outcome.problem;
  }

  /** The undecoded bytes, for searching what follows a bad record. */
  remainder(): Buffer {
    return this.buf.subarray(this.parsed, this.filled);
  }
}
