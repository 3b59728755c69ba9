import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UnstampedCommand } from '../../src/domain/commands.ts';
import type { EngineEvent } from '../../src/domain/events.ts';
import { MatchingEngine } from '../../src/engine/engine.ts';
import { btc, EngineDriver, eventsOfType, usdt } from '../support/engine-driver.ts';
import { buy, sell } from './book-scenario.ts';

/**
 * Binance's conditional orders as books: STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT and
 * TAKE_PROFIT_LIMIT wait off the book, locked, until a trade price meets their stop price (stop
 * losses buy on a rise and sell on a fall, take profits the other way round), then work as the MARKET
 * or LIMIT order they become. The trailing scenarios are those of Binance's trailing stop FAQ
 * (faqs/trailing-stop-faq.md), price for price.
 */

type PlaceOrder = Extract<UnstampedCommand, { type: 'PlaceOrder' }>;

function driver(): EngineDriver {
  const d = EngineDriver.withMarket();
  for (const userId of [1, 2, 8, 9]) {
    d.deposit(userId, 'USDT', usdt(10_000_000));
    d.deposit(userId, 'BTC', btc(100));
  }
  return d;
}

/** A trade at `price` between users 9 (maker, selling) and 8 (taker): the last price becomes `price`. */
function tradeAt(d: EngineDriver, price: number): EngineEvent[] {
  d.send(sell(9, price, 0.01));
  const events = d.send(buy(8, price, 0.01));
  assert.equal(eventsOfType(events, 'Trade')[0]?.price, usdt(price), `a trade at ${price}`);
  return events;
}

function stop(
  userId: number,
  side: 'BUY' | 'SELL',
  orderType: PlaceOrder['orderType'],
  quantity: number,
  terms: { stopPrice?: number; trailingDelta?: number; price?: number; timeInForce?: 'GTC' | 'IOC' | 'FOK' },
): PlaceOrder {
  return {
    type: 'PlaceOrder',
    userId,
    symbol: 'BTCUSDT',
    side,
    orderType,
    quantity: btc(quantity),
    ...(terms.stopPrice !== undefined && { stopPrice: usdt(terms.stopPrice) }),
    ...(terms.trailingDelta !== undefined && { trailingDelta: terms.trailingDelta }),
    ...(terms.price !== undefined && { price: usdt(terms.price), timeInForce: terms.timeInForce ?? 'GTC' }),
  };
}

const triggered = (events: readonly EngineEvent[]) =>
  eventsOfType(events, 'OrderTriggered').map((e) => e.orderId);

function sound(d: EngineDriver): void {
  assert.deepEqual(d.engine.checkInvariants(), []);
}

