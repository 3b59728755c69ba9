import { crc32c } from '../crc32c.ts';
import type { LogRecord } from '../log-port.ts';

/**
 * On-disk record, little-endian:
 *
 *   offset  size  field
 *        0     4  payload length in bytes
 *        4     8  seq (u64)
 *       12     8  ts  (u64, ms since the epoch)
 *       20     4  CRC-32C of bytes [0, 20) followed by the payload
 *       24     n  payload
 *
 * The CRC covers the length and seq too, so a flipped length cannot make the reader skip or invent
 * records unnoticed.
 *
 * A record that carries a context (a trace's W3C traceparent, which Kafka would carry as a record
 * header) sets the top bit of the length word; its n bytes are then a u16 context length, the
 * context, and the payload. A record without one is exactly as above, so the format of every
 * record written without tracing is unchanged, and a journal from before reads as it did.
 */
export const RECORD_HEADER_BYTES = 24;

/** The top bit of the length word: the record's bytes start with a u16-prefixed context. */
const HAS_CONTEXT = 0x8000_0000;
/** The largest context a record carries (a traceparent is 55 bytes). */
export const MAX_CONTEXT_BYTES = 255;

/** The bytes a record takes on disk. */
export function recordBytes(payload: Uint8Array, context: Uint8Array | undefined): number {
  return RECORD_HEADER_BYTES + payload.length + (context === undefined ? 0 : 2 + context.length);
}

const TWO_POW_32 = 0x1_0000_0000;
// A u64 whose high word reaches this is beyond Number.MAX_SAFE_INTEGER (2^53 - 1).
const SAFE_HIGH_WORD_LIMIT = 0x20_0000;

// Staging buffers are few and long-lived; a DataView per buffer turns header writes into plain stores.
let viewedBuffer: Buffer | undefined;
let bufferView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/** Writes one record at `offset` of `buf` (which must have room) and returns the offset after it. */
export function encodeRecord(
  buf: Buffer,
  offset: number,
  seq: number,
  ts: number,
  payload: Uint8Array,
  context?: Uint8Array,
): number {
  if (buf !== viewedBuffer) {
    viewedBuffer = buf;
    bufferView = new DataView(buf.buffer, buf.byteOffset, buf.length);
  }
  const view = bufferView;
  if (context !== undefined) return encodeWithContext(buf, view, offset, seq, ts, payload, context);
  const length = payload.length;
  view.setUint32(offset, length, true);
  view.setUint32(offset + 4, seq >>> 0, true);
  view.setUint32(offset + 8, Math.floor(seq / TWO_POW_32), true);
  view.setUint32(offset + 12, ts >>> 0, true);
  view.setUint32(offset + 16, Math.floor(ts / TWO_POW_32), true);
  const payloadAt = offset + RECORD_HEADER_BYTES;
  if (length <= 64) {
    for (let i = 0; i < length; i++) buf[payloadAt + i] = payload[i]!;
  } else {
    buf.set(payload, payloadAt);
  }
  const crc = crc32c(buf, payloadAt, payloadAt + length, crc32c(buf, offset, offset + 20));
  view.setUint32(offset + 20, crc, true);
  return payloadAt + length;
}

function encodeWithContext(
  buf: Buffer,
  view: DataView<ArrayBufferLike>,
  offset: number,
  seq: number,
  ts: number,
  payload: Uint8Array,
  context: Uint8Array,
): number {
  if (context.length > MAX_CONTEXT_BYTES) {
    throw new RangeError(`a record's context is ${context.length} bytes: at most ${MAX_CONTEXT_BYTES}`);
  }
  const length = 2 + context.length + payload.length;
  view.setUint32(offset, (length | HAS_CONTEXT) >>> 0, true);
  view.setUint32(offset + 4, seq >>> 0, true);
  view.setUint32(offset + 8, Math.floor(seq / TWO_POW_32), true);
  view.setUint32(offset + 12, ts >>> 0, true);
  view.setUint32(offset + 16, Math.floor(ts / TWO_POW_32), true);
  const bodyAt = offset + RECORD_HEADER_BYTES;
  view.setUint16(bodyAt, context.length, true);
  buf.set(context, bodyAt + 2);
  buf.set(payload, bodyAt + 2 + context.length);
  const crc = crc32c(buf, bodyAt, bodyAt + length, crc32c(buf, offset, offset + 20));
  view.setUint32(offset + 20, crc, true);
  return bodyAt + length;
}

/** Why decoding stopped. `offset` is relative to the buffer passed in. */
export interface ParseOutcome {
  /** Where decoding stopped: the first byte not consumed. */
  readonly offset: number;
  /** Seq of the last good record seen (including skipped ones), or the `prevSeq` passed in. */
  readonly lastSeq: number;
  /** Set when the record at `offset` is bad; then `offset` is where it starts. */
  readonly problem?: string;
  /** When no problem: bytes the incomplete record at `offset` needs in total (0 if none is pending). */
  readonly needBytes: number;
}

