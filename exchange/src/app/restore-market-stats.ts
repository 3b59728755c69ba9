import type { MarketData } from '../marketdata/market-data.ts';
import { MAX_LIMIT, type ReadModelPort } from '../storage/read-model-port.ts';
import type { TradeRow } from '../storage/read-model-rows.ts';

/**
 * Brings back market data's rolling 24-hour statistics after a start, from the read model's trades,
 * so that a restarted exchange reports the tickers it reported before it stopped.
 *
 * Each trade must count exactly once. The read model must hold every command up to market data's
 * position (`lastUpdateId`: the recovered engine's snapshot), so the caller waits for the projection
 * first; trades after that position are skipped here, since they reach market data through the live
 * feed, which must not apply a trade before this returns. Returns the number of trades restored.
 */
export async function restoreMarketStats(
  marketData: MarketData,
  readModel: ReadModelPort,
  nowMs: number,
): Promise<number> {
  const throughSeq = marketData.lastUpdateId;
  const startTime = marketData.statsRestoreFrom(nowMs);
  let restored = 0;
  for (const symbol of marketData.symbols()) {
    const before = await readModel.lastTradeBefore(symbol, startTime);
    // The trade before the window sets the previous close (the price when the window is empty).
    if (before !== undefined && before.seq <= throughSeq) {
      marketData.restoreStats(symbol, [before]);
      restored++;
    }
    let after: TradeRow | undefined;
    for (;;) {
      const page = await readModel.tradesSince({
        symbol,
        startTime,
        limit: MAX_LIMIT,
        ...(after !== undefined && { after }),
      });
      // Pages run in trade order, which is seq order: the first trade past the position ends it.
      const known = page.filter((t) => t.seq <= throughSeq);
      marketData.restoreStats(symbol, known);
      restored += known.length;
      if (page.length < MAX_LIMIT || known.length < page.length) break;
      after = page[page.length - 1];
    }
  }
  return restored;
}
