import type { NewOrder } from '../domain/commands.ts';
import { isConditionalOrderType, type TimeInForce } from '../domain/market.ts';
import { RejectReason } from '../domain/reject-reason.ts';
import { symbolFilterFailure } from '../domain/symbol-filters.ts';
import type { Market } from './market.ts';

/** Binance's rule for client order ids, minus a prefix the engine keeps for the ids it makes up. */
const CLIENT_ORDER_ID = /^[.A-Za-z0-9:/_-]{1,36}$/;
export const GENERATED_CLIENT_ID_PREFIX = 'bourse-';

export function isGeneratedClientId(order: { orderId: number; clientOrderId: string }): boolean {
  return order.clientOrderId === `${GENERATED_CLIENT_ID_PREFIX}${order.orderId}`;
}

/**
 * Checks a new order's shape, then the market's filters (Binance's PRICE_FILTER, LOT_SIZE,
 * MARKET_LOT_SIZE, NOTIONAL and MIN_NOTIONAL, as `domain/symbol-filters.ts` defines them for every
 * order type), a MARKET order by quantity valued at the market's average price at `nowMs`, the
 * command's time. Returns the reason to reject it, or null. Balance checks come later, with the book.
 */
export function checkOrderRules(order: NewOrder, market: Market, nowMs: number): RejectReason | null {
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
  if (!isConditionalOrderType(order.orderType)) {
    if (order.stopPrice !== undefined) return RejectReason.INVALID_PRICE;
    if (order.trailingDelta !== undefined) return RejectReason.INVALID_TRAILING_DELTA;
  }
  switch (order.orderType) {
    case 'LIMIT':
      if (order.timeInForce !== 'GTC' && order.timeInForce !== 'IOC' && order.timeInForce !== 'FOK') {
        return RejectReason.INVALID_TIME_IN_FORCE;
      }
      if (order.quoteOrderQty !== undefined) return RejectReason.INVALID_QUANTITY;
      break;
    case 'LIMIT_MAKER':
      if (order.timeInForce !== undefined && order.timeInForce !== 'GTC')
        return RejectReason.INVALID_TIME_IN_FORCE;
      if (order.quoteOrderQty !== undefined) return RejectReason.INVALID_QUANTITY;
      break;
    case 'MARKET': {
      if (order.price !== undefined) return RejectReason.INVALID_PRICE;
      if (order.timeInForce !== undefined) return RejectReason.INVALID_TIME_IN_FORCE;
      if ((order.quantity !== undefined) === (order.quoteOrderQty !== undefined))
        return RejectReason.INVALID_QUANTITY;
      break;
    }
    case 'STOP_LOSS':
    case 'TAKE_PROFIT':
      if (order.price !== undefined) return RejectReason.INVALID_PRICE;
      if (order.timeInForce !== undefined) return RejectReason.INVALID_TIME_IN_FORCE;
      if (order.quoteOrderQty !== undefined) return RejectReason.INVALID_QUANTITY;
      break;
    case 'STOP_LOSS_LIMIT':
    case 'TAKE_PROFIT_LIMIT':
      if (order.timeInForce !== 'GTC' && order.timeInForce !== 'IOC' && order.timeInForce !== 'FOK') {
        return RejectReason.INVALID_TIME_IN_FORCE;
      }
      if (order.quoteOrderQty !== undefined) return RejectReason.INVALID_QUANTITY;
      break;
    default:
      return RejectReason.INVALID_ORDER_TYPE;
  }
  return symbolFilterFailure(order, market.spec, market.baseScale, market, nowMs);
}

/**
 * LIMIT_MAKER rests like GTC; a market order's time in force is IOC in effect, and so is that of a
 * STOP_LOSS or TAKE_PROFIT, which works as a market order once triggered.
 */
export function effectiveTimeInForce(order: NewOrder): TimeInForce {
  const type = order.orderType;
  if (type === 'LIMIT' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT_LIMIT')
    return order.timeInForce!;
  return type === 'MARKET' || type === 'STOP_LOSS' || type === 'TAKE_PROFIT' ? 'IOC' : 'GTC';
}
