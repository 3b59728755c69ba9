/**
 * How long the Kafka clients wait before retrying a failed request. A transaction that starts right
 * after the previous one committed meets CONCURRENT_TRANSACTIONS until the coordinator has finished
 * writing the commit markers, which takes a millisecond or two: retrying that after the usual back-off
 * would add a quarter second to every append. Everything else (a broker down, a leader moving) backs off
 * exponentially from 50 ms to 1 s, which with `RETRIES` spans a leader election after a broker crash.
 */
import { findErrorBy } from '@platformatic/kafka';

export const RETRIES = 40;

export function retryDelay(
  _client: object,
  _operation: string,
  attempt: number,
  _retries: number,
  error: Error,
): number {
  if (findErrorBy(error, 'apiId', 'CONCURRENT_TRANSACTIONS') !== null) return Math.min(2 * attempt, 50);
  return Math.min(50 * 2 ** (attempt - 1), 1000);
}
