import type { CancelReason, ExpireReason, OrderCanceled, OrderExpired } from '../domain/events.ts';
import type { AssetInfo } from './assets.ts';
import type { Account } from './balances.ts';
import type { MatchingEngine } from './engine.ts';
import type { Market } from './market.ts';
import type { RestingOrder } from './order.ts';
import type { Outcomes } from './outcomes.ts';

/** How orders join and leave the book, and give back what they had locked. */
export function rest(engine: MatchingEngine, market: Market, order: RestingOrder): void {
  (order.side === 'BUY' ? market.bids : market.asks).add(order);
  engine.orders.add(order);
}

export function cancelResting(
  engine: MatchingEngine,
  o: Outcomes,
  market: Market,
  order: RestingOrder,
  reason: CancelReason,
): void {
  endResting(engine, o, market, order, 'OrderCanceled', reason);
}

export function expireResting(
  engine: MatchingEngine,
  o: Outcomes,
  market: Market,
  order: RestingOrder,
  reason: ExpireReason,
): void {
  endResting(engine, o, market, order, 'OrderExpired', reason);
}

/** Takes the order off the book, reports how it ended, and gives back its lock. */
function endResting(
  engine: MatchingEngine,
  o: Outcomes,
  market: Market,
  order: RestingOrder,
  type: 'OrderCanceled' | 'OrderExpired',
  reason: CancelReason | ExpireReason,
): void {
  removeResting(engine, market, order);
  if (o.recording)
    o.out.push({
      type,
      seq: o.seq,
      ts: o.ts,
      orderId: order.orderId,
      userId: order.userId,
      symbol: order.symbol,
      clientOrderId: order.clientOrderId,
      executedQty: order.executed,
      cumulativeQuoteQty: order.cumulativeQuote,
      reason,
    } as OrderCanceled | OrderExpired);
  releaseOrderLock(engine, o, market, order);
}

/** Takes an order off its book and out of the indexes, leaving its lock to the caller. */
export function removeResting(engine: MatchingEngine, market: Market, order: RestingOrder): void {
  (order.side === 'BUY' ? market.bids : market.asks).remove(order);
  engine.orders.remove(order);
}

function releaseOrderLock(engine: MatchingEngine, o: Outcomes, market: Market, order: RestingOrder): void {
  const asset = order.side === 'BUY' ? market.quote : market.base;
  if (order.account === null) order.account = engine.balances.account(order.userId);
  releaseLeftover(o, order.account, asset, order.locked);
  order.locked = 0;
}

export function releaseLeftover(o: Outcomes, account: Account, asset: AssetInfo, amount: number): void {
  if (amount > 0) o.change(account, asset, amount, -amount, 'ORDER_RELEASE');
}
