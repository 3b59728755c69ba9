/**
 * Candle intervals and their buckets. Buckets are aligned to the Unix epoch, which is midnight UTC,
 * so a 4h candle opens at 00:00, 04:00, ... UTC and a 1d candle at midnight UTC, as on Binance.
 */
export type CandleInterval = '1m' | '5m' | '15m' | '1h' | '4h' | '1d';

const MINUTE_MS = 60_000;

export const CANDLE_INTERVAL_MS: Readonly<Record<CandleInterval, number>> = {
  '1m': MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '1h': 60 * MINUTE_MS,
  '4h': 240 * MINUTE_MS,
  '1d': 1440 * MINUTE_MS,
};

export const CANDLE_INTERVALS: readonly CandleInterval[] = ['1m', '5m', '15m', '1h', '4h', '1d'];

export function isCandleInterval(value: string): value is CandleInterval {
  return Object.hasOwn(CANDLE_INTERVAL_MS, value);
}

/** The open time of the bucket holding `ts`. */
export function bucketOpenTime(ts: number, interval: CandleInterval): number {
  const size = CANDLE_INTERVAL_MS[interval];
  return Math.floor(ts / size) * size;
}

/** The bucket's last millisecond, which Binance reports as closeTime. */
export function bucketCloseTime(openTime: number, interval: CandleInterval): number {
  return openTime + CANDLE_INTERVAL_MS[interval] - 1;
}
