import {
  isKlineInterval,
  KLINE_INTERVALS,
  type KlineInterval,
  klineCloseTime,
  klineOpenTime,
} from '../../marketdata/kline-intervals.ts';
import { CANDLE_INTERVAL_MS, CANDLE_INTERVALS, type CandleInterval } from '../../storage/candle-intervals.ts';
import type { CandleQuery, ReadModelQueries } from '../../storage/read-model-port.ts';
import type { CandleRow, TradeRow } from '../../storage/read-model-rows.ts';

/**
 * Binance's kline intervals, from the read model's candles. Six intervals are stored (1m, 5m, 15m,
 * 1h, 4h, 1d); the others are exact aggregates of a stored one whose buckets nest in theirs (3m of
 * 1m, 12h of 4h, 1w of 1d, ...), and 1s is bucketed from the trades themselves, found through the
 * trade-id range of the 1m candles. Buckets are UTC and epoch-aligned as on Binance; weeks open on
 * Monday, months on the 1st. With a time zone, buckets are those of the local clock (a +08:00 day
 * opens at 16:00 UTC), built from the largest stored interval whose UTC buckets nest in them; times
 * in and out stay UTC milliseconds, as on Binance.
 */
/** The stored interval each kline interval is built from; 1s is built from the trades themselves. */
const SOURCE: Readonly<Record<KlineInterval, CandleInterval | undefined>> = {
  '1s': undefined,
  '1m': '1m',
  '3m': '1m',
  '5m': '5m',
  '15m': '15m',
  '30m': '15m',
  '1h': '1h',
  '2h': '1h',
  '4h': '4h',
  '6h': '1h',
  '8h': '4h',
  '12h': '4h',
  '1d': '1d',
  '3d': '1d',
  '1w': '1d',
  '1M': '1d',
};

export { isKlineInterval, KLINE_INTERVALS, type KlineInterval };

/** An interval's buckets on a clock `offsetMs` ahead of UTC, in UTC milliseconds. */
export class KlineBuckets {
  readonly interval: KlineInterval;
  readonly offsetMs: number;
  constructor(interval: KlineInterval, offsetMs: number) {
    this.interval = interval;
    this.offsetMs = offsetMs;
  }

  /** The open time of the bucket holding `ts`. */
  open(ts: number): number {
    return klineOpenTime(ts + this.offsetMs, this.interval) - this.offsetMs;
  }

  /** The open time of the bucket after the one opening at `open`. */
  next(open: number): number {
    return klineCloseTime(open + this.offsetMs, this.interval) + 1 - this.offsetMs;
  }

  /** The first bucket opening at or after `ts`. */
  ceil(ts: number): number {
    const open = this.open(ts);
    return open === ts ? open : this.next(open);
  }

  /** The stored interval to build from: UTC buckets that nest in these, the largest there is. */
  source(): CandleInterval | undefined {
    const best = SOURCE[this.interval];
    if (best === undefined) return undefined;
    for (let i = CANDLE_INTERVALS.indexOf(best); i >= 0; i--) {
      const candidate = CANDLE_INTERVALS[i]!;
      if (this.offsetMs % CANDLE_INTERVAL_MS[candidate] === 0) return candidate;
    }
    return undefined;
  }
}

/**
 * Binance's timeZone parameter, as milliseconds ahead of UTC: hours ("8", "-1"), or hours and minutes
 * ("05:45", "+08:00", "-1:00"), from -12:00 to +14:00. Undefined if malformed or out of range.
 */
