import { isAmount, mulDiv } from './amount.ts';
import type { NewOrder } from './commands.ts';
import type { MarketSpec, Side } from './market.ts';
import { RejectReason } from './reject-reason.ts';

/**
 * Binance's symbol filters as one definition: exchangeInfo publishes these values and every order
 * (the engine's, and order/test's dry run) is checked against them, so what a client reads is what it
 * is held to. Binance's filter document: https://developers.binance.com/docs/binance-spot-api-docs/filters
 */

/** The minutes a market order's notional is priced over (Binance's `avgPriceMins`; Binance uses 5). */
export const AVG_PRICE_MINS = 5;

const MINUTE_MS = 60_000;

/**
 * The first minute bucket of the average price at `nowMs` over `minutes`: the current minute and the
 * `minutes - 1` before it, as Binance opens its windows on a minute.
 */
export function averagePriceFromMinute(nowMs: number, minutes: number): number {
  return Math.floor((nowMs - minutes * MINUTE_MS) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
}

/**
 * The NOTIONAL filter's terms that no market sets for itself (the minimum is the market's
 * `minNotional`; the older MIN_NOTIONAL filter carries the same minimum). No market lists a maximum,
 * so it is the largest exact amount of quote minor units.
 */
export const NOTIONAL_TERMS = {
  maxNotional: Number.MAX_SAFE_INTEGER,
  applyMinToMarket: true,
  applyMaxToMarket: false,
  avgPriceMins: AVG_PRICE_MINS,
} as const;

/** The NOTIONAL filter of a market, as exchangeInfo publishes it. */
export interface NotionalFilter {
  readonly minNotional: number;
  readonly maxNotional: number;
  readonly applyMinToMarket: boolean;
  readonly applyMaxToMarket: boolean;
  readonly avgPriceMins: number;
}

export function notionalFilterOf(spec: MarketSpec): NotionalFilter {
  return { minNotional: spec.minNotional, ...NOTIONAL_TERMS };
}

/**
 * What a MARKET order by quantity is valued at for the notional filter, in quote minor units per
 * whole base unit: the average price over `avgPriceMins` at `nowMs` (the last price when nothing
 * traded in that window). A market that has never traded has no average: the best price the order
 * would take stands in for it, and with nothing to take the answer is 0 and nothing is checked, since
 * nothing can fill (the order expires). The engine's markets answer from their own trades; order/test
 * from market data's, which are the same.
 */
export interface MarketOrderPricing {
  marketOrderPrice(side: Side, nowMs: number): number;
}

/**
 * Checks an order whose shape is valid (the engine's order rules, or the request parser, saw to
 * that) against PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE, NOTIONAL and MIN_NOTIONAL as Binance
 * applies them: a limit order at its price; a market order by quantity at `pricing`'s price at
 * `nowMs`; a market order by quote amount at that amount. Returns the reason to refuse it, or null.
 * Allocates nothing: the engine calls it for every order.
 */
export function symbolFilterFailure(
  order: NewOrder,
  spec: MarketSpec,
  baseScale: number,
  pricing: MarketOrderPricing,
  nowMs: number,
): RejectReason | null {
  if (order.orderType === 'MARKET') {
    if (order.quoteOrderQty !== undefined) {
      if (!isAmount(order.quoteOrderQty) || order.quoteOrderQty === 0) return RejectReason.INVALID_QUANTITY;
      return notionalFailure(order.quoteOrderQty, spec.minNotional, true);
    }
    const lotFailure = quantityFailure(order.quantity, spec);
    if (lotFailure !== null) return lotFailure;
    // With no bound that applies, the price need not be known.
    if (!(NOTIONAL_TERMS.applyMinToMarket && spec.minNotional > 0) && !NOTIONAL_TERMS.applyMaxToMarket)
      return null;
    const price = pricing.marketOrderPrice(order.side, nowMs);
    if (price === 0) return null;
    return notionalFailure(mulDiv(price, order.quantity!, baseScale, false), spec.minNotional, true);
  }
  const price = order.price;
  if (!isAmount(price) || price === 0) return RejectReason.INVALID_PRICE;
  if (price % spec.tickSize !== 0) return RejectReason.PRICE_NOT_ON_TICK;
  const lotFailure = quantityFailure(order.quantity, spec);
  if (lotFailure !== null) return lotFailure;
  return notionalFailure(mulDiv(price, order.quantity!, baseScale, false), spec.minNotional, false);
}

function quantityFailure(quantity: number | undefined, spec: MarketSpec): RejectReason | null {
  if (!isAmount(quantity) || quantity === 0) return RejectReason.INVALID_QUANTITY;
  if (quantity % spec.lotSize !== 0) return RejectReason.QUANTITY_NOT_ON_LOT;
  if (quantity < spec.minQty) return RejectReason.QUANTITY_BELOW_MIN;
  if (quantity > spec.maxQty) return RejectReason.QUANTITY_ABOVE_MAX;
  return null;
}

function notionalFailure(value: number, minNotional: number, market: boolean): RejectReason | null {
  if ((!market || NOTIONAL_TERMS.applyMinToMarket) && value < minNotional)
    return RejectReason.BELOW_MIN_NOTIONAL;
  // mulDiv answers Infinity for a product past the exact range, which is above any maximum.
  if ((!market || NOTIONAL_TERMS.applyMaxToMarket) && value > NOTIONAL_TERMS.maxNotional)
    return RejectReason.ABOVE_MAX_NOTIONAL;
  return null;
}
