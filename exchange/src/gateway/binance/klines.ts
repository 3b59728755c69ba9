import type { CandleInterval } from '../../storage/candle-intervals.ts';
import type { CandleQuery, ReadModelPort } from '../../storage/read-model-port.ts';
import type { CandleRow, TradeRow } from '../../storage/read-model-rows.ts';

/**
 * Binance's kline intervals, from the read model's candles. Six intervals are stored (1m, 5m, 15m,
 * 1h, 4h, 1d); the others are exact aggregates of a stored one whose buckets nest in theirs (3m of
 * 1m, 12h of 4h, 1w of 1d, ...), and 1s is bucketed from the trades themselves, found through the
 * trade-id range of the 1m candles. Buckets are UTC and epoch-aligned as on Binance; weeks open on
 * Monday, months on the 1st.
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

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
/** 1970-01-01 was a Thursday; the first Monday is four days later. */
const MONDAY_OFFSET = 4 * D;

interface Plan {
  /** Bucket size, or 0 for calendar months. */
  readonly sizeMs: number;
  readonly offsetMs: number;
  /** The stored interval it is built from; undefined for 1s (built from trades). */
  readonly source?: CandleInterval;
}

const PLANS: Readonly<Record<KlineInterval, Plan>> = {
  '1s': { sizeMs: S, offsetMs: 0 },
  '1m': { sizeMs: M, offsetMs: 0, source: '1m' },
  '3m': { sizeMs: 3 * M, offsetMs: 0, source: '1m' },
  '5m': { sizeMs: 5 * M, offsetMs: 0, source: '5m' },
  '15m': { sizeMs: 15 * M, offsetMs: 0, source: '15m' },
  '30m': { sizeMs: 30 * M, offsetMs: 0, source: '15m' },
  '1h': { sizeMs: H, offsetMs: 0, source: '1h' },
  '2h': { sizeMs: 2 * H, offsetMs: 0, source: '1h' },
  '4h': { sizeMs: 4 * H, offsetMs: 0, source: '4h' },
  '6h': { sizeMs: 6 * H, offsetMs: 0, source: '1h' },
  '8h': { sizeMs: 8 * H, offsetMs: 0, source: '4h' },
  '12h': { sizeMs: 12 * H, offsetMs: 0, source: '4h' },
  '1d': { sizeMs: D, offsetMs: 0, source: '1d' },
  '3d': { sizeMs: 3 * D, offsetMs: 0, source: '1d' },
  '1w': { sizeMs: 7 * D, offsetMs: MONDAY_OFFSET, source: '1d' },
  '1M': { sizeMs: 0, offsetMs: 0, source: '1d' },
};

export function isKlineInterval(value: string): value is KlineInterval {
  return Object.hasOwn(PLANS, value);
}

export function bucketOpen(interval: KlineInterval, ts: number): number {
  const plan = PLANS[interval];
  if (plan.sizeMs === 0) {
    const date = new Date(ts);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  }
  return Math.floor((ts - plan.offsetMs) / plan.sizeMs) * plan.sizeMs + plan.offsetMs;
}

function nextOpen(interval: KlineInterval, open: number): number {
  const plan = PLANS[interval];
  if (plan.sizeMs !== 0) return open + plan.sizeMs;
  const date = new Date(open);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
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
  count: number;
}

export interface KlineQuery {
  readonly symbol: string;
  readonly interval: KlineInterval;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit: number;
}

const PAGE = 1_000;

/** Klines by ascending open time: from startTime on, or else the newest up to endTime (or now). */
export async function queryKlines(readModel: ReadModelPort, query: KlineQuery): Promise<Kline[]> {
  const { interval } = query;
  const endTime = query.endTime ?? Number.MAX_SAFE_INTEGER;
  // A bucket opening at or before endTime is returned whole.
  const lastTs =
    query.endTime === undefined ? endTime : nextOpen(interval, bucketOpen(interval, endTime)) - 1;
  if (query.startTime !== undefined && query.startTime > endTime) return [];
  const buckets = new Map<number, Kline>();
  const add = (ts: number, row: Omit<Kline, 'openTime' | 'closeTime'>, first: boolean) => {
    const openTime = bucketOpen(interval, ts);
    const existing = buckets.get(openTime);
    if (existing === undefined) {
      const closeTime = nextOpen(interval, openTime) - 1;
      buckets.set(openTime, { openTime, closeTime, ...row });
    } else if (first) {
      // Rows arrive newest first when walking back: this one opens the bucket.
      existing.open = row.open;
      merge(existing, row);
    } else {
      existing.close = row.close;
      merge(existing, row);
    }
  };
  const plan = PLANS[interval];
  const ascending = query.startTime !== undefined;
  const enough = () => buckets.size > query.limit;

  if (plan.source !== undefined) {
    const source = plan.source;
    // Walk the stored candles page by page until one bucket more than asked has started (so the
    // last one asked for is complete) or the data ends.
    const sourceEnd = lastTs;
    let cursor = ascending ? ceilOpen(interval, query.startTime!) : sourceEnd;
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
  const sorted = [...buckets.values()].sort((a, b) => a.openTime - b.openTime);
  return ascending ? sorted.slice(0, query.limit) : sorted.slice(-query.limit);
}

/** 1s klines: the 1m candles give each minute's trade-id range; the trades give the seconds. */
async function secondKlines(
  readModel: ReadModelPort,
  query: KlineQuery,
  lastTs: number,
  ascending: boolean,
  add: (ts: number, row: Omit<Kline, 'openTime' | 'closeTime'>, first: boolean) => void,
  enough: () => boolean,
): Promise<void> {
  let cursor = ascending ? bucketOpen('1m', query.startTime!) : lastTs;
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
        if (t.ts > lastTs || (ascending && t.ts < ceilOpen('1s', query.startTime!))) continue;
        const row = {
          open: t.price,
          high: t.price,
          low: t.price,
          close: t.price,
          volume: t.quantity,
          quoteVolume: t.quoteQuantity,
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

async function tradesOf(readModel: ReadModelPort, symbol: string, minute: CandleRow): Promise<TradeRow[]> {
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

/** The first bucket opening at or after ts. */
function ceilOpen(interval: KlineInterval, ts: number): number {
  const open = bucketOpen(interval, ts);
  return open === ts ? open : nextOpen(interval, open);
}

function fromCandle(row: CandleRow): Omit<Kline, 'openTime' | 'closeTime'> {
  return {
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    volume: row.volume,
    quoteVolume: row.quoteVolume,
    count: row.tradeCount,
  };
}

function merge(into: Kline, row: Omit<Kline, 'openTime' | 'closeTime'>): void {
  if (row.high > into.high) into.high = row.high;
  if (row.low < into.low) into.low = row.low;
  into.volume += row.volume;
  into.quoteVolume += row.quoteVolume;
  into.count += row.count;
}
