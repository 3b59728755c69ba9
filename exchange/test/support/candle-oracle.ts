import { bucketCloseTime, bucketOpenTime, type CandleInterval } from '../../src/storage/candle-intervals.ts';
import type { CandleRow, TradeRow } from '../../src/storage/read-model-rows.ts';

/**
 * Candles computed the naive way, straight from trades, as an oracle for the projection's
 * incremental upserts.
 */
export function candlesFromTrades(trades: readonly TradeRow[], interval: CandleInterval): CandleRow[] {
  const byBucket = new Map<string, TradeRow[]>();
  for (const trade of [...trades].sort((a, b) => a.tradeId - b.tradeId)) {
    const key = `${trade.symbol}|${bucketOpenTime(trade.ts, interval)}`;
    byBucket.set(key, [...(byBucket.get(key) ?? []), trade]);
  }
  const candles: CandleRow[] = [];
  for (const bucket of byBucket.values()) {
    const first = bucket[0]!;
    const last = bucket[bucket.length - 1]!;
    const openTime = bucketOpenTime(first.ts, interval);
    candles.push({
      symbol: first.symbol,
      interval,
      openTime,
      closeTime: bucketCloseTime(openTime, interval),
      open: first.price,
      high: Math.max(...bucket.map((t) => t.price)),
      low: Math.min(...bucket.map((t) => t.price)),
      close: last.price,
      volume: bucket.reduce((sum, t) => sum + t.quantity, 0),
      quoteVolume: bucket.reduce((sum, t) => sum + t.quoteQuantity, 0),
      takerBuyVolume: bucket.reduce((sum, t) => sum + (t.takerSide === 'BUY' ? t.quantity : 0), 0),
      takerBuyQuoteVolume: bucket.reduce((sum, t) => sum + (t.takerSide === 'BUY' ? t.quoteQuantity : 0), 0),
      tradeCount: bucket.length,
      firstTradeId: first.tradeId,
      lastTradeId: last.tradeId,
    });
  }
  return candles.sort((a, b) => a.symbol.localeCompare(b.symbol) || a.openTime - b.openTime);
}
