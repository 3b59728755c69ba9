import type { LogRecord } from './log-port.ts';

/**
 * Makes an at-least-once reader idempotent: yields only records newer than the last one applied,
 * dropping redeliveries (a Kafka consumer restarting from an older committed offset, a projection
 * re-reading from a snapshot's seq). `lastAppliedSeq` is what the consumer stored with its state.
 */
export async function* skipApplied(
  batches: AsyncIterable<readonly LogRecord[]>,
  lastAppliedSeq: number,
): AsyncGenerator<LogRecord> {
  let last = lastAppliedSeq;
  for await (const batch of batches) {
    for (const record of batch) {
      if (record.seq <= last) continue;
      last = record.seq;
      yield record;
    }
  }
}
