import type { CommandType, NewOrder } from '../domain/commands.ts';
import type { CancelReason, OrderCanceled } from '../domain/events.ts';
import type { ConditionalOrderType, SelfTradePreventionMode } from '../domain/market.ts';
import { RejectReason } from '../domain/reject-reason.ts';
import { stopTriggersAbove } from '../domain/symbol-filters.ts';
import type { MatchingEngine } from './engine.ts';
import type { Market } from './market.ts';
import type { Matcher } from './matcher.ts';
import { effectiveTimeInForce, GENERATED_CLIENT_ID_PREFIX } from './order-rules.ts';
import type { Outcomes } from './outcomes.ts';
import { releaseLeftover } from './resting-orders.ts';
import { BIPS, PendingOrder } from './trigger-book.ts';

/**
 * What a conditional order locks while it waits, or null when that cannot be known: a limit one
 * what its limit order would (the notional at its price for a buy, the quantity for a sell); a
 * STOP_LOSS or TAKE_PROFIT sell its quantity; such a buy the notional at its stop price, or for a
 * trailing one without a stop price at the first price it could trigger at from the last trade.
 * (Once triggered, a market buy may spend up to all the user then has, as a MARKET buy does.)
 */
function pendingLock(order: NewOrder, market: Market): number | null {
  const quantity = order.quantity!;
  if (order.side === 'SELL') return quantity;
  if (order.price !== undefined) return market.notional(order.price, quantity);
  if (order.stopPrice !== undefined) return market.notional(order.stopPrice, quantity);
  const last = market.averagePrice.lastPrice;
  if (last === 0) return null;
  const tick = market.spec.tickSize;
  const bound = Math.ceil((last * (BIPS + order.trailingDelta!)) / BIPS / tick) * tick;
  return market.notional(bound, quantity);
}

/**
 * Places a conditional order that passed the order rules: refused when a fixed stop would trigger at
 * the last trade price at once (Binance's "Order would trigger immediately.") or its lock is not
 * available; otherwise accepted, its funds locked, and left waiting for a trade to trigger it.
 */
export function placeConditional(
  engine: MatchingEngine,
  o: Outcomes,
  market: Market,
  order: NewOrder,
  commandType: CommandType,
  stpMode: SelfTradePreventionMode,
): void {
  const { userId, side } = order;
  const symbol = market.spec.symbol;
  const clientOrderId = order.clientOrderId ?? '';
  const type = order.orderType as ConditionalOrderType;
  const above = stopTriggersAbove(type, side);
  const stopPrice = order.stopPrice ?? 0;
  const trailingDelta = order.trailingDelta ?? 0;
  const last = market.averagePrice.lastPrice;
  const stopMet = stopPrice !== 0 && last !== 0 && (above ? last >= stopPrice : last <= stopPrice);
  if (trailingDelta === 0 && stopMet)
    return o.reject(commandType, RejectReason.WOULD_TRIGGER_IMMEDIATELY, userId, symbol, clientOrderId);
  const lock = pendingLock(order, market);
  if (lock === null)
    return o.reject(commandType, RejectReason.NO_REFERENCE_PRICE, userId, symbol, clientOrderId);
  const spendAsset = side === 'BUY' ? market.quote : market.base;
  const available = engine.balances.find(userId)?.available[spendAsset.index] ?? 0;
  if (lock > available)
    return o.reject(commandType, RejectReason.INSUFFICIENT_BALANCE, userId, symbol, clientOrderId);

  const orderId = engine.nextOrderId++;
  const timeInForce = effectiveTimeInForce(order);
  const pending = new PendingOrder(
    orderId,
    userId,
    symbol,
    side,
    type,
    order.price ?? 0,
    order.quantity!,
    timeInForce,
    stpMode,
    order.clientOrderId ?? `${GENERATED_CLIENT_ID_PREFIX}${orderId}`,
    order.clientOrderId !== undefined,
    o.ts,
    stopPrice,
    trailingDelta,
    above,
    lock,
  );
  // A trailing stop tracks from the last trade when it has no stop price or its stop price is met
  // already; with no trade yet, from the next one.
  if (trailingDelta !== 0 && last !== 0 && (stopPrice === 0 || stopMet)) {
    pending.tracking = true;
    pending.extreme = last;
  }
  if (o.recording)
    o.out.push({
      type: 'OrderAccepted',
      seq: o.seq,
      ts: o.ts,
      orderId,
      userId,
      symbol,
      side,
      orderType: type,
      timeInForce,
      price: pending.price,
      quantity: pending.quantity,
      quoteOrderQty: 0,
      clientOrderId: pending.clientOrderId,
      stpMode,
      stopPrice,
      trailingDelta,
    });
  if (lock > 0) o.change(engine.balances.account(userId), spendAsset, -lock, lock, 'ORDER_LOCK');
  engine.conditional.add(pending);
}

