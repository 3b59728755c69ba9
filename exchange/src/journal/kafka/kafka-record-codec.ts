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

/** The record a Kafka key and value hold, or undefined when the key is not one of ours. */
export function decodeRecord(key: Buffer | null, value: Buffer | null): LogRecord | undefined {
  if (key === null || key.length !== KEY_BYTES) return undefined;
  const seq = Number(key.readBigUInt64BE(0));
  const ts = Number(key.readBigUInt64BE(8));
  return { seq, ts, payload: value ?? new Uint8Array(0) };
}
