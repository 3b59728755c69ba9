import { placesOf } from '../lib/decimal.ts';

/** The parts of exchangeInfo a symbol's order form needs. */
export interface ExchangeInfoSymbol {
  readonly symbol: string;
  readonly status: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly orderTypes: readonly string[];
  readonly quoteOrderQtyMarketAllowed?: boolean;
  readonly filters: readonly ({ readonly filterType: string } & Readonly<Record<string, unknown>>)[];
}

export interface SymbolRules {
  readonly symbol: string;
  readonly trading: boolean;
  readonly base: string;
  readonly quote: string;
  readonly orderTypes: readonly string[];
  readonly quoteOrderQtyMarketAllowed: boolean;
  readonly tickSize: string;
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly pricePlaces: number;
  readonly stepSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  readonly qtyPlaces: number;
  readonly marketMinQty: string;
  readonly marketMaxQty: string;
  readonly marketStepSize: string;
  /** The smallest price × quantity, or "0" when the symbol publishes none. */
  readonly minNotional: string;
  readonly applyMinToMarket: boolean;
}

/** Reads a symbol's filters (PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE, NOTIONAL or MIN_NOTIONAL). */
export function rulesOf(info: ExchangeInfoSymbol): SymbolRules {
  const filter = (type: string) => info.filters.find((f) => f.filterType === type);
  const text = (f: Readonly<Record<string, unknown>> | undefined, name: string, fallback: string) =>
    typeof f?.[name] === 'string' ? (f[name] as string) : fallback;
  const price = filter('PRICE_FILTER');
  const lot = filter('LOT_SIZE');
  const marketLot = filter('MARKET_LOT_SIZE') ?? lot;
  const notional = filter('NOTIONAL') ?? filter('MIN_NOTIONAL');
  const tickSize = text(price, 'tickSize', '0.00000001');
  const stepSize = text(lot, 'stepSize', '0.00000001');
  const marketStep = text(marketLot, 'stepSize', '0');
  return {
    symbol: info.symbol,
    trading: info.status === 'TRADING',
    base: info.baseAsset,
    quote: info.quoteAsset,
    orderTypes: info.orderTypes,
    quoteOrderQtyMarketAllowed: info.quoteOrderQtyMarketAllowed !== false,
    tickSize,
    minPrice: text(price, 'minPrice', '0'),
    maxPrice: text(price, 'maxPrice', '0'),
    pricePlaces: placesOf(tickSize),
    stepSize,
    minQty: text(lot, 'minQty', '0'),
    maxQty: text(lot, 'maxQty', '0'),
    qtyPlaces: placesOf(stepSize),
    marketMinQty: text(marketLot, 'minQty', '0'),
    marketMaxQty: text(marketLot, 'maxQty', '0'),
    marketStepSize: Number(marketStep) === 0 ? stepSize : marketStep,
    minNotional: text(notional, 'minNotional', '0'),
    applyMinToMarket: notional?.applyMinToMarket !== false,
  };
}
