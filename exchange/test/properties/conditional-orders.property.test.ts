import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Command, UnstampedCommand } from '../../src/domain/commands.ts';
import type { EngineEvent } from '../../src/domain/events.ts';
import type { ConditionalOrderType, Side } from '../../src/domain/market.ts';
import { MatchingEngine } from '../../src/engine/engine.ts';
import { MarketData } from '../../src/marketdata/market-data.ts';
import { btc, EngineDriver, usdt } from '../support/engine-driver.ts';

/**
 * Conditional orders among random trading: after every command the engine's triggers are exactly
 * those a naive reference computes from the trade prices (every waiting order checked against
 * every trade, in trade order, with exact BigInt arithmetic); a stop the last price already meets
 * is refused exactly when the reference says so; money is conserved and no balance is negative with
 * waiting, triggered and resting orders; market data's mirror book equals the engine's book; and a
 * replay, and a snapshot plus the tail, reach the same state hash with the same events.
 */

const SEED = Number(process.env.PROPERTY_SEED ?? 18);
const RUNS = Number(process.env.CONDITIONAL_PROPERTY_RUNS ?? 300);
const USERS = [1, 2, 3, 4] as const;
const TYPES: readonly ConditionalOrderType[] = [
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
];

/** Prices 99.00 to 101.00 USDT in ticks of 0.01, so that stops are met often. */
const price = fc.integer({ min: 9_900, max: 10_100 }).map((cents) => usdt(cents / 100));
const quantity = fc.integer({ min: 1, max: 30 }).map((lots) => btc(lots / 100));
const user = fc.constantFrom(...USERS);
const side = fc.constantFrom<Side>('BUY', 'SELL');

const limitOrder = fc.record({ userId: user, side, price, quantity, tif: fc.constantFrom('GTC', 'IOC') }).map(
  (o): UnstampedCommand => ({
    type: 'PlaceOrder',
    userId: o.userId,
    symbol: 'BTCUSDT',
    side: o.side,
    orderType: 'LIMIT',
    timeInForce: o.tif as 'GTC' | 'IOC',
    price: o.price,
    quantity: o.quantity,
  }),
);
const marketOrder = fc.record({ userId: user, side, quantity }).map(
  (o): UnstampedCommand => ({
    type: 'PlaceOrder',
    userId: o.userId,
    symbol: 'BTCUSDT',
    side: o.side,
    orderType: 'MARKET',
    quantity: o.quantity,
  }),
);
const conditionalOrder = fc
  .record({
    userId: user,
    side,
    orderType: fc.constantFrom(...TYPES),
    stopPrice: fc.option(price, { nil: undefined }),
    trailingDelta: fc.option(fc.integer({ min: 10, max: 150 }), { nil: undefined }),
    price,
    quantity,
    tif: fc.constantFrom('GTC', 'IOC', 'FOK'),
  })
  .map((o): UnstampedCommand => {
    const limit = o.orderType.endsWith('_LIMIT');
    const stop = o.stopPrice === undefined && o.trailingDelta === undefined ? o.price : o.stopPrice;
    return {
      type: 'PlaceOrder',
      userId: o.userId,
      symbol: 'BTCUSDT',
      side: o.side,
      orderType: o.orderType,
      quantity: o.quantity,
      ...(stop !== undefined && { stopPrice: stop }),
      ...(o.trailingDelta !== undefined && { trailingDelta: o.trailingDelta }),
      ...(limit && { price: o.price, timeInForce: o.tif as 'GTC' | 'IOC' | 'FOK' }),
    };
  });
const cancel = fc.record({ userId: user, orderId: fc.integer({ min: 1, max: 200 }) }).map(
  (c): UnstampedCommand => ({
    type: 'CancelOrder',
    userId: c.userId,
    symbol: 'BTCUSDT',
    orderId: c.orderId,
  }),
);
const cancelAll = user.map(
  (userId): UnstampedCommand => ({ type: 'CancelAllOrders', userId, symbol: 'BTCUSDT' }),
);
const command = fc.oneof(
  { arbitrary: limitOrder, weight: 6 },
  { arbitrary: marketOrder, weight: 2 },
  { arbitrary: conditionalOrder, weight: 5 },
  { arbitrary: cancel, weight: 1 },
  { arbitrary: cancelAll, weight: 1 },
);

/** The reference's view of a waiting order: what triggers it, recomputed by brute force. */
interface NaiveOrder {
  readonly orderId: number;
  readonly side: Side;
  readonly above: boolean;
  readonly stop: bigint;
  readonly delta: bigint;
  tracking: boolean;
  extreme: bigint;
}

/** A stop loss buys on a rise and sells on a fall; a take profit the other way round. */
const triggersAbove = (type: ConditionalOrderType, s: Side) => type.startsWith('STOP_LOSS') === (s === 'BUY');

/** One trade price for one waiting order; true when it triggers. */
function naiveStep(o: NaiveOrder, p: bigint): boolean {
  if (o.delta === 0n) return o.above ? p >= o.stop : p <= o.stop;
  if (!o.tracking) {
    if (o.stop === 0n || (o.above ? p >= o.stop : p <= o.stop)) {
      o.tracking = true;
      o.extreme = p;
    }
    return false;
  }
  if (o.side === 'BUY') {
    if (p < o.extreme) o.extreme = p;
    return p * 10_000n >= o.extreme * (10_000n + o.delta);
  }
  if (p > o.extreme) o.extreme = p;
  return p * 10_000n <= o.extreme * (10_000n - o.delta);
}

