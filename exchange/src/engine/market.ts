import { mulDiv } from '../domain/amount.ts';
import type { MarketSpec, MarketStatus } from '../domain/market.ts';
import type { AssetInfo } from './assets.ts';
import { BookSide } from './book-side.ts';

/** A listed market: its rules, its two assets and its book. */
export class Market {
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
}
