import { isAmount, mulDiv } from './amount.ts';
import type { NewOrder } from './commands.ts';
import { isConditionalOrderType, type MarketSpec, type OrderType, type Side } from './market.ts';
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

/**
 * Binance's TRAILING_DELTA filter, in basis points, the same for every market (Binance's usual
 * values). "Above" bounds the trailing stops that trigger on a rise (STOP_LOSS BUY, TAKE_PROFIT
 * SELL... as `triggersOnRise` tells), "below" those that trigger on a fall.
 */
export const TRAILING_DELTA_FILTER = {
  minTrailingAboveDelta: 10,
  maxTrailingAboveDelta: 2000,
  minTrailingBelowDelta: 10,
  maxTrailingBelowDelta: 2000,
} as const;

/**
 * Which way the trade price must move from the stop price to trigger a conditional order: a stop
 * loss buys on a rise and sells on a fall; a take profit buys on a fall and sells on a rise.
 * For a trailing stop this is the side of the stop price that starts it tracking.
 */
export function stopTriggersAbove(orderType: OrderType, side: Side): boolean {
  const stopLoss = orderType === 'STOP_LOSS' || orderType === 'STOP_LOSS_LIMIT';
  return stopLoss === (side === 'BUY');
}

/**
 * Whether a trailing stop on `side` triggers on a rise from its lowest price (buys) or a fall from
 * its highest (sells), and so which TRAILING_DELTA bounds apply: a rise is "above" for STOP_LOSS BUY
 * and TAKE_PROFIT SELL, "below" for STOP_LOSS SELL and TAKE_PROFIT BUY, as Binance's FAQ tables it.
 */
function trailingDeltaFailure(orderType: OrderType, side: Side, delta: unknown): RejectReason | null {
  if (typeof delta !== 'number' || !Number.isSafeInteger(delta)) return RejectReason.INVALID_TRAILING_DELTA;
  const above = stopTriggersAbove(orderType, side);
  const f = TRAILING_DELTA_FILTER;
  const min = above ? f.minTrailingAboveDelta : f.minTrailingBelowDelta;
  const max = above ? f.maxTrailingAboveDelta : f.maxTrailingBelowDelta;
  return delta < min || delta > max ? RejectReason.INVALID_TRAILING_DELTA : null;
}

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
  const type = order.orderType;
  let stopPrice = 0;
  if (isConditionalOrderType(type)) {
    // A conditional order: its stop price keeps to PRICE_FILTER, its delta to TRAILING_DELTA.
    if (order.stopPrice === undefined && order.trailingDelta === undefined) return RejectReason.INVALID_PRICE;
    if (order.stopPrice !== undefined) {
      if (!isAmount(order.stopPrice) || order.stopPrice === 0) return RejectReason.INVALID_PRICE;
      if (order.stopPrice % spec.tickSize !== 0) return RejectReason.PRICE_NOT_ON_TICK;
      stopPrice = order.stopPrice;
    }
    if (order.trailingDelta !== undefined) {
      const deltaFailure = trailingDeltaFailure(type, order.side, order.trailingDelta);
      if (deltaFailure !== null) return deltaFailure;
    }
  }
  if (type === 'STOP_LOSS' || type === 'TAKE_PROFIT') {
    // Works as a MARKET order by quantity once triggered; its notional is judged at its stop price,
    // the price it is meant to trade near (a trailing one without a stop price, like a MARKET order).
    const lotFailure = quantityFailure(order.quantity, spec);
    if (lotFailure !== null) return lotFailure;
    const price = stopPrice !== 0 ? stopPrice : pricing.marketOrderPrice(order.side, nowMs);
    if (price === 0) return null;
    return notionalFailure(mulDiv(price, order.quantity!, baseScale, false), spec.minNotional, true);
  }
  if (type === 'MARKET') {
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