describe('fixed stops', () => {
  it('STOP_LOSS SELL waits locked, triggers on a trade at or below its stop, and sells at market', () => {
    const d = driver();
    tradeAt(d, 40_000);
    d.send(buy(2, 38_000, 1));
    const placed = d.send(stop(1, 'SELL', 'STOP_LOSS', 0.5, { stopPrice: 39_000 }));
    const accepted = eventsOfType(placed, 'OrderAccepted')[0]!;
    assert.equal(accepted.orderType, 'STOP_LOSS');
    assert.equal(accepted.stopPrice, usdt(39_000));
    assert.deepEqual(d.balance(1, 'BTC'), { available: btc(99.5), locked: btc(0.5) });
    assert.equal(d.engine.orders.size, 1, 'the stop is not on the book');
    assert.equal(triggered(tradeAt(d, 39_500)).length, 0, 'above the stop: nothing');
    const events = tradeAt(d, 39_000);
    assert.deepEqual(triggered(events), [accepted.orderId]);
    const fills = eventsOfType(events, 'Trade').filter((t) => t.takerOrderId === accepted.orderId);
    assert.deepEqual(
      fills.map((t) => [t.price, t.quantity, t.makerUserId]),
      [[usdt(38_000), btc(0.5), 2]],
    );
    assert.equal(eventsOfType(events, 'OrderFilled').at(-1)?.orderId, accepted.orderId);
    assert.deepEqual(d.balance(1, 'BTC'), { available: btc(99.5), locked: 0 });
    assert.deepEqual(d.balance(1, 'USDT'), { available: usdt(10_000_000 + 19_000), locked: 0 });
    sound(d);
  });

  it('a stop the last price already meets is refused and changes nothing', () => {
    const d = driver();
    tradeAt(d, 40_000);
    const withoutSeq = () => ({ ...d.engine.snapshot(), lastSeq: 0 });
    const before = withoutSeq();
    for (const order of [
      stop(1, 'SELL', 'STOP_LOSS', 1, { stopPrice: 40_000 }),
      stop(1, 'BUY', 'STOP_LOSS_LIMIT', 1, { stopPrice: 39_000, price: 39_500 }),
      stop(1, 'SELL', 'TAKE_PROFIT', 1, { stopPrice: 39_000 }),
      stop(1, 'BUY', 'TAKE_PROFIT_LIMIT', 1, { stopPrice: 41_000, price: 41_000 }),
    ]) {
      const events = d.send(order);
      assert.deepEqual(
        events.map((e) => (e.type === 'Rejected' ? e.reason : e.type)),
        ['WOULD_TRIGGER_IMMEDIATELY'],
      );
    }
    // seq moved on, nothing else.
    assert.deepEqual(withoutSeq(), before);
  });

  it('TAKE_PROFIT_LIMIT BUY triggers on a fall to its stop, then rests as a limit order at its price', () => {
    const d = driver();
    tradeAt(d, 40_000);
    const placed = d.send(stop(1, 'BUY', 'TAKE_PROFIT_LIMIT', 1, { stopPrice: 38_000, price: 38_500 }));
    const id = eventsOfType(placed, 'OrderAccepted')[0]!.orderId;
    assert.deepEqual(d.balance(1, 'USDT'), { available: usdt(10_000_000 - 38_500), locked: usdt(38_500) });
    tradeAt(d, 39_000);
    const events = tradeAt(d, 37_900);
    assert.deepEqual(triggered(events), [id]);
    const market = d.engine.markets.get('BTCUSDT')!;
    assert.deepEqual(
      [...market.bids.levelsFromBest()].map((l) => [l.price, l.totalQuantity]),
      [[usdt(38_500), btc(1)]],
    );
    assert.equal(d.engine.orders.get(id)?.locked, usdt(38_500));
    sound(d);
  });

  it('STOP_LOSS_LIMIT FOK that cannot fill once triggered expires and gives its lock back', () => {
    const d = driver();
    tradeAt(d, 40_000);
    const placed = d.send(
      stop(1, 'SELL', 'STOP_LOSS_LIMIT', 2, { stopPrice: 39_000, price: 38_000, timeInForce: 'FOK' }),
    );
    const id = eventsOfType(placed, 'OrderAccepted')[0]!.orderId;
    d.send(buy(2, 38_500, 1));
    const events = tradeAt(d, 39_000);
    assert.deepEqual(triggered(events), [id]);
    assert.equal(eventsOfType(events, 'OrderExpired').find((e) => e.orderId === id)?.reason, 'FOK');
    assert.deepEqual(d.balance(1, 'BTC'), { available: btc(100), locked: 0 });
    sound(d);
  });

  it("one stop's fills trigger the next: a cascade, worked in trade order within one command", () => {
    const d = driver();
    tradeAt(d, 40_000);
    d.send(buy(2, 39_000, 0.5));
    d.send(buy(2, 38_000, 0.5));
    const first = eventsOfType(
      d.send(stop(1, 'SELL', 'STOP_LOSS', 0.5, { stopPrice: 39_500 })),
      'OrderAccepted',
    )[0]!;
    const second = eventsOfType(
      d.send(stop(1, 'SELL', 'STOP_LOSS', 0.5, { stopPrice: 39_000 })),
      'OrderAccepted',
    )[0]!;
    const events = tradeAt(d, 39_500);
    assert.deepEqual(triggered(events), [first.orderId, second.orderId]);
    assert.deepEqual(
      eventsOfType(events, 'Trade').map((t) => [t.takerOrderId, t.price]),
      [
        [eventsOfType(events, 'OrderAccepted')[0]!.orderId, usdt(39_500)],
        [first.orderId, usdt(39_000)],
        [second.orderId, usdt(38_000)],
      ],
    );
    sound(d);
  });

  it('a STOP_LOSS BUY reserves the notional at its stop and, triggered, may spend what the user has', () => {
    const d = EngineDriver.withMarket();
    d.deposit(1, 'USDT', usdt(50_000));
    for (const userId of [8, 9]) {
      d.deposit(userId, 'USDT', usdt(1_000_000));
      d.deposit(userId, 'BTC', btc(10));
    }
    tradeAt(d, 40_000);
    const placed = d.send(stop(1, 'BUY', 'STOP_LOSS', 1, { stopPrice: 41_000 }));
    assert.deepEqual(d.balance(1, 'USDT'), { available: usdt(9_000), locked: usdt(41_000) });
    d.send(sell(9, 42_000, 1));
    const events = tradeAt(d, 41_000);
    const id = eventsOfType(placed, 'OrderAccepted')[0]!.orderId;
    assert.deepEqual(triggered(events), [id]);
    assert.equal(eventsOfType(events, 'OrderFilled').at(-1)?.orderId, id);
    assert.deepEqual(d.balance(1, 'USDT'), { available: usdt(8_000), locked: 0 });
    assert.deepEqual(d.balance(1, 'BTC'), { available: btc(1), locked: 0 });
    sound(d);
  });

  it('a waiting order is cancelled by id, by client id and by cancel-all, its lock given back', () => {
    const d = driver();
    tradeAt(d, 40_000);
    d.send({ ...stop(1, 'SELL', 'STOP_LOSS', 1, { stopPrice: 39_000 }), clientOrderId: 'my-stop' });
    const byClient = d.send({ type: 'CancelOrder', userId: 1, symbol: 'BTCUSDT', clientOrderId: 'my-stop' });
    assert.equal(eventsOfType(byClient, 'OrderCanceled').length, 1);
    const second = eventsOfType(
      d.send(stop(1, 'SELL', 'STOP_LOSS', 1, { stopPrice: 39_000 })),
      'OrderAccepted',
    )[0]!;
    const byId = d.send({ type: 'CancelOrder', userId: 1, symbol: 'BTCUSDT', orderId: second.orderId });
    assert.equal(eventsOfType(byId, 'OrderCanceled')[0]?.orderId, second.orderId);
    d.send(stop(1, 'SELL', 'STOP_LOSS', 1, { stopPrice: 39_000 }));
    d.send(buy(1, 30_000, 1));
    const all = d.send({ type: 'CancelAllOrders', userId: 1, symbol: 'BTCUSDT' });
    assert.equal(eventsOfType(all, 'OrderCanceled').length, 2);
    assert.deepEqual(d.balance(1, 'BTC'), { available: btc(100), locked: 0 });
    assert.equal(triggered(tradeAt(d, 38_000)).length, 0, 'a cancelled stop never triggers');
    sound(d);
  });

  it('refuses what the TRAILING_DELTA filter and the order shapes refuse', () => {
    const d = driver();
    const reason = (order: PlaceOrder) => eventsOfType(d.send(order), 'Rejected')[0]?.reason;
    assert.equal(reason(stop(1, 'SELL', 'STOP_LOSS', 1, {})), 'INVALID_PRICE');
    assert.equal(reason(stop(1, 'SELL', 'STOP_LOSS', 1, { trailingDelta: 5 })), 'INVALID_TRAILING_DELTA');
    assert.equal(reason(stop(1, 'SELL', 'STOP_LOSS', 1, { trailingDelta: 2001 })), 'INVALID_TRAILING_DELTA');
    assert.equal(reason(stop(1, 'SELL', 'STOP_LOSS', 1, { stopPrice: 39_000.005 })), 'PRICE_NOT_ON_TICK');
    assert.equal(
      reason({ ...stop(1, 'SELL', 'STOP_LOSS_LIMIT', 1, { stopPrice: 39_000 }), price: usdt(38_000) }),
      'INVALID_TIME_IN_FORCE',
    );
    assert.equal(reason({ ...buy(1, 30_000, 1), stopPrice: usdt(29_000) }), 'INVALID_PRICE');
    assert.equal(
      reason(stop(1, 'BUY', 'STOP_LOSS', 1, { trailingDelta: 100 })),
      'NO_REFERENCE_PRICE',
      'a trailing market buy with no stop and no trade has nothing to reserve at',
    );
    assert.equal(d.engine.conditional.size, 0);
  });
});

