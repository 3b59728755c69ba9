import type { MarketDataView } from '../../marketdata/market-data-view.ts';
import { formatMinor } from '../binance/decimal.ts';
import type { CatalogMarket } from '../binance/market-catalog.ts';

/** A serialized depth answer: its levels, and the whole answer as last stamped. */
interface Cached {
  /** `"bids":[...],"asks":[...]}` */
  readonly levels: string;
  stampedId: number;
  text: string;
}

/**
 * Serialized depth answers per (symbol, limit), dropped when the symbol's book changes. An answer
 * is stamped with the lastUpdateId of the moment it is served: an unchanged book is the book at that
 * id too, and the id must be current, or a client keeping a local book by Binance's procedure finds
 * the first diff of a quiet symbol starting past lastUpdateId + 1 (ids are the global command seq,
 * which other symbols move on) and fetches the snapshot again and again (ccxt gives up with a
 * checksum error). The stamped text is kept until the id moves, so polling a still exchange costs
 * no string building at all.
 */
export class DepthCache {
  readonly #view: MarketDataView;
  readonly #bySymbol = new Map<string, Map<number, Cached>>();

  constructor(view: MarketDataView) {
    this.#view = view;
  }

  /** Call when a symbol's book changed. */
  invalidate(symbol: string): void {
    this.#bySymbol.get(symbol)?.clear();
  }

  get(market: CatalogMarket, limit: number): string | undefined {
    const perLimit = this.#bySymbol.get(market.spec.symbol);
    const cached = perLimit?.get(limit) ?? this.#build(market, limit);
    if (cached === undefined) return undefined;
    const id = this.#view.lastUpdateId;
    if (cached.stampedId !== id) {
      cached.stampedId = id;
      cached.text = `{"lastUpdateId":${id},${cached.levels}`;
    }
    return cached.text;
  }

  /** Serializes the levels and caches them, not yet stamped. */
  #build(market: CatalogMarket, limit: number): Cached | undefined {
    const symbol = market.spec.symbol;
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
    let perLimit = this.#bySymbol.get(symbol);
    if (perLimit === undefined) {
      perLimit = new Map();
      this.#bySymbol.set(symbol, perLimit);
    }
    const entry: Cached = { levels: text, stampedId: -1, text: '' };
    perLimit.set(limit, entry);
    return entry;
  }
}
