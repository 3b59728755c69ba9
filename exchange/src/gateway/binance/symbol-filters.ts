import { isAmount, mulDiv } from '../../domain/amount.ts';
import type { NewOrder } from '../../domain/commands.ts';
import type { MarketSpec } from '../../domain/market.ts';
import { RejectReason } from '../../domain/reject-reason.ts';

/**
 * Binance's symbol filters (PRICE_FILTER, LOT_SIZE, NOTIONAL) on an order whose shape the request
 * parser already checked, for order/test, which must refuse what a real order would be refused for
 * without placing it. The engine applies the same rules to real orders; a test holds the two in step.
 */
export function symbolFilterFailure(
  order: NewOrder,
  spec: MarketSpec,
  baseDecimals: number,
): RejectReason | null {
  // The engine keeps client ids with this prefix for the ids it makes up.
  if (order.clientOrderId?.startsWith('bourse-') === true) return RejectReason.INVALID_COMMAND;
  if (order.orderType === 'MARKET' && order.quoteOrderQty !== undefined) {
    if (!isAmount(order.quoteOrderQty) || order.quoteOrderQty === 0) return RejectReason.INVALID_QUANTITY;
    return order.quoteOrderQty < spec.minNotional ? RejectReason.BELOW_MIN_NOTIONAL : null;
  }
  if (order.orderType !== 'MARKET') {
    const price = order.price;
    if (!isAmount(price) || price === 0) return RejectReason.INVALID_PRICE;
    if (price % spec.tickSize !== 0) return RejectReason.PRICE_NOT_ON_TICK;
  }
  const quantity = order.quantity;
  if (!isAmount(quantity) || quantity === 0) return RejectReason.INVALID_QUANTITY;
  if (quantity % spec.lotSize !== 0) return RejectReason.QUANTITY_NOT_ON_LOT;
  if (quantity < spec.minQty) return RejectReason.QUANTITY_BELOW_MIN;
  if (quantity > spec.maxQty) return RejectReason.QUANTITY_ABOVE_MAX;
  if (
    order.orderType !== 'MARKET' &&
    mulDiv(order.price!, quantity, 10 ** baseDecimals, false) < spec.minNotional
  ) {
    return RejectReason.BELOW_MIN_NOTIONAL;
  }
  return null;
}
