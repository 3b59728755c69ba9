import { channel } from 'node:diagnostics_channel';

/**
 * The log's diagnostics channels, shared by every log adapter (file now, Kafka later). Metrics and
 * tracing subscribe from outside (ops/); when no one listens, publishing costs one boolean check.
 */
export const JOURNAL_BATCH_CHANNEL = 'bourse:journal:batch';

/** Message of `bourse:journal:batch`, published after each durable batch. */
export interface BatchSyncedMessage {
  /** Where the log lives (a folder, a topic). */
  readonly dir: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly bytes: number;
  /** From the batch's first append to the start of its write. */
  readonly waitMs: number;
  /** The durable write (and folder sync on a roll). */
  readonly syncMs: number;
}

export const journalBatchChannel = channel(JOURNAL_BATCH_CHANNEL);
