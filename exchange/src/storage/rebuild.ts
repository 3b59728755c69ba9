import { batchByCommand, type EventSource } from './command-batches.ts';
import type { ReadModelWriter } from './read-model-port.ts';

export interface FeedOptions {
  /**
   * Events per transaction; larger batches amortize the commit, smaller ones hold the write lock for
   * less time.
   * @default 10000
   */
  readonly batchEvents?: number;
  /**
   * The seq of the last command in the source, when its last commands produced no events, so the
   * stored position ends exactly there.
   * @default - the last event's seq
   */
  readonly throughSeq?: number;
}

/**
 * Feeds a replayed event stream into the read model. Events it already holds are skipped by the
 * port, so the source may start anywhere at or before `lastAppliedSeq() + 1`.
 * Returns the position reached.
 */
export async function feed(
  port: ReadModelWriter,
  source: EventSource,
  options: FeedOptions = {},
): Promise<number> {
  for await (const batch of batchByCommand(source, options.batchEvents ?? 10_000)) {
    await port.apply(batch);
  }
  if (options.throughSeq !== undefined) await port.apply([], options.throughSeq);
  return port.lastAppliedSeq();
}

/**
 * Builds the read model from scratch: empties it, then feeds the whole stream. The caller replays the
 * log from its first command through the engine and hands over the events.
 */
export async function rebuild(
  port: ReadModelWriter,
  source: EventSource,
  options: FeedOptions = {},
): Promise<number> {
  await port.reset();
  return feed(port, source, options);
}
