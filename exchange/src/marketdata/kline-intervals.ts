/**
 * Binance's kline intervals. Buckets from 1s to 3d are aligned to the Unix epoch (midnight UTC), weeks
 * start on Monday 00:00 UTC, and months on the first of the month, as on Binance.
 */
export const KLINE_INTERVALS = [
  '1s',
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
  '1w',
  '1M',
] as const;

export type KlineInterval = (typeof KLINE_INTERVALS)[number];

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 1970-01-01 was a Thursday; the first Monday was four days later. */
const FIRST_MONDAY = 4 * DAY;

const FIXED_MS: Readonly<Record<Exclude<KlineInterval, '1w' | '1M'>, number>> = {
  '1s': SECOND,
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '2h': 2 * HOUR,
  '4h': 4 * HOUR,
  '6h': 6 * HOUR,
  '8h': 8 * HOUR,
  '12h': 12 * HOUR,
  '1d': DAY,
  '3d': 3 * DAY,
};

export function isKlineInterval(value: string): value is KlineInterval {
  return (KLINE_INTERVALS as readonly string[]).includes(value);
}

/** The open time of the bucket holding `ts`. */
export function klineOpenTime(ts: number, interval: KlineInterval): number {
  if (interval === '1M') {
    const date = new Date(ts);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  }
  if (interval === '1w') {
    const week = 7 * DAY;
    return Math.floor((ts - FIRST_MONDAY) / week) * week + FIRST_MONDAY;
  }
  const size = FIXED_MS[interval];
  return Math.floor(ts / size) * size;
}

/** The bucket's last millisecond, which Binance reports as the close time. */
export function klineCloseTime(openTime: number, interval: KlineInterval): number {
  if (interval === '1M') {
    const date = new Date(openTime);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) - 1;
  }
  if (interval === '1w') return openTime + 7 * DAY - 1;
  return openTime + FIXED_MS[interval] - 1;
}

/** The fixed length of an interval in milliseconds; undefined for weeks and months. */
export function klineFixedMs(interval: KlineInterval): number | undefined {
  return interval === '1w' || interval === '1M' ? undefined : FIXED_MS[interval];
}

/** The open time of the bucket holding `ts` on a clock `offsetMs` ahead of UTC, in UTC milliseconds. */
export function zonedKlineOpenTime(ts: number, interval: KlineInterval, offsetMs: number): number {
  return klineOpenTime(ts + offsetMs, interval) - offsetMs;
}

/** The last millisecond of the zoned bucket opening at `openTime`. */
export function zonedKlineCloseTime(openTime: number, interval: KlineInterval, offsetMs: number): number {
  return klineCloseTime(openTime + offsetMs, interval) - offsetMs;
}

/**
 * Whether an interval's buckets on a clock `offsetMs` ahead of UTC are UTC's own: an offset that is a
 * whole number of buckets moves no boundary (a +08:00 hour is a UTC hour; a +08:00 day is not).
 */
export function sameBucketsAsUtc(interval: KlineInterval, offsetMs: number): boolean {
  const size = klineFixedMs(interval);
  return offsetMs === 0 || (size !== undefined && offsetMs % size === 0);
}