/**
 * Decodes the complete records in `buf[start, end)`, checking each CRC and that seqs increase after
 * `prevSeq`. Records with `seq >= fromSeq` are pushed to `out`; their payloads are views into `buf`,
 * so the caller must not reuse `buf` afterwards. Stops at an incomplete record (asking for more bytes)
 * or at the first bad one (naming the problem).
 */
export function parseRecords(
  buf: Buffer,
  start: number,
  end: number,
  prevSeq: number,
  fromSeq: number,
  maxPayloadBytes: number,
  out: LogRecord[] | undefined,
): ParseOutcome {
  // DataView reads inline to plain loads in V8; Buffer#readUInt32LE adds a bounds-checked call each.
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  let at = start;
  let last = prevSeq;
  while (at < end) {
    if (end - at < RECORD_HEADER_BYTES) return { offset: at, lastSeq: last, needBytes: RECORD_HEADER_BYTES };
    const word = view.getUint32(at, true);
    const withContext = word >= HAS_CONTEXT;
    const length = withContext ? word - HAS_CONTEXT : word;
    if (length > maxPayloadBytes + (withContext ? 2 + MAX_CONTEXT_BYTES : 0)) {
      return {
        offset: at,
        lastSeq: last,
        needBytes: 0,
        problem: `record length ${length} exceeds the limit of ${maxPayloadBytes} bytes`,
      };
    }
    const recordEnd = at + RECORD_HEADER_BYTES + length;
    if (recordEnd > end) return { offset: at, lastSeq: last, needBytes: RECORD_HEADER_BYTES + length };
    const stored = view.getUint32(at + 20, true);
    const actual = crc32c(buf, at + RECORD_HEADER_BYTES, recordEnd, crc32c(buf, at, at + 20));
    if (stored !== actual) {
      return {
        offset: at,
        lastSeq: last,
        needBytes: 0,
        problem: `CRC-32C mismatch (stored ${hex(stored)}, computed ${hex(actual)})`,
      };
    }
    const seqHigh = view.getUint32(at + 8, true);
    const tsHigh = view.getUint32(at + 16, true);
    if (seqHigh >= SAFE_HIGH_WORD_LIMIT || tsHigh >= SAFE_HIGH_WORD_LIMIT) {
      return { offset: at, lastSeq: last, needBytes: 0, problem: 'seq or ts beyond the safe integer range' };
    }
    const seq = seqHigh * TWO_POW_32 + view.getUint32(at + 4, true);
    if (seq <= last) {
      return { offset: at, lastSeq: last, needBytes: 0, problem: `seq ${seq} does not follow seq ${last}` };
    }
    if (out !== undefined && seq >= fromSeq) {
      const ts = tsHigh * TWO_POW_32 + view.getUint32(at + 12, true);
      const bodyAt = buf.byteOffset + at + RECORD_HEADER_BYTES;
      if (!withContext) {
        // A plain Uint8Array view: cheaper to make than Buffer#subarray, and all the port promises.
        out.push({ seq, ts, payload: new Uint8Array(buf.buffer, bodyAt, length) });
      } else {
        // A record too short for its context's length word is as bad as one whose context overruns it.
        const contextLength = length < 2 ? length : view.getUint16(at + RECORD_HEADER_BYTES, true);
        if (2 + contextLength > length) {
          return {
            offset: at,
            lastSeq: last,
            needBytes: 0,
            problem: `context length ${contextLength} exceeds the record`,
          };
        }
        out.push({
          seq,
          ts,
          context: new Uint8Array(buf.buffer, bodyAt + 2, contextLength),
          payload: new Uint8Array(buf.buffer, bodyAt + 2 + contextLength, length - 2 - contextLength),
        });
      }
    }
    last = seq;
    at = recordEnd;
  }
  return { offset: at, lastSeq: last, needBytes: 0 };
}

/**
 * Whether a well-formed record with a seq above `afterSeq` starts at `at`. Used after a bad record in
 * the last segment to tell a torn tail (nothing valid follows) from corruption (valid data follows).
 */
export function isValidRecordAt(
  buf: Buffer,
  at: number,
  end: number,
  afterSeq: number,
  maxPayloadBytes: number,
): boolean {
  if (end - at < RECORD_HEADER_BYTES) return false;
  const word = buf.readUInt32LE(at);
  const length = word >= HAS_CONTEXT ? word - HAS_CONTEXT : word;
  if (
    length > maxPayloadBytes + (word >= HAS_CONTEXT ? 2 + MAX_CONTEXT_BYTES : 0) ||
    at + RECORD_HEADER_BYTES + length > end
  )
    return false;
  const seqHigh = buf.readUInt32LE(at + 8);
  if (seqHigh >= SAFE_HIGH_WORD_LIMIT) return false;
  if (seqHigh * TWO_POW_32 + buf.readUInt32LE(at + 4) <= afterSeq) return false;
  const recordEnd = at + RECORD_HEADER_BYTES + length;
  return (
    buf.readUInt32LE(at + 20) === crc32c(buf, at + RECORD_HEADER_BYTES, recordEnd, crc32c(buf, at, at + 20))
  );
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
