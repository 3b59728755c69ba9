import { isAmount } from '../domain/amount.ts';
import type { NewOrder } from '../domain/commands.ts';
import type { TimeInForce } from '../domain/market.ts';
import { RejectReason } from '../domain/reject-reason.ts';
import type { Market } from './market.ts';

/** Binance's rule for client order ids, minus a prefix the engine keeps for the ids it makes up. */
const CLIENT_ORDER_ID = /^[.A-Za-z0-9:/_-]{1,36}$/;
export const GENERATED_CLIENT_ID_PREFIX = 'bourse-';

export function isGeneratedClientId(order: { orderId: number; clientOrderId: string }): boolean {
  return order.clientOrderId === `${GENERATED_CLIENT_ID_PREFIX}${order.orderId}`;
}

/**
 * Checks a new order against the market's filters (Binance's PRICE_FILTER, LOT_SIZE, NOTIONAL) and
 * its own shape. Returns the reason to reject it, or null. Balance checks come later, with the book.
 */
export function checkOrderRules(order: NewOrder, market: Market): RejectReason | null {
  const spec = market.spec;
  if (order.side !== 'BUY' && order.side !== 'SELL') return RejectReason.INVALID_COMMAND;
  const stp = order.stpMode;
  if (
    stp !== undefined &&
    stp !== 'EXPIRE_MAKER' &&
    stp !== 'NONE' &&
    stp !== 'EXPIRE_TAKER' &&
    stp !== 'EXPIRE_BOTH'
  ) {
    return RejectReason.INVALID_STP_MODE;
  }
  if (order.clientOrderId !== undefined) {
    if (
      !CLIENT_ORDER_ID.test(order.clientOrderId) ||
      order.clientOrderId.startsWith(GENERATED_CLIENT_ID_PREFIX)
    ) {
      return RejectReason.INVALID_COMMAND;
    }
  }
  switch (order.orderType) {
    case 'LIMIT':
      if (order.timeInForce !== 'GTC' && order.timeInForce !== 'IOC' && order.timeInForce !== 'FOK') {
        return RejectReason.INVALID_TIME_IN_FORCE;
      }
      return checkPriced(order, market);
    case 'LIMIT_MAKER':
      if (order.timeInForce !== undefined && order.timeInForce !== 'GTC')
        return RejectReason.INVALID_TIME_IN_FORCE;
      return checkPriced(order, market);
    case 'MARKET': {
      if (order.price !== undefined) return RejectReason.INVALID_PRICE;
      if (order.timeInForce !== undefined) return RejectReason.INVALID_TIME_IN_FORCE;
      const byBase = order.quantity !== undefined;
      const byQuote = order.quoteOrderQty !== undefined;
      if (byBase === byQuote) return RejectReason.INVALID_QUANTITY;
      if (byBase) return checkQuantity(order.quantity, market);
      if (!isAmount(order.quoteOrderQty) || order.quoteOrderQty === 0) return RejectReason.INVALID_QUANTITY;
      if (order.quoteOrderQty < spec.minNotional) return RejectReason.BELOW_MIN_NOTIONAL;
      return null;
    }
    default:
      return RejectReason.INVALID_ORDER_TYPE;
  }
}

function checkPriced(order: NewOrder, market: Market): RejectReason | null {
  if (order.quoteOrderQty !== undefined) return RejectReason.INVALID_QUANTITY;
  const price = order.price;
  if (!isAmount(price) || price === 0) return RejectReason.INVALID_PRICE;
  if (price % market.spec.tickSize !== 0) return RejectReason.PRICE_NOT_ON_TICK;
  const quantityReason = checkQuantity(order.quantity, market);
  if (quantityReason !== null) return quantityReason;
  if (market.notional(price, order.quantity!) < market.spec.minNotional)
    return RejectReason.BELOW_MIN_NOTIONAL;
  return null;
}

function checkQuantity(quantity: number | undefined, market: Market): RejectReason | null {
  if (!isAmount(quantity) || quantity === 0) return RejectReason.INVALID_QUANTITY;
  if (quantity % market.spec.lotSize !== 0) return RejectReason.QUANTITY_NOT_ON_LOT;
  if (quantity < market.spec.minQty) return RejectReason.QUANTITY_BELOW_MIN;
  if (quantity > market.spec.maxQty) return RejectReason.QUANTITY_ABOVE_MAX;
  return null;
}

/** LIMIT_MAKER rests like GTC; a market order's time in force is IOC in effect. */
export function effectiveTimeInForce(order: NewOrder): TimeInForce {
  if (order.orderType === 'LIMIT') return order.timeInForce!;
  return order.orderType === 'MARKET' ? 'IOC' : 'GTC';
}
