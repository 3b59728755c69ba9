import type { Amount } from '../domain/amount.ts';
import type { Trade } from '../domain/events.ts';
import { KLINE_INTERVALS, type KlineInterval, klineCloseTime, klineOpenTime } from './kline-intervals.ts';

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
 * One symbol's current candle, and the one before it, for every Binance interval: what the kline
 * streams push. The history lives in the read model's candles; this only follows the live edge.
 */
export class LiveKlines {
  readonly symbol: string;
  private readonly current = new Map<KlineInterval, Kline>();
  private readonly previous = new Map<KlineInterval, Kline>();

  constructor(symbol: string) {
    this.symbol = symbol;
  }

  add(trade: Trade): void {
    const takerBuys = trade.takerSide === 'BUY';
    for (const interval of KLINE_INTERVALS) {
      let kline = this.current.get(interval);
      if (kline === undefined || trade.ts > kline.closeTime) {
        if (kline !== undefined) this.previous.set(interval, kline);
        const openTime = klineOpenTime(trade.ts, interval);
        kline = {
          symbol: this.symbol,
          interval,
          openTime,
          closeTime: klineCloseTime(openTime, interval),
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
        this.current.set(interval, kline);
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

  /** The newest candle with a trade in it, which may already be closed. */
  latest(interval: KlineInterval): Readonly<Kline> | undefined {
    return this.current.get(interval);
  }

  /** The candle before the latest one. */
  before(interval: KlineInterval): Readonly<Kline> | undefined {
    return this.previous.get(interval);
  }
}
