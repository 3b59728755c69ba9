import { Buffer } from 'node:buffer';
import type { Command, UnstampedCommand } from '../domain/commands.ts';

/**
 * Commands travel through the log as UTF-8 JSON without their seq and ts, which the log record
 * already carries in its header.
 */
export function encodeCommand(command: UnstampedCommand): Uint8Array {
  return Buffer.from(JSON.stringify(command), 'utf8');
}

export function decodeCommand(payload: Uint8Array, seq: number, ts: number): Command {
  const bytes = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const command = JSON.parse(bytes.toString('utf8')) as { seq: number; ts: number };
  command.seq = seq;
  command.ts = ts;
  return command as unknown as Command;
}
