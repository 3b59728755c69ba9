import fc from 'fast-check';
import type { UnstampedCommand } from '../../src/domain/commands.ts';
import type { SelfTradePreventionMode, Side } from '../../src/domain/market.ts';
import { BTCUSDT } from './engine-driver.ts';

/**
 * Random command flows for property tests: a few users crowding a few price levels around 30,000
 * USDT, so that orders cross, collide with their own, reuse client ids and run out of money often.
 */
export const TICK = BTCUSDT.tickSize;
export const LOT = BTCUSDT.lotSize;
const MID_TICKS = 3_000_000;

const user = fc.integer({ min: 1, max: 4 });
const side = fc.constantFrom<Side>('BUY', 'SELL');
const price = fc.integer({ min: -4, max: 4 }).map((offset) => (MID_TICKS + offset) * TICK);
const lots = fc.integer({ min: 1, max: 6 }).map((n) => n * LOT);
const stpMode = fc.option(
  fc.constantFrom<SelfTradePreventionMode>('NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'),
  {
    nil: undefined,
  },
);
const clientOrderId = fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined });
const orderId = fc.integer({ min: 1, max: 40 });

type NewOrder = Extract<UnstampedCommand, { type: 'PlaceOrder' }>;

export const newOrder: fc.Arbitrary<Omit<NewOrder, 'type'>> = fc.oneof(
  fc.record({
    userId: user,
    symbol: fc.constant('BTCUSDT'),
    side,
    orderType: fc.constant('LIMIT' as const),
    timeInForce: fc.constantFrom('GTC' as const, 'GTC' as const, 'IOC' as const, 'FOK' as const),
    price,
    quantity: lots,
    clientOrderId,
    stpMode,
  }),
  fc.record({
    userId: user,
    symbol: fc.constant('BTCUSDT'),
    side,
    orderType: fc.constant('LIMIT_MAKER' as const),
    price,
    quantity: lots,
    clientOrderId,
    stpMode,
  }),
  fc.record({
    userId: user,
    symbol: fc.constant('BTCUSDT'),
    side,
    orderType: fc.constant('MARKET' as const),
    quantity: lots,
    stpMode,
  }),
  fc.record({
    userId: user,
    symbol: fc.constant('BTCUSDT'),
    side,
    orderType: fc.constant('MARKET' as const),
    quoteOrderQty: fc.integer({ min: 1, max: 5_000 }).map((units) => units * 1_000_000),
    stpMode,
  }),
);

const placeOrder: fc.Arbitrary<UnstampedCommand> = newOrder.map((o) => ({ type: 'PlaceOrder', ...o }));
const cancel: fc.Arbitrary<UnstampedCommand> = fc.oneof(
  fc.record({
    type: fc.constant('CancelOrder' as const),
    userId: user,
    symbol: fc.constant('BTCUSDT'),
    orderId,
  }),
  fc.record({
    type: fc.constant('CancelOrder' as const),
    userId: user,
    symbol: fc.constant('BTCUSDT'),
    clientOrderId: fc.constantFrom('a', 'b', 'c'),
  }),
  fc.record({ type: fc.constant('CancelAllOrders' as const), userId: user, symbol: fc.constant('BTCUSDT') }),
);
const cancelReplace: fc.Arbitrary<UnstampedCommand> = fc
  .record({
    mode: fc.constantFrom('STOP_ON_FAILURE' as const, 'ALLOW_FAILURE' as const),
    orderId,
    order: newOrder,
  })
  .map(({ mode, orderId: id, order }) => ({ type: 'CancelReplace', mode, cancel: { orderId: id }, order }));
const money: fc.Arbitrary<UnstampedCommand> = fc.oneof(
  fc.record({
    type: fc.constant('Deposit' as const),
    userId: user,
    asset: fc.constantFrom('BTC', 'USDT'),
    amount: fc.integer({ min: 1, max: 3_000_000_000 }),
  }),
  fc.record({
    type: fc.constant('RequestWithdrawal' as const),
    withdrawalId: fc.constantFrom('w1', 'w2', 'w3'),
    userId: user,
    asset: fc.constantFrom('BTC', 'USDT'),
    amount: fc.integer({ min: 1, max: 1_000_000_000 }),
  }),
  fc.record({
    type: fc.constant('CompleteWithdrawal' as const),
    withdrawalId: fc.constantFrom('w1', 'w2', 'w3'),
  }),
  fc.record({
    type: fc.constant('FailWithdrawal' as const),
    withdrawalId: fc.constantFrom('w1', 'w2', 'w3'),
  }),
);

/** Everything users and operators do, weighted towards trading. */
export const anyCommand: fc.Arbitrary<UnstampedCommand> = fc.oneof(
  { arbitrary: placeOrder, weight: 6 },
  { arbitrary: cancel, weight: 2 },
  { arbitrary: cancelReplace, weight: 1 },
  { arbitrary: money, weight: 2 },
);

/** Trading only: for the oracle comparison, where funds never bind. */
export const tradingCommand: fc.Arbitrary<UnstampedCommand> = fc.oneof(
  { arbitrary: placeOrder, weight: 6 },
  { arbitrary: cancel, weight: 2 },
  { arbitrary: cancelReplace, weight: 1 },
);