export function parseTimeZone(text: string): number | undefined {
  const match = /^([+-]?)(\d{1,2})(?::(\d{2}))?$/.exec(text);
  if (match === null) return undefined;
  const hours = Number(match[2]);
  const minutes = match[3] === undefined ? 0 : Number(match[3]);
  if (minutes > 59) return undefined;
  const offset = (match[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
  return offset < -12 * 60 || offset > 14 * 60 ? undefined : offset * 60_000;
}

export interface Kline {
  readonly openTime: number;
  readonly closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number;
  takerBuyVolume: number;
  takerBuyQuoteVolume: number;
  count: number;
}

export interface KlineQuery {
  readonly symbol: string;
  readonly interval: KlineInterval;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit: number;
  /** Milliseconds ahead of UTC of the clock whose buckets to use. @default 0 */
  readonly timeZoneMs?: number;
}

const PAGE = 1_000;

/** Klines by ascending open time: from startTime on, or else the newest up to endTime (or now). */
export async function queryKlines(readModel: ReadModelQueries, query: KlineQuery): Promise<Kline[]> {
  const buckets = new KlineBuckets(query.interval, query.timeZoneMs ?? 0);
  const endTime = query.endTime ?? Number.MAX_SAFE_INTEGER;
  // A bucket opening at or before endTime is returned whole.
  const lastTs = query.endTime === undefined ? endTime : buckets.next(buckets.open(endTime)) - 1;
  if (query.startTime !== undefined && query.startTime > endTime) return [];
  const klines = new Map<number, Kline>();
  const add = (ts: number, row: Omit<Kline, 'openTime' | 'closeTime'>, first: boolean) => {
    const openTime = buckets.open(ts);
    const existing = klines.get(openTime);
    if (existing === undefined) {
      const closeTime = buckets.next(openTime) - 1;
      klines.set(openTime, { openTime, closeTime, ...row });
    } else if (first) {
      // Rows arrive newest first when walking back: this one opens the bucket.
      existing.open = row.open;
      merge(existing, row);
    } else {
      existing.close = row.close;
      merge(existing, row);
    }
  };
  const source = buckets.source();
  const ascending = query.startTime !== undefined;
  const enough = () => klines.size > query.limit;

  if (source !== undefined) {
    // Walk the stored candles page by page until one bucket more than asked has started (so the
    // last one asked for is complete) or the data ends.
    const sourceEnd = lastTs;
    let cursor = ascending ? buckets.ceil(query.startTime!) : sourceEnd;
    for (;;) {
      const candleQuery: CandleQuery = ascending
        ? { symbol: query.symbol, interval: source, startTime: cursor, endTime: sourceEnd, limit: PAGE }
        : { symbol: query.symbol, interval: source, endTime: cursor, limit: PAGE };
      const rows = await readModel.candles(candleQuery);
      const ordered = ascending ? rows : [...rows].reverse();
      for (const row of ordered) {
        add(row.openTime, fromCandle(row), !ascending);
        if (enough()) break;
      }
      if (enough() || rows.length < PAGE) break;
      cursor = ascending ? rows[rows.length - 1]!.openTime + 1 : rows[0]!.openTime - 1;
    }
  } else {
    await secondKlines(readModel, query, lastTs, ascending, add, enough);
  }
  const sorted = [...klines.values()].sort((a, b) => a.openTime - b.openTime);
  return ascending ? sorted.slice(0, query.limit) : sorted.slice(-query.limit);
}

/** 1s klines: the 1m candles give each minute's trade-id range; the trades give the seconds. */
async function secondKlines(
  readModel: ReadModelQueries,
  query: KlineQuery,
  lastTs: number,
  ascending: boolean,
  add: (ts: number, row: Omit<Kline, 'openTime' | 'closeTime'>, first: boolean) => void,
  enough: () => boolean,
): Promise<void> {
  let cursor = ascending ? new KlineBuckets('1m', 0).open(query.startTime!) : lastTs;
  const firstSecond = ascending ? new KlineBuckets('1s', 0).ceil(query.startTime!) : 0;
  for (;;) {
    const minutes = await readModel.candles(
      ascending
        ? { symbol: query.symbol, interval: '1m', startTime: cursor, endTime: lastTs, limit: 60 }
        : { symbol: query.symbol, interval: '1m', endTime: cursor, limit: 60 },
    );
    const ordered = ascending ? minutes : [...minutes].reverse();
    for (const minute of ordered) {
      const trades = await tradesOf(readModel, query.symbol, minute);
      const inOrder = ascending ? trades : trades.reverse();
      for (const t of inOrder) {
        if (t.ts > lastTs || t.ts < firstSecond) continue;
        const takerBuys = t.takerSide === 'BUY';
        const row = {
          open: t.price,
          high: t.price,
          low: t.price,
          close: t.price,
          volume: t.quantity,
          quoteVolume: t.quoteQuantity,
          takerBuyVolume: takerBuys ? t.quantity : 0,
          takerBuyQuoteVolume: takerBuys ? t.quoteQuantity : 0,
          count: 1,
        };
        add(t.ts, row, !ascending);
        if (enough()) return;
      }
    }
    if (minutes.length < 60) return;
    cursor = ascending ? minutes[minutes.length - 1]!.openTime + 1 : minutes[0]!.openTime - 1;
  }
}

async function tradesOf(readModel: ReadModelQueries, symbol: string, minute: CandleRow): Promise<TradeRow[]> {
  const out: TradeRow[] = [];
  let fromId = minute.firstTradeId;
  while (fromId <= minute.lastTradeId) {
    const page = await readModel.trades({ symbol, fromId, limit: PAGE });
    for (const t of page) if (t.tradeId <= minute.lastTradeId) out.push(t);
    if (page.length < PAGE) break;
    fromId = page[page.length - 1]!.tradeId + 1;
  }
  return out;
}

function fromCandle(row: CandleRow): Omit<Kline, 'openTime' | 'closeTime'> {
  return {
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    volume: row.volume,
    quoteVolume: row.quoteVolume,
    takerBuyVolume: row.takerBuyVolume,
    takerBuyQuoteVolume: row.takerBuyQuoteVolume,
    count: row.tradeCount,
  };
}

function merge(into: Kline, row: Omit<Kline, 'openTime' | 'closeTime'>): void {
  if (row.high > into.high) into.high = row.high;
  if (row.low < into.low) into.low = row.low;
  into.volume += row.volume;
  into.quoteVolume += row.quoteVolume;
  into.takerBuyVolume += row.takerBuyVolume;
  into.takerBuyQuoteVolume += row.takerBuyQuoteVolume;
  into.count += row.count;
}
