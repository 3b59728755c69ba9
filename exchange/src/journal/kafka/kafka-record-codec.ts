/**
 * How one log record sits in a Kafka record: the key is the seq and the ts, 8 bytes each, big-endian;
 * the value is the payload. The ts is not the Kafka timestamp because brokers refuse timestamps far
 * from their clock (message.timestamp.after.max.ms), and the log must keep any ts exactly.
 */
import type { LogRecord } from '../log-port.ts';

export const KEY_BYTES = 16;

export function encodeKey(record: LogRecord): Buffer {
  const key = Buffer.allocUnsafe(KEY_BYTES);
  key.writeBigUInt64BE(BigInt(record.seq), 0);
  key.writeBigUInt64BE(BigInt(record.ts), 8);
  return key;
}

/** The header that carries a record's trace context (a traceparent), when it has one. */
export const CONTEXT_HEADER = 'traceparent';

export function contextHeaders(context: Uint8Array): Map<Buffer, Buffer> {
  return new Map([[Buffer.from(CONTEXT_HEADER), Buffer.from(context)]]);
}

/** The trace context among a Kafka record's headers, or undefined. */
export function contextOf(headers: readonly (readonly [Buffer | null, Buffer | null])[]): Buffer | undefined {
  for (const [name, value] of headers) {
    if (name !== null && value !== null && name.toString() === CONTEXT_HEADER) return value;
  }
  return undefined;
}

/** The record a Kafka key, value and context hold, or undefined when the key is not one of ours. */
export function decodeRecord(
  key: Buffer | null,
  value: Buffer | null,
  context?: Buffer,
): LogRecord | undefined {
  if (key === null || key.length !== KEY_BYTES) return undefined;
  const seq = Number(key.readBigUInt64BE(0));
  const ts = Number(key.readBigUInt64BE(8));
  return { seq, ts, payload: value ?? new Uint8Array(0), ...(context !== undefined && { context }) };
}
