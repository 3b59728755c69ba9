import type {
  EngineEvent,
  OrderAccepted,
  OrderCanceled,
  OrderExpired,
  OrderFilled,
  OrderTriggered,
  Trade,
} from '../domain/events.ts';
import { isConditionalOrderType } from '../domain/market.ts';
import type { OrderRow, OrderStatus } from './read-model-rows.ts';

/**
 * An order's status and version, as every follower of the events computes them: the read model's
 * adapters and the gateway's order index. `version` counts status changes (NEW is version 1); each
 * change is one row of the status history.
 */

/** The status an order ends in, after Binance: SELF_TRADE expiries are EXPIRED_IN_MATCH. */
export function finalStatus(event: OrderFilled | OrderCanceled | OrderExpired): OrderStatus {
  switch (event.type) {
    case 'OrderFilled':
      return 'FILLED';
    case 'OrderCanceled':
      return 'CANCELED';
    case 'OrderExpired':
      return event.reason === 'SELF_TRADE' ? 'EXPIRED_IN_MATCH' : 'EXPIRED';
  }
}

/**
 * The orders that an OrderFilled of the command starting at `from` completes. A trade leaves an
 * order PARTIALLY_FILLED unless the same command then fills it: an order filled by one command goes
 * NEW -> FILLED, as Binance reports it. A command's events always travel together, so looking ahead
 * within them is enough.
 */
export function filledInCommand(events: readonly EngineEvent[], from: number): Set<number> {
  const filled = new Set<number>();
  const seq = events[from]?.seq;
  for (let i = from; i < events.length; i++) {
    const event = events[i]!;
    if (event.seq !== seq) break;
    if (event.type === 'OrderFilled') filled.add(event.orderId);
  }
  return filled;
}

/** What a status change records (the status history's row, without the order id). */
export interface StatusChange {
  readonly version: number;
  readonly status: OrderStatus;
}

/**
 * An order after one of its trades: amounts move on; a NEW order not filled within the command
 * becomes PARTIALLY_FILLED (a status change, so a new version). `change` is set when it changed.
 */
export function afterTrade<T extends OrderRow>(
  order: T,
  executedQty: number,
  trade: Trade,
  filledLater: boolean,
): { readonly order: T; readonly change: StatusChange | undefined } {
  const becomesPartial = order.status === 'NEW' && !filledLater;
  const status: OrderStatus = becomesPartial ? 'PARTIALLY_FILLED' : order.status;
  const version = becomesPartial ? order.version + 1 : order.version;
  return {
    order: {
      ...order,
      executedQty,
      cumulativeQuoteQty: order.cumulativeQuoteQty + trade.quoteQuantity,
      status,
      statusReason: '',
      version,
      updatedSeq: trade.seq,
      updatedTs: trade.ts,
    },
    change: becomesPartial ? { version, status } : undefined,
  };
}

/** An order after the event that ends it: its final status is always a status change. */
export function afterEnd<T extends OrderRow>(order: T, event: OrderFilled | OrderCanceled | OrderExpired): T {
  return {
    ...order,
    executedQty: event.executedQty,
    cumulativeQuoteQty: event.cumulativeQuoteQty,
    status: finalStatus(event),
    statusReason: event.type === 'OrderFilled' ? '' : event.reason,
    version: order.version + 1,
    updatedSeq: event.seq,
    updatedTs: event.ts,
  };
}

/**
 * A conditional order once its stop is reached: it starts working (Binance's `workingTime`) but its
 * status stays NEW, as Binance shows a triggered stop, so it is no status change and no new version.
 */
export function afterTriggered<T extends OrderRow>(order: T, event: OrderTriggered): T {
  return { ...order, workingTs: event.ts, updatedSeq: event.seq, updatedTs: event.ts };
}

/**
 * An order as it is accepted: NEW, version 1, nothing executed. A conditional order does not work
 * until triggered (workingTs -1); every other order works from its placement.
 */
export function acceptedOrder(o: OrderAccepted): OrderRow {
  return {
    orderId: o.orderId,
    symbol: o.symbol,
    userId: o.userId,
    clientOrderId: o.clientOrderId,
    side: o.side,
    orderType: o.orderType,
    timeInForce: o.timeInForce,
    price: o.price,
    origQty: o.quantity,
    origQuoteOrderQty: o.quoteOrderQty,
    executedQty: 0,
    cumulativeQuoteQty: 0,
    status: 'NEW',
    statusReason: '',
    stpMode: o.stpMode,
    createdSeq: o.seq,
    createdTs: o.ts,
    updatedSeq: o.seq,
    updatedTs: o.ts,
    version: 1,
    stopPrice: o.stopPrice,
    trailingDelta: o.trailingDelta,
    workingTs: isConditionalOrderType(o.orderType) ? -1 : o.ts,
  };
}
