import { mulDiv } from '../domain/amount.ts';
import type { MarketSpec, MarketStatus, Side } from '../domain/market.ts';
import { AVG_PRICE_MINS, type MarketOrderPricing } from '../domain/symbol-filters.ts';
import type { AssetInfo } from './assets.ts';
import { AveragePriceWindow } from './average-price.ts';
import { BookSide } from './book-side.ts';

/** A listed market: its rules, its two assets, its book and its trade history's running figures. */
export class Market implements MarketOrderPricing {
  readonly spec: MarketSpec;
  readonly base: AssetInfo;
  readonly quote: AssetInfo;
  /** 10^base decimals: the number of base minor units in one whole base unit. */
  readonly baseScale: number;
  /**
   * Quote minor units per (tick × lot): tickSize × lotSize ÷ baseScale, a whole number by the listing
   * rule. Prices on the book are whole ticks and quantities whole lots, so their notional is
   * ticks × lots × this, without a product (price × quantity easily passes 2^53) to divide exactly.
   */
  private readonly tickLotQuote: number;
  readonly bids = new BookSide('BUY');
  readonly asks = new BookSide('SELL');
  status: MarketStatus = 'TRADING';
  /** Trade ids and aggregate trade ids run 1, 2, 3... per market, as Binance numbers them per symbol. */
  nextTradeId = 1;
  nextAggTradeId = 1;
  /** What a MARKET order's notional is valued at. */
  readonly averagePrice = new AveragePriceWindow(AVG_PRICE_MINS);

  constructor(spec: MarketSpec, base: AssetInfo, quote: AssetInfo) {
    this.spec = spec;
    this.base = base;
    this.quote = quote;
    this.baseScale = 10 ** base.decimals;
    this.tickLotQuote = mulDiv(spec.tickSize, spec.lotSize, this.baseScale, false);
  }

  /** Quote minor units for `quantity` base minor units at `price`; exact by the listing rule. */
  notional(price: number, quantity: number): number {
    const { tickSize, lotSize } = this.spec;
    if (price % tickSize === 0 && quantity % lotSize === 0) {
      const exact = (price / tickSize) * (quantity / lotSize) * this.tickLotQuote;
      if (Number.isSafeInteger(exact)) return exact;
    }
    return mulDiv(price, quantity, this.baseScale, false);
  }

  /** The largest whole number of lots that `quoteBudget` buys at `price`, in base minor units. */
  affordableQuantity(quoteBudget: number, price: number): number {
    const quantity = mulDiv(quoteBudget, this.baseScale, price, false);
    return quantity - (quantity % this.spec.lotSize);
  }

  /**
   * The price a MARKET order on `side` at `nowMs` is valued at by the notional filter: the average
   * price, or before the market's first trade the best price it would take, or 0 with nothing to take.
   */
  marketOrderPrice(side: Side, nowMs: number): number {
    if (this.averagePrice.lastPrice !== 0) return this.averagePrice.price(nowMs, this.baseScale);
    return (side === 'BUY' ? this.asks : this.bids).best()?.price ?? 0;
  }
}
