import type { MatchingEngine } from './engine.ts';

/**
 * Checks what must hold after every command, and returns each violation found (empty when sound):
 * - per asset, the sum over all accounts of available plus locked equals the supply (deposits minus
 *   completed withdrawals), and no balance is negative;
 * - each account's locked balance is exactly what its resting orders, waiting conditional orders and
 *   pending withdrawals hold;
 * - no book is crossed, and each level's total is the sum of its orders.
 */
export function findInvariantViolations(engine: MatchingEngine): string[] {
  const problems: string[] = [];
  const assets = engine.assets.all();
  const totals = assets.map(() => 0);
  const expectedLocks = new Map<number, number[]>();
  const expectLock = (userId: number, assetIndex: number, amount: number) => {
    let locks = expectedLocks.get(userId);
    if (locks === undefined) {
      locks = assets.map(() => 0);
      expectedLocks.set(userId, locks);
    }
    locks[assetIndex] = (locks[assetIndex] ?? 0) + amount;
  };
  for (const market of engine.markets.values()) {
    const bestBid = market.bids.best();
    const bestAsk = market.asks.best();
    if (bestBid !== undefined && bestAsk !== undefined && bestBid.price >= bestAsk.price) {
      problems.push(`${market.spec.symbol}: book crossed, bid ${bestBid.price} >= ask ${bestAsk.price}`);
    }
    for (const side of [market.bids, market.asks]) {
      for (const level of side.levelsFromBest()) {
        let total = 0;
        for (let order = level.head; order !== null; order = order.next) {
          total += order.remaining;
          const isBuy = order.side === 'BUY';
          const required = isBuy ? market.notional(order.price, order.remaining) : order.remaining;
          if (order.locked !== required) {
            problems.push(`order ${order.orderId}: locks ${order.locked}, its remainder needs ${required}`);
          }
          if (order.remaining <= 0) problems.push(`order ${order.orderId}: rests with nothing remaining`);
          expectLock(order.userId, (isBuy ? market.quote : market.base).index, order.locked);
        }
        if (total !== level.totalQuantity) {
          problems.push(
            `${market.spec.symbol} level ${level.price}: total ${level.totalQuantity}, orders sum ${total}`,
          );
        }
      }
    }
  }
  for (const order of engine.conditional.all()) {
    const market = engine.markets.get(order.symbol);
    if (market === undefined) {
      problems.push(`conditional order ${order.orderId}: unknown market ${order.symbol}`);
      continue;
    }
    if (order.locked < 0) problems.push(`conditional order ${order.orderId}: negative lock ${order.locked}`);
    expectLock(order.userId, (order.side === 'BUY' ? market.quote : market.base).index, order.locked);
  }
  for (const w of engine.withdrawals.values()) expectLock(w.userId, w.asset.index, w.amount);
  for (const account of engine.balances.all()) {
    const expected = expectedLocks.get(account.userId);
    assets.forEach((asset, i) => {
      const available = account.available[i] ?? 0;
      const locked = account.locked[i] ?? 0;
      if (available < 0 || locked < 0) {
        problems.push(`user ${account.userId} ${asset.name}: negative balance ${available}/${locked}`);
      }
      if (locked !== (expected?.[i] ?? 0)) {
        problems.push(
          `user ${account.userId} ${asset.name}: locked ${locked}, orders and withdrawals hold ${expected?.[i] ?? 0}`,
        );
      }
      totals[i] = (totals[i] ?? 0) + available + locked;
    });
  }
  assets.forEach((asset, i) => {
    if (totals[i] !== asset.supply)
      problems.push(`${asset.name}: accounts hold ${totals[i]}, supply is ${asset.supply}`);
  });
  return problems;
}
