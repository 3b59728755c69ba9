import type { Command, UnstampedCommand } from '../domain/commands.ts';

/**
 * Commands travel through the log as UTF-8 JSON without their seq and ts, which the log record
 * already carries in its header.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommand(command: UnstampedCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

export function decodeCommand(payload: Uint8Array, seq: number, ts: number): Command {
  const body = JSON.parse(decoder.decode(payload)) as UnstampedCommand;
  return { ...body, seq, ts } as Command;
}
