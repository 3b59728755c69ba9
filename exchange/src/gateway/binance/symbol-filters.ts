import type { NewOrder } from '../../domain/commands.ts';
import { RejectReason } from '../../domain/reject-reason.ts';
import { AVG_PRICE_MINS, symbolFilterFailure } from '../../domain/symbol-filters.ts';
import type { MarketDataView } from '../../marketdata/market-data-view.ts';
import type { CatalogMarket } from './market-catalog.ts';

/**
 * Binance's symbol filters on an order whose shape the request parser already checked, for
 * order/test, which must refuse what a real order would be refused for without placing it: the
 * engine's own filter definition (`domain/symbol-filters.ts`), with a MARKET order by quantity valued
 * as the engine values it, at market data's average price (which follows the same trades with the same
 * minute buckets), or before the first trade at the best opposite price.
 */
export function orderTestFilterFailure(
  order: NewOrder,
  market: CatalogMarket,
  marketData: MarketDataView,
  nowMs: number,
): RejectReason | null {
  // The engine keeps client ids with this prefix for the ids it makes up.
  if (order.clientOrderId?.startsWith('bourse-') === true) return RejectReason.INVALID_COMMAND;
  const { symbol } = market.spec;
  const pricing = {
    marketOrderPrice: (side: 'BUY' | 'SELL', now: number) => {
      const average = marketData.averagePrice(symbol, now, AVG_PRICE_MINS)?.price ?? 0;
      if (average !== 0) return average;
      const book = marketData.bookTicker(symbol);
      return (side === 'BUY' ? book?.askPrice : book?.bidPrice) ?? 0;
    },
  };
  return symbolFilterFailure(order, market.spec, 10 ** market.baseDecimals, pricing, nowMs);
}