/** Cancels a waiting order: out of its market's triggers, OrderCanceled, and its lock given back. */
export function cancelPending(
  engine: MatchingEngine,
  o: Outcomes,
  market: Market,
  order: PendingOrder,
  reason: CancelReason,
): void {
  engine.conditional.remove(order);
  if (o.recording) {
    const canceled: OrderCanceled = {
      type: 'OrderCanceled',
      seq: o.seq,
      ts: o.ts,
      orderId: order.orderId,
      userId: order.userId,
      symbol: order.symbol,
      clientOrderId: order.clientOrderId,
      executedQty: 0,
      cumulativeQuoteQty: 0,
      reason,
    };
    o.out.push(canceled);
  }
  const asset = order.side === 'BUY' ? market.quote : market.base;
  releaseLeftover(o, engine.balances.account(order.userId), asset, order.locked);
  order.locked = 0;
}

/**
 * Works every order that the command's trades trigger, trade price by trade price, each as the
 * MARKET or LIMIT order it becomes: its trades may trigger more, which are worked after, in order.
 * It already holds its funds, so a triggered order is never refused; it fills, rests or expires.
 */
export function workTriggered(engine: MatchingEngine, o: Outcomes, matcher: Matcher): void {
  for (;;) {
    const next = engine.conditional.nextTriggered();
    if (next === null) return;
    for (const order of next.orders) workOne(engine, o, matcher, order, next.price);
  }
}

function workOne(
  engine: MatchingEngine,
  o: Outcomes,
  matcher: Matcher,
  order: PendingOrder,
  price: number,
): void {
  const market = engine.markets.get(order.symbol)!;
  if (o.recording)
    o.out.push({
      type: 'OrderTriggered',
      seq: o.seq,
      ts: o.ts,
      orderId: order.orderId,
      userId: order.userId,
      symbol: order.symbol,
      clientOrderId: order.clientOrderId,
      triggerPrice: price,
    });
  const isBuy = order.side === 'BUY';
  const account = engine.balances.account(order.userId);
  const spendAsset = isBuy ? market.quote : market.base;
  const taker = matcher.taker;
  taker.orderId = order.orderId;
  taker.userId = order.userId;
  taker.side = order.side;
  taker.price = order.price;
  taker.quantity = order.quantity;
  taker.timeInForce = order.timeInForce;
  taker.stpMode = order.stpMode;
  taker.clientOrderId = order.clientOrderId;
  taker.userChoseClientId = order.clientIdChosen;
  taker.executed = 0;
  taker.cumulativeQuote = 0;
  taker.expireReason = null;
  taker.filled = false;
  taker.aggPrice = 0;
  taker.target = 'BASE';
  taker.remaining = order.quantity;
  let lock = order.locked;
  order.locked = 0;
  taker.budgeted = false;
  if (order.price === 0 && isBuy) {
    // A market buy by quantity: like a MARKET order, it may spend what the user has, and no more.
    const extra = account.available[spendAsset.index] ?? 0;
    if (extra > 0) o.change(account, spendAsset, -extra, extra, 'ORDER_LOCK');
    lock += extra;
    taker.budgeted = true;
  }
  taker.locked = lock;
  if (taker.timeInForce === 'FOK' && !matcher.canFillCompletely(market)) {
    matcher.emitTakerEnd(market, 'OrderExpired', 'FOK');
    releaseLeftover(o, account, spendAsset, lock);
    taker.locked = 0;
    return;
  }
  matcher.match(market, account);
  matcher.finish(market, account);
}