function fresh(): EngineDriver {
  const d = EngineDriver.withMarket();
  for (const userId of USERS) {
    d.deposit(userId, 'USDT', usdt(50_000));
    d.deposit(userId, 'BTC', btc(20));
  }
  return d;
}

describe('conditional orders (property)', () => {
  it('trigger exactly as a naive reference says, conserve money, mirror into market data, and replay to the same hash', () => {
    console.log(
      `conditional orders property test: seed ${SEED}, ${RUNS} runs (PROPERTY_SEED, CONDITIONAL_PROPERTY_RUNS)`,
    );
    let triggeredTotal = 0;
    fc.assert(
      fc.property(fc.array(command, { minLength: 20, maxLength: 120 }), fc.nat(), (commands, cutAt) => {
        const d = fresh();
        const data = MarketData.fromSnapshot(d.engine.snapshot());
        const naive = new Map<number, NaiveOrder>();
        let last = 0n;
        const cut = cutAt % commands.length;
        let snapshot: ReturnType<MatchingEngine['snapshot']> | undefined;
        const tailEvents: EngineEvent[][] = [];
        commands.forEach((c, i) => {
          if (i === cut) snapshot = JSON.parse(JSON.stringify(d.engine.snapshot()));
          const lastBefore = last;
          const events = d.send(c);
          if (i >= cut) tailEvents.push(events);
          data.apply(events, d.seq);

          // The placement's verdict on a fixed stop the last price already meets.
          if (c.type === 'PlaceOrder' && c.orderType !== 'LIMIT' && c.orderType !== 'MARKET') {
            const rejected = events.find((e) => e.type === 'Rejected');
            const meets =
              c.trailingDelta === undefined &&
              c.stopPrice !== undefined &&
              lastBefore !== 0n &&
              (triggersAbove(c.orderType as ConditionalOrderType, c.side)
                ? lastBefore >= BigInt(c.stopPrice)
                : lastBefore <= BigInt(c.stopPrice));
            if (meets) assert.equal(rejected?.reason, 'WOULD_TRIGGER_IMMEDIATELY');
            else assert.notEqual(rejected?.reason, 'WOULD_TRIGGER_IMMEDIATELY');
          }

          // What the reference expects to trigger, trade by trade; then its new waiting orders.
          const expected: [number, number][] = [];
          for (const e of events) {
            if (e.type === 'Trade') {
              const p = BigInt(e.price);
              const fired = [...naive.values()].filter((o) => naiveStep(o, p)).map((o) => o.orderId);
              for (const id of fired.sort((a, b) => a - b)) {
                expected.push([id, e.price]);
                naive.delete(id);
              }
              last = p;
            } else if (e.type === 'OrderCanceled' || e.type === 'OrderExpired' || e.type === 'OrderFilled') {
              naive.delete(e.orderId);
            } else if (e.type === 'OrderAccepted' && e.stopPrice + e.trailingDelta > 0) {
              const type = e.orderType as ConditionalOrderType;
              const o: NaiveOrder = {
                orderId: e.orderId,
                side: e.side,
                above: triggersAbove(type, e.side),
                stop: BigInt(e.stopPrice),
                delta: BigInt(e.trailingDelta),
                tracking: false,
                extreme: 0n,
              };
              // A trailing stop tracks from the last price when it has no stop or its stop is met.
              const met = o.stop !== 0n && (o.above ? last >= o.stop : last <= o.stop);
              if (o.delta !== 0n && last !== 0n && (o.stop === 0n || met)) {
                o.tracking = true;
                o.extreme = last;
              }
              naive.set(o.orderId, o);
            }
          }
          const actual = events.flatMap((e) =>
            e.type === 'OrderTriggered' ? [[e.orderId, e.triggerPrice]] : [],
          );
          assert.deepEqual(actual, expected, `command ${i}: ${JSON.stringify(c)}`);
          triggeredTotal += actual.length;
          assert.deepEqual(
            [...naive.keys()].sort(),
            [...d.engine.conditional.all()].map((o) => o.orderId).sort(),
          );

          assert.deepEqual(d.engine.checkInvariants(), [], `command ${i}`);
          const market = d.engine.markets.get('BTCUSDT')!;
          const levels = (s: typeof market.bids) =>
            [...s.levelsFromBest()].map((l) => [l.price, l.totalQuantity]);
          const depth = data.depth('BTCUSDT', 1_000)!;
          assert.deepEqual(
            depth.bids.map(([p, q]) => [p, q]),
            levels(market.bids),
            'market data bids',
          );
          assert.deepEqual(
            depth.asks.map(([p, q]) => [p, q]),
            levels(market.asks),
            'market data asks',
          );
        });

        const replayed = new MatchingEngine();
        for (const c of d.log) replayed.replay(c);
        assert.equal(replayed.stateHash(), d.engine.stateHash(), 'replay');

        const restored = MatchingEngine.restore(snapshot!);
        const tail = d.log.slice(d.log.length - commands.length + cut);
        tail.forEach((c: Command, i) => {
          assert.deepEqual(restored.apply(c), tailEvents[i], 'snapshot plus tail: the same events');
        });
        assert.equal(restored.stateHash(), d.engine.stateHash(), 'snapshot plus tail');
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The property is only worth something if orders do trigger.
    assert.ok(triggeredTotal > RUNS, `${triggeredTotal} triggers in ${RUNS} runs`);
    console.log(`${triggeredTotal} orders triggered`);
  });
});