describe("trailing stops (Binance's FAQ scenarios)", () => {
  /** Trades at each price in turn; returns the ids triggered at each. */
  function walk(d: EngineDriver, prices: readonly number[]): number[][] {
    return prices.map((p) => triggered(tradeAt(d, p)));
  }

  it('A: STOP_LOSS_LIMIT BUY, stop 44,000, delta 500, triggers at 44,100 = 42,000 * 1.05', () => {
    const d = driver();
    tradeAt(d, 40_000);
    const id = eventsOfType(
      d.send(
        stop(1, 'BUY', 'STOP_LOSS_LIMIT', 0.01, { stopPrice: 44_000, trailingDelta: 500, price: 45_000 }),
      ),
      'OrderAccepted',
    )[0]!.orderId;
    assert.deepEqual(walk(d, [37_000, 44_000, 45_000, 46_000, 42_000, 44_099.99]), [[], [], [], [], [], []]);
    assert.deepEqual(walk(d, [44_100]), [[id]]);
    sound(d);
  });

  it('B: STOP_LOSS_LIMIT SELL, stop 39,000, delta 1000, triggers at 36,900 = 41,000 * 0.90', () => {
    const d = driver();
    tradeAt(d, 40_000);
    const id = eventsOfType(
      d.send(
        stop(1, 'SELL', 'STOP_LOSS_LIMIT', 0.01, { stopPrice: 39_000, trailingDelta: 1000, price: 38_000 }),
      ),
      'OrderAccepted',
    )[0]!.orderId;
    assert.deepEqual(walk(d, [41_500, 39_000, 37_000, 41_000, 36_900.01]), [[], [], [], [], []]);
    assert.deepEqual(walk(d, [36_900]), [[id]]);
    sound(d);
  });

  it('C: TAKE_PROFIT_LIMIT BUY, stop 38,000, delta 850, triggers at 40,145 = 37,000 * 1.085', () => {
    const d = driver();
    tradeAt(d, 40_000);
    const id = eventsOfType(
      d.send(
        stop(1, 'BUY', 'TAKE_PROFIT_LIMIT', 0.01, { stopPrice: 38_000, trailingDelta: 850, price: 38_500 }),
      ),
      'OrderAccepted',
    )[0]!.orderId;
    assert.deepEqual(walk(d, [42_000, 38_000, 37_000, 39_000, 38_000, 40_144.99]), [[], [], [], [], [], []]);
    assert.deepEqual(walk(d, [40_145]), [[id]]);
    sound(d);
  });

  it('D: TAKE_PROFIT_LIMIT SELL, stop 42,000, delta 750, triggers at 43,012.50 = 46,500 * 0.925', () => {
    const d = driver();
    tradeAt(d, 40_000);
    const id = eventsOfType(
      d.send(
        stop(1, 'SELL', 'TAKE_PROFIT_LIMIT', 0.01, { stopPrice: 42_000, trailingDelta: 750, price: 41_000 }),
      ),
      'OrderAccepted',
    )[0]!.orderId;
    assert.deepEqual(walk(d, [41_500, 39_000, 42_000, 45_000, 44_000, 46_500, 43_012.51]), [
      [],
      [],
      [],
      [],
      [],
      [],
      [],
    ]);
    assert.deepEqual(walk(d, [43_012.5]), [[id]]);
    sound(d);
  });

  it('E: no stop price: tracks from the last price at placement, triggers at 42,315 = 45,500 * 0.93', () => {
    const d = driver();
    tradeAt(d, 40_000);
    const id = eventsOfType(
      d.send(stop(1, 'SELL', 'STOP_LOSS_LIMIT', 0.01, { trailingDelta: 700, price: 39_000 })),
      'OrderAccepted',
    )[0]!.orderId;
    assert.deepEqual(walk(d, [42_000, 39_500, 45_500, 42_315.01]), [[], [], [], []]);
    assert.deepEqual(walk(d, [42_315]), [[id]]);
    sound(d);
  });
});

