import { channel } from 'node:diagnostics_channel';

/** The read side's diagnostics channels (every read-model adapter: SQLite now, MariaDB later). */
export const READ_MODEL_BATCH_CHANNEL = 'bourse:read-model:batch';

/** Message of `bourse:read-model:batch`, published after each batch the port has made durable. */
export interface ReadModelBatchMessage {
  /** The port's position after the batch. */
  readonly appliedSeq: number;
  readonly events: number;
  /** The port's apply of the batch (its transaction, on its thread or across the network). */
  readonly writeMs: number;
}

export const readModelBatchChannel = channel(READ_MODEL_BATCH_CHANNEL);
