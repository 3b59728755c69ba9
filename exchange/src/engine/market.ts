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
  readonly bids = new BookSide('BUY');
  readonly asks = new BookSide('SELL');
  status: MarketStatus = 'TRADING';

  constructor(spec: MarketSpec, base: AssetInfo, quote: AssetInfo) {
    this.spec = spec;
    this.base = base;
    this.quote = quote;
    this.baseScale = 10 ** base.decimals;
  }

  /** Quote minor units for `quantity` base minor units at `price`; exact by the listing rule. */
  notional(price: number, quantity: number): number {
    return mulDiv(price, quantity, this.baseScale, false);
  }

  /** The largest whole number of lots that `quoteBudget` buys at `price`, in base minor units. */
  affordableQuantity(quoteBudget: number, price: number): number {
    const quantity = mulDiv(quoteBudget, this.baseScale, price, false);
    return quantity - (quantity % this.spec.lotSize);
  }
}