describe('state', () => {
  it('a snapshot keeps waiting orders and trailing state: restored and replayed, the same hash and events', () => {
    const d = driver();
    tradeAt(d, 40_000);
    d.send(stop(1, 'SELL', 'STOP_LOSS_LIMIT', 0.01, { trailingDelta: 700, price: 39_000 }));
    d.send(stop(1, 'BUY', 'STOP_LOSS', 0.01, { stopPrice: 41_000 }));
    d.send(
      stop(2, 'BUY', 'TAKE_PROFIT_LIMIT', 0.01, { stopPrice: 38_000, trailingDelta: 850, price: 38_500 }),
    );
    tradeAt(d, 45_500);
    const restored = MatchingEngine.restore(JSON.parse(JSON.stringify(d.engine.snapshot())));
    assert.equal(restored.stateHash(), d.engine.stateHash());
    const replayed = new MatchingEngine();
    for (const command of d.log) replayed.replay(command);
    assert.equal(replayed.stateHash(), d.engine.stateHash());
    const tail: UnstampedCommand[] = [sell(9, 42_315, 0.01), buy(8, 42_315, 0.01), sell(9, 37_000, 0.01)];
    for (const command of tail) {
      d.seq++;
      d.ts++;
      const stamped = { ...command, seq: d.seq, ts: d.ts } as Parameters<MatchingEngine['apply']>[0];
      assert.deepEqual(restored.apply(stamped), d.engine.apply(stamped));
    }
    assert.equal(restored.stateHash(), d.engine.stateHash());
    assert.deepEqual(restored.checkInvariants(), []);
  });
});
