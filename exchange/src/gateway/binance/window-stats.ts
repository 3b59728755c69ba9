import { CANDLE_INTERVAL_MS, type CandleInterval } from '../../storage/candle-intervals.ts';
import { MAX_LIMIT, type ReadModelQueries } from '../../storage/read-model-port.ts';

/** A symbol's trades over a window, as Binance's rolling-window and trading-day tickers report them. */
export interface WindowStats {
  readonly openTime: number;
  readonly closeTime: number;
  /** Prices in minor units of the quote asset, 0 for a window without trades. */
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly last: number;
  readonly volume: number;
  readonly quoteVolume: number;
  /** -1 for a window without trades. */
  readonly firstId: number;
  readonly lastId: number;
  readonly count: number;
}

/**
 * Each stored interval, and the next boundary up to which it is read: minutes up to the hour, hours
 * up to the UTC day, then whole days. A window of a week takes a few hundred candles, not ten thousand.
 */
const STEPS: readonly (readonly [CandleInterval, CandleInterval | undefined])[] = [
  ['1m', '1h'],
  ['1h', '1d'],
  ['1d', undefined],
];

/**
 * The trades at or after `from` (a minute's start) up to now, summed from the read model's candles,
 * which hold every trade up to the newest; `closeTime` is what the answer reports as the window's end.
 */
export async function windowStats(
  readModel: ReadModelQueries,
  symbol: string,
  from: number,
  closeTime: number,
): Promise<WindowStats> {
  const stats = {
    openTime: from,
    closeTime,
    open: 0,
    high: 0,
    low: 0,
    last: 0,
    volume: 0,
    quoteVolume: 0,
    firstId: -1,
    lastId: -1,
    count: 0,
  };
  let cursor = from;
  for (const [interval, upTo] of STEPS) {
    const boundary = upTo === undefined ? Number.MAX_SAFE_INTEGER : ceilTo(cursor, CANDLE_INTERVAL_MS[upTo]);
    // Already on the boundary (a window opening on the hour or the day): nothing to read at this step.
    while (cursor < boundary) {
      const page = await readModel.candles({
        symbol,
        interval,
        startTime: cursor,
        // No candle opening after the window's end: none exists when the window ends now.
        endTime: Math.min(boundary - 1, closeTime),
        limit: MAX_LIMIT,
      });
      for (const c of page) {
        if (stats.count === 0) {
          stats.open = c.open;
          stats.high = c.high;
          stats.low = c.low;
          stats.firstId = c.firstTradeId;
        }
        stats.high = Math.max(stats.high, c.high);
        stats.low = Math.min(stats.low, c.low);
        stats.last = c.close;
        stats.lastId = c.lastTradeId;
        stats.volume += c.volume;
        stats.quoteVolume += c.quoteVolume;
        stats.count += c.tradeCount;
      }
      if (page.length < MAX_LIMIT) break;
      cursor = page.at(-1)!.openTime + 1;
    }
    cursor = boundary;
    if (cursor > closeTime) break;
  }
  return stats;
}

function ceilTo(ts: number, size: number): number {
  return Math.ceil(ts / size) * size;
}

const MINUTE = 60_000;
const WINDOW_UNITS: Readonly<Record<string, { readonly ms: number; readonly max: number }>> = {
  m: { ms: MINUTE, max: 59 },
  h: { ms: 60 * MINUTE, max: 23 },
  d: { ms: 1440 * MINUTE, max: 7 },
};

/** Binance's windowSize (1m to 59m, 1h to 23h, 1d to 7d) in milliseconds; undefined if invalid. */
export function parseWindowSize(text: string): number | undefined {
  const match = /^([0-9]{1,2})([mhd])$/.exec(text);
  if (match === null) return undefined;
  const count = Number(match[1]);
  const unit = WINDOW_UNITS[match[2]!]!;
  return count >= 1 && count <= unit.max ? count * unit.ms : undefined;
}
