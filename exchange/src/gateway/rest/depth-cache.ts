import type { MarketDataView } from '../../marketdata/market-data-view.ts';
import { formatMinor } from '../binance/decimal.ts';
import type { CatalogMarket } from '../binance/market-catalog.ts';

/**
 * Serialized depth answers per (symbol, limit), dropped when the symbol's book changes. Only the
 * levels are cached: each answer is stamped with the lastUpdateId of the moment it is served. An
 * unchanged book is the book at that id too, and the id must be current, or a client keeping a local
 * book by Binance's procedure finds the first diff of a quiet symbol starting past lastUpdateId + 1
 * (ids are the global command seq, which other symbols move on) and fetches the snapshot again and
 * again (ccxt gives up with a checksum error).
 */
export class DepthCache {
  readonly #view: MarketDataView;
  /** `"bids":[...],"asks":[...]}` by symbol and limit. */
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
    if (cached !== undefined) return `{"lastUpdateId":${this.#view.lastUpdateId},${cached}`;
    const depth = this.#view.depth(symbol, limit);
    if (depth === undefined) return undefined;
    const q = market.quoteDecimals;
    const b = market.baseDecimals;
    let text = '"bids":[';
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
    return `{"lastUpdateId":${depth.lastUpdateId},${text}`;
  }
}
