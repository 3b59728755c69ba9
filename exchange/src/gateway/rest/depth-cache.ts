import type { MarketDataView } from '../../marketdata/market-data-view.ts';
import { formatMinor } from '../binance/decimal.ts';
import type { CatalogMarket } from '../binance/market-catalog.ts';

/**
 * Serialized depth answers per (symbol, limit), dropped when the symbol's book changes. A cached
 * answer may carry an older lastUpdateId than the newest command's; that is still exact for Binance's
 * local-book procedure, because no diff of this symbol lies between the two ids.
 */
export class DepthCache {
  readonly #view: MarketDataView;
  readonly #bySymbol = new Map<string, Map<number, string>>();

  constructor(view: MarketDataView) {
    this.#view = view;
  }

  /** Call when a symbol's book changed. */
  invalidate(symbol: string): void {
    this.#bySymbol.get(symbol)?.clear();
  }

  get(market: CatalogMarket, limit: number): string | undefined {
    const symbol = market.spec.symbol;
    let perLimit = this.#bySymbol.get(symbol);
    const cached = perLimit?.get(limit);
    if (cached !== undefined) return cached;
    const depth = this.#view.depth(symbol, limit);
    if (depth === undefined) return undefined;
    const q = market.quoteDecimals;
    const b = market.baseDecimals;
    let text = `{"lastUpdateId":${depth.lastUpdateId},"bids":[`;
    for (let i = 0; i < depth.bids.length; i++) {
      const [price, qty] = depth.bids[i]!;
      text += `${i === 0 ? '' : ','}["${formatMinor(price, q)}","${formatMinor(qty, b)}"]`;
    }
    text += '],"asks":[';
    for (let i = 0; i < depth.asks.length; i++) {
      const [price, qty] = depth.asks[i]!;
      text += `${i === 0 ? '' : ','}["${formatMinor(price, q)}","${formatMinor(qty, b)}"]`;
    }
    text += ']}';
    if (perLimit === undefined) {
      perLimit = new Map();
      this.#bySymbol.set(symbol, perLimit);
    }
    perLimit.set(limit, text);
    return text;
  }
}
