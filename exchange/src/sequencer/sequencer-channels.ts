import { channel } from 'node:diagnostics_channel';
import type { Command } from '../domain/commands.ts';
import type { EngineEvent } from '../domain/events.ts';

/**
 * The sequencer's diagnostics channels. The engine stays pure: the sequencer publishes around its
 * apply. Subscribers (ops/) must not keep or change the command or its events.
 */
export const COMMAND_APPLIED_CHANNEL = 'bourse:sequencer:applied';
export const SNAPSHOT_CHANNEL = 'bourse:snapshot:written';

/** Message of `bourse:sequencer:applied`, published after each command is applied, before its result is released. */
export interface CommandAppliedMessage {
  readonly command: Command;
  readonly events: readonly EngineEvent[];
  /** The trace context the command was submitted with (logged beside it), if any. */
  readonly context: Uint8Array | undefined;
  /** The engine's apply alone. */
  readonly applyMs: number;
  /** The sequencer's clock when the command was applied: minus `command.ts`, the command's lag. */
  readonly appliedAtMs: number;
  /** Commands sequenced and not yet applied, after this one. */
  readonly inFlight: number;
}

/** Message of `bourse:snapshot:written`, published after each snapshot attempt. */
export interface SnapshotMessage {
  readonly ok: boolean;
  readonly durationMs: number;
  /** The size of the snapshot written; 0 when it failed. */
  readonly bytes: number;
  readonly error?: unknown;
}

export const commandAppliedChannel = channel(COMMAND_APPLIED_CHANNEL);
export const snapshotChannel = channel(SNAPSHOT_CHANNEL);
