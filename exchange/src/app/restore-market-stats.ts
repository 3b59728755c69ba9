import type { MarketData } from '../marketdata/market-data.ts';
import { MAX_LIMIT, type ReadModelQueries } from '../storage/read-model-port.ts';

/**
 * Brings back market data's rolling 24-hour statistics after a start, from the read model's trades,
 * so that a restarted exchange reports the tickers it reported before it stopped.
 *
 * The window starts on a minute, so the 1m candles find its trades without a time index on trades:
 * the newest candle before the window ends with the trade that sets the previous close, and the first
 * candle in it starts the trade-id range to page through.
 *
 * Each trade must count exactly once. The read model must hold every command up to market data's
 * position (`lastUpdateId`: the recovered engine's snapshot), so the caller waits for the projection
 * first; trades after that position are skipped here, since they reach market data through the live
 * feed, which must not apply a trade before this returns. Returns the number of trades restored.
 */
export async function restoreMarketStats(
  marketData: MarketData,
  readModel: ReadModelQueries,
  nowMs: number,
): Promise<number> {
  const throughSeq = marketData.lastUpdateId;
  const startTime = marketData.statsRestoreFrom(nowMs);
  let restored = 0;
  for (const symbol of marketData.symbols()) {
    const minute = { symbol, interval: '1m', limit: 1 } as const;
    const [lastBefore] = await readModel.candles({ ...minute, endTime: startTime - 1 });
    if (lastBefore !== undefined) {
      const [close] = await readModel.trades({ symbol, fromId: lastBefore.lastTradeId, limit: 1 });
      if (close !== undefined && close.seq <= throughSeq) {
        marketData.restoreStats(symbol, [close]);
        restored++;
      }
    }
    const [first] = await readModel.candles({ ...minute, startTime });
    let fromId = first?.firstTradeId;
    while (fromId !== undefined) {
      const page = await readModel.trades({ symbol, fromId, limit: MAX_LIMIT });
      // Pages run in trade order, which is seq order: the first trade past the position ends it.
      const known = page.filter((t) => t.seq <= throughSeq);
      marketData.restoreStats(symbol, known);
      restored += known.length;
      fromId = page.length < MAX_LIMIT || known.length < page.length ? undefined : page.at(-1)!.tradeId + 1;
    }
  }
  return restored;
}
