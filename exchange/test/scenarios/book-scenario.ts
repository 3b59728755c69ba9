import assert from 'node:assert/strict';
import type { UnstampedCommand } from '../../src/domain/commands.ts';
import type { EngineEvent } from '../../src/domain/events.ts';
import type { MarketSpec } from '../../src/domain/market.ts';
import { btc, EngineDriver, eventsOfType, limit, usdt } from '../support/engine-driver.ts';

/** A trade as a scenario states it: price and quantity in whole units, and who was the maker. */
export type ExpectedTrade = readonly [price: number, quantity: number, makerUserId: number];

export interface BookScenario {
  readonly market?: Partial<MarketSpec>;
  /** Whole units each user starts with; every user gets 1,000,000 USDT and 100 BTC unless stated. */
  readonly funds?: Record<number, { USDT?: number; BTC?: number }>;
  /** Orders placed first, in this order (so earlier ones have time priority). */
  readonly given: readonly UnstampedCommand[];
  readonly when: UnstampedCommand;
  readonly trades: readonly ExpectedTrade[];
  /** The order events of the `when` command, BalanceChanged and Trade left out. */
  readonly events?: readonly string[];
  /** Whole-unit balances after, per user: [available, locked]. */
  readonly balances?: Record<number, { USDT?: readonly [number, number]; BTC?: readonly [number, number] }>;
  /** The book after: [price, total quantity] per level from the best outward. */
  readonly book?: {
    readonly bids?: readonly (readonly [number, number])[];
    readonly asks?: readonly (readonly [number, number])[];
  };
}

/** Given a book, when an order arrives, then these trades, these events and these balances. */
export function runScenario(scenario: BookScenario): { driver: EngineDriver; events: EngineEvent[] } {
  const driver = EngineDriver.withMarket(scenario.market);
  const users = new Set<number>([...Object.keys(scenario.funds ?? {}).map(Number)]);
  for (const command of [...scenario.given, scenario.when]) {
    if ('userId' in command) users.add(command.userId);
  }
  for (const userId of users) {
    const funds = scenario.funds?.[userId];
    const quote = funds?.USDT ?? 1_000_000;
    const base = funds?.BTC ?? 100;
    if (quote > 0) driver.deposit(userId, 'USDT', usdt(quote));
    if (base > 0) driver.deposit(userId, 'BTC', btc(base));
  }
  for (const command of scenario.given) {
    const events = driver.send(command);
    const rejected = eventsOfType(events, 'Rejected');
    assert.equal(rejected.length, 0, `a given order was rejected: ${JSON.stringify(rejected)}`);
  }
  const events = driver.send(scenario.when);

  const trades = eventsOfType(events, 'Trade').map((t) => [t.price / 1e6, t.quantity / 1e8, t.makerUserId]);
  assert.deepEqual(
    trades,
    scenario.trades.map((t) => [...t]),
    'trades',
  );
  if (scenario.events !== undefined) {
    const orderEvents = events.filter((e) => e.type !== 'BalanceChanged' && e.type !== 'Trade').map(describe);
    assert.deepEqual(orderEvents, scenario.events, 'events');
  }
  for (const [userId, expected] of Object.entries(scenario.balances ?? {})) {
    for (const [asset, pair] of Object.entries(expected)) {
      const scale = asset === 'BTC' ? 1e8 : 1e6;
      const b = driver.balance(Number(userId), asset);
      assert.deepEqual(
        [b.available / scale, b.locked / scale],
        [...pair],
        `user ${userId} ${asset} [available, locked]`,
      );
    }
  }
  if (scenario.book !== undefined) {
    const market = driver.engine.markets.get('BTCUSDT')!;
    const levels = (side: typeof market.bids) =>
      [...side.levelsFromBest()].map((l) => [l.price / 1e6, l.totalQuantity / 1e8]);
    assert.deepEqual(
      levels(market.bids),
      (scenario.book.bids ?? []).map((l) => [...l]),
      'bids',
    );
    assert.deepEqual(
      levels(market.asks),
      (scenario.book.asks ?? []).map((l) => [...l]),
      'asks',
    );
  }
  assert.deepEqual(driver.engine.checkInvariants(), []);
  return { driver, events };
}

/** "OrderExpired SELF_TRADE #2": enough to read a scenario's outcome at a glance. */
function describe(e: EngineEvent): string {
  switch (e.type) {
    case 'OrderExpired':
      return `OrderExpired ${e.reason} #${e.orderId}`;
    case 'OrderCanceled':
      return `OrderCanceled ${e.reason} #${e.orderId}`;
    case 'Rejected':
      return `Rejected ${e.reason}`;
    case 'OrderAccepted':
    case 'OrderFilled':
      return `${e.type} #${e.orderId}`;
    default:
      return e.type;
  }
}

type PlaceOrder = Extract<UnstampedCommand, { type: 'PlaceOrder' }>;
type Extra = Partial<Omit<PlaceOrder, 'type' | 'userId' | 'side'>>;

/** Orders in whole units: buy(1, 30000, 0.5) is user 1 buying 0.5 BTC at 30,000 USDT, GTC. */
export const buy = (userId: number, price: number, quantity: number, extra: Extra = {}): PlaceOrder =>
  limitOrder(userId, 'BUY', price, quantity, extra);
export const sell = (userId: number, price: number, quantity: number, extra: Extra = {}): PlaceOrder =>
  limitOrder(userId, 'SELL', price, quantity, extra);

function limitOrder(
  userId: number,
  side: 'BUY' | 'SELL',
  price: number,
  quantity: number,
  extra: Extra,
): PlaceOrder {
  return limit(userId, side, usdt(price), btc(quantity), extra);
}

export const marketOrder = (
  userId: number,
  side: 'BUY' | 'SELL',
  amount: { quantity: number } | { quoteOrderQty: number },
  extra: Extra = {},
): PlaceOrder => ({
  type: 'PlaceOrder',
  userId,
  symbol: 'BTCUSDT',
  side,
  orderType: 'MARKET',
  ...('quantity' in amount
    ? { quantity: btc(amount.quantity) }
    : { quoteOrderQty: usdt(amount.quoteOrderQty) }),
  ...extra,
});
