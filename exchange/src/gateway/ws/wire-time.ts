import { eventInMicroseconds, type TimeUnit } from '../binance/time-unit.ts';
import type { UserEvent } from './user-data-feed.ts';

/**
 * An event's JSON for a connection: the text serialized once for everyone, or, for a connection that
 * asked for microseconds (timeUnit=MICROSECOND), the same event with its times scaled.
 */
export function eventJson(event: UserEvent, unit: TimeUnit): string {
  return unit === 'MICROSECOND' ? JSON.stringify(eventInMicroseconds(event.payload)) : event.json;
}

/** The WebSocket API's frame of an event: `prefix` (`{"subscriptionId":N,"event":`), the event, `}`. */
export function eventFrame(prefix: string, event: UserEvent, unit: TimeUnit): Buffer {
  return Buffer.from(`${prefix}${eventJson(event, unit)}}`);
}

/** An event made here rather than by the feed (eventStreamTerminated). */
export function userEvent(payload: Readonly<Record<string, unknown>>): UserEvent {
  return { payload, json: JSON.stringify(payload) };
}
