import type { Trade } from '../domain/events.ts';
import {
  bucketCloseTime,
  bucketOpenTime,
  CANDLE_INTERVALS,
  type CandleInterval,
} from './candle-intervals.ts';
import type { CandleRow } from './read-model-rows.ts';

/**
 * Folds a batch's trades into one partial candle per (symbol, interval, bucket), so a batch writes
 * each touched candle once instead of once per trade. Partial candles merge into stored ones
 * associatively (open kept, high max, low min, close replaced, sums added), which is what makes the
 * result independent of how the event stream was cut into batches. Adapters express the same merge
 * as an upsert.
 */
export class CandleAccumulator {
  readonly #candles = new Map<string, MutableCandle>();

  add(trade: Trade): void {
    const takerBuys = trade.takerSide === 'BUY';
    const takerBuyVolume = takerBuys ? trade.quantity : 0;
    const takerBuyQuoteVolume = takerBuys ? trade.quoteQuantity : 0;
    for (const interval of CANDLE_INTERVALS) {
      const openTime = bucketOpenTime(trade.ts, interval);
      const key = `${trade.symbol}\u0000${interval}\u0000${openTime}`;
      const candle = this.#candles.get(key);
      if (candle === undefined) {
        this.#candles.set(key, {
          symbol: trade.symbol,
          interval,
          openTime,
          closeTime: bucketCloseTime(openTime, interval),
          open: trade.price,
          high: trade.price,
          low: trade.price,
          close: trade.price,
          volume: trade.quantity,
          quoteVolume: trade.quoteQuantity,
          takerBuyVolume,
          takerBuyQuoteVolume,
          tradeCount: 1,
          firstTradeId: trade.tradeId,
          lastTradeId: trade.tradeId,
        });
      } else {
        if (trade.price > candle.high) candle.high = trade.price;
        if (trade.price < candle.low) candle.low = trade.price;
        candle.close = trade.price;
        candle.volume += trade.quantity;
        candle.quoteVolume += trade.quoteQuantity;
        candle.takerBuyVolume += takerBuyVolume;
        candle.takerBuyQuoteVolume += takerBuyQuoteVolume;
        candle.tradeCount += 1;
        candle.lastTradeId = trade.tradeId;
      }
    }
  }

  get size(): number {
    return this.#candles.size;
  }

  /** The partial candles in insertion order, then forgets them. */
  drain(): CandleRow[] {
    const candles = [...this.#candles.values()];
    this.#candles.clear();
    return candles;
  }

  clear(): void {
    this.#candles.clear();
  }
}

type MutableCandle = { -readonly [K in keyof CandleRow]: CandleRow[K] } & { interval: CandleInterval };
