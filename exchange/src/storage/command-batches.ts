import type { EngineEvent } from '../domain/events.ts';

/**
 * Where events come from on a replay: single events, or one array per command (as the engine returns
 * them), in seq order, sync or async.
 */
export type EventSource =
  | Iterable<EngineEvent | readonly EngineEvent[]>
  | AsyncIterable<EngineEvent | readonly EngineEvent[]>;

/**
 * Groups an event stream into batches of at least `minEvents` events (the last may be smaller) that
 * end on a command boundary, because the read model's skip rule needs every batch to hold whole
 * commands.
 */
export async function* batchByCommand(source: EventSource, minEvents: number): AsyncGenerator<EngineEvent[]> {
  if (!Number.isSafeInteger(minEvents) || minEvents < 1) {
    throw new RangeError(`minEvents ${minEvents} is invalid: use a positive integer`);
  }
  let batch: EngineEvent[] = [];
  let lastSeq = Number.NEGATIVE_INFINITY;
  for await (const item of source) {
    const events: readonly EngineEvent[] = isEventArray(item) ? item : [item];
    for (const event of events) {
      if (event.seq !== lastSeq && batch.length >= minEvents) {
        yield batch;
        batch = [];
      }
      if (event.seq < lastSeq) {
        throw new RangeError(`event seq ${event.seq} follows seq ${lastSeq}: a source must be in seq order`);
      }
      lastSeq = event.seq;
      batch.push(event);
    }
  }
  if (batch.length > 0) yield batch;
}

function isEventArray(item: EngineEvent | readonly EngineEvent[]): item is readonly EngineEvent[] {
  return Array.isArray(item);
}
