import type { Amount } from '../domain/amount.ts';
import type { Trade } from '../domain/events.ts';
import {
  KLINE_INTERVALS,
  type KlineInterval,
  sameBucketsAsUtc,
  zonedKlineCloseTime,
  zonedKlineOpenTime,
} from './kline-intervals.ts';

/** A candle in minor units, with Binance's taker-buy volumes. */
export interface Kline {
  readonly symbol: string;
  readonly interval: KlineInterval;
  readonly openTime: number;
  readonly closeTime: number;
  open: Amount;
  high: Amount;
  low: Amount;
  close: Amount;
  volume: Amount;
  quoteVolume: Amount;
  takerBuyVolume: Amount;
  takerBuyQuoteVolume: Amount;
  firstTradeId: number;
  lastTradeId: number;
  count: number;
}

/**
 * One symbol's current candle, and the one before it, for every Binance interval, in UTC and in each
 * time zone asked for (Binance's kline streams take `@+08:00`): what the kline streams push. A zone
 * keeps candles of its own only for the intervals whose buckets it moves (a +08:00 day, week or
 * month); for the others its candles are UTC's. The history lives in the read model's candles; this
 * only follows the live edge.
 */
export class LiveKlines {
  readonly symbol: string;
  /** Each kept (zone, interval): its current candle and the one before. */
  private readonly series: KlineSeries[] = [];
  private readonly byZone = new Map<number, Map<KlineInterval, KlineSeries>>();

  constructor(symbol: string, timeZonesMs: readonly number[] = []) {
    this.symbol = symbol;
    for (const offsetMs of [0, ...timeZonesMs.filter((z) => z !== 0)]) {
      const zone = new Map<KlineInterval, KlineSeries>();
      this.byZone.set(offsetMs, zone);
      for (const interval of KLINE_INTERVALS) {
        if (offsetMs !== 0 && sameBucketsAsUtc(interval, offsetMs)) continue;
        const series: KlineSeries = { interval, offsetMs, current: undefined, previous: undefined };
        zone.set(interval, series);
        this.series.push(series);
      }
    }
  }

  /** The time zones kept besides UTC, in milliseconds ahead of it. */
  get timeZonesMs(): number[] {
    return [...this.byZone.keys()].filter((z) => z !== 0);
  }

  add(trade: Trade): void {
    const takerBuys = trade.takerSide === 'BUY';
    for (const series of this.series) {
      let kline = series.current;
      if (kline === undefined || trade.ts > kline.closeTime) {
        if (kline !== undefined) series.previous = kline;
        const { interval, offsetMs } = series;
        const openTime = zonedKlineOpenTime(trade.ts, interval, offsetMs);
        kline = {
          symbol: this.symbol,
          interval,
          openTime,
          closeTime: zonedKlineCloseTime(openTime, interval, offsetMs),
          open: trade.price,
          high: trade.price,
          low: trade.price,
          close: trade.price,
          volume: 0,
          quoteVolume: 0,
          takerBuyVolume: 0,
          takerBuyQuoteVolume: 0,
          firstTradeId: trade.tradeId,
          lastTradeId: trade.tradeId,
          count: 0,
        };
        series.current = kline;
      }
      if (trade.price > kline.high) kline.high = trade.price;
      if (trade.price < kline.low) kline.low = trade.price;
      kline.close = trade.price;
      kline.volume += trade.quantity;
      kline.quoteVolume += trade.quoteQuantity;
      if (takerBuys) {
        kline.takerBuyVolume += trade.quantity;
        kline.takerBuyQuoteVolume += trade.quoteQuantity;
      }
      kline.lastTradeId = trade.tradeId;
      kline.count++;
    }
  }

  /** The newest candle with a trade in it, which may already be closed; undefined for a zone not kept. */
  latest(interval: KlineInterval, offsetMs = 0): Readonly<Kline> | undefined {
    return this.seriesOf(interval, offsetMs)?.current;
  }

  /** The candle before the latest one. */
  before(interval: KlineInterval, offsetMs = 0): Readonly<Kline> | undefined {
    return this.seriesOf(interval, offsetMs)?.previous;
  }

  private seriesOf(interval: KlineInterval, offsetMs: number): KlineSeries | undefined {
    const zone = this.byZone.get(offsetMs);
    if (zone === undefined) return undefined;
    return zone.get(interval) ?? this.byZone.get(0)!.get(interval);
  }
}

interface KlineSeries {
  readonly interval: KlineInterval;
  readonly offsetMs: number;
  current: Kline | undefined;
  previous: Kline | undefined;
}
