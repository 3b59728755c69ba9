import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  btc,
  EngineDriver,
  eventsOfType,
  expectRejected,
  limit,
  usdt,
} from '../../test/support/engine-driver.ts';
import type { UnstampedCommand } from '../domain/commands.ts';
import { MatchingEngine } from './engine.ts';

type PlaceOrder = Extract<UnstampedCommand, { type: 'PlaceOrder' }>;
const MINUTE = 60_000;

const market = (
  userId: number,
  side: 'BUY' | 'SELL',
  amount: { quantity: number } | { quoteOrderQty: number },
): PlaceOrder => ({ type: 'PlaceOrder', userId, symbol: 'BTCUSDT', side, orderType: 'MARKET', ...amount });

/** BTCUSDT with a minimum notional of 5 USDT, a 0.1% taker fee, and three funded users. */
function exchange(): EngineDriver {
  const d = EngineDriver.withMarket({ minNotional: usdt(5), makerFeePpm: 1_000, takerFeePpm: 1_000 });
  for (const user of [1, 2, 3]) {
    d.deposit(user, 'USDT', usdt(1_000_000));
    d.deposit(user, 'BTC', btc(1_000));
  }
  return d;
}

/** A trade of `quantity` at `price` between users 1 (resting) and 2 (taking), at the driver's clock. */
function trade(d: EngineDriver, price: number, quantity: number): void {
  d.send(limit(1, 'SELL', price, quantity));
  const events = d.send(limit(2, 'BUY', price, quantity, { timeInForce: 'IOC' }));
  assert.equal(eventsOfType(events, 'Trade').length, 1);
}

describe('MARKET orders and the notional filter (issue 12, item 6)', () => {
  it('refuses a MARKET order by quantity whose notional at the average price is below the minimum', () => {
    const d = exchange();
    trade(d, usdt(1), btc(10));
    d.send(limit(1, 'SELL', usdt(1), btc(100)));
    d.send(limit(1, 'BUY', usdt(0.99), btc(100)));
    // 0.001 BTC at 1.00 is 0.001 USDT: it filled before, as LIMIT IOC it was refused.
    expectRejected(d, market(3, 'BUY', { quantity: btc(0.001) }), 'BELOW_MIN_NOTIONAL');
    expectRejected(d, limit(3, 'BUY', usdt(1), btc(0.001), { timeInForce: 'IOC' }), 'BELOW_MIN_NOTIONAL');
    // The hundred tiny sells whose commission summed to 0: each refused, no trade, no fee lost.
    const feesBefore = d.balance(0, 'USDT').available;
    for (let i = 0; i < 100; i++) {
      expectRejected(d, market(3, 'SELL', { quantity: btc(0.001) }), 'BELOW_MIN_NOTIONAL');
    }
    assert.equal(d.balance(0, 'USDT').available, feesBefore);
    // Worth the minimum at the average price: it trades.
    const events = d.send(market(3, 'SELL', { quantity: btc(5) }));
    assert.equal(eventsOfType(events, 'OrderFilled').length, 1);
  });

  it('values the order at the volume-weighted average of the last 5 minutes, not at the book', () => {
    const d = exchange();
    trade(d, usdt(1), btc(30));
    trade(d, usdt(5), btc(10));
    // (30 x 1.00 + 10 x 5.00) / 40 = 2.00 USDT, while the best bid is 100.00.
    d.send(limit(1, 'BUY', usdt(100), btc(10)));
    expectRejected(d, market(3, 'SELL', { quantity: btc(2.4999) }), 'BELOW_MIN_NOTIONAL');
    assert.equal(eventsOfType(d.send(market(3, 'SELL', { quantity: btc(2.5) })), 'OrderFilled').length, 1);
  });

  it('moves the window with the commands’ clock: trades older than 5 minutes leave it, the last price stays', () => {
    const d = exchange();
    d.ts = Math.floor(d.ts / MINUTE) * MINUTE + 30_000;
    trade(d, usdt(1), btc(10));
    d.send(limit(1, 'SELL', usdt(100), btc(10)));
    // 4 minutes later the trade at 1.00 still sets the average: 1 BTC is worth 1 USDT.
    d.ts += 4 * MINUTE;
    expectRejected(d, market(3, 'BUY', { quantity: btc(1) }), 'BELOW_MIN_NOTIONAL');
    // 10 minutes later nothing traded within the window: the last price, 1.00, stands.
    d.ts += 6 * MINUTE;
    expectRejected(d, market(3, 'BUY', { quantity: btc(1) }), 'BELOW_MIN_NOTIONAL');
    trade(d, usdt(100), btc(0.1));
    // Now the window holds only the trade at 100.00, so 0.05 BTC is worth 5 USDT.
    assert.equal(eventsOfType(d.send(market(3, 'BUY', { quantity: btc(0.05) })), 'OrderFilled').length, 1);
  });

  it('before the first trade values the order at the best price it would take; with nothing to take it expires', () => {
    const d = exchange();
    const nothing = d.send(market(3, 'SELL', { quantity: btc(0.001) }));
    assert.deepEqual(
      eventsOfType(nothing, 'OrderExpired').map((e) => [e.executedQty, e.reason]),
      [[0, 'NO_LIQUIDITY']],
    );
    d.send(limit(1, 'BUY', usdt(2), btc(100)));
    expectRejected(d, market(3, 'SELL', { quantity: btc(2.4999) }), 'BELOW_MIN_NOTIONAL');
    assert.equal(eventsOfType(d.send(market(3, 'SELL', { quantity: btc(2.5) })), 'OrderFilled').length, 1);
  });

  it("holds cancel-replace's new order to the same filter: the cancel stands, the MARKET order is refused", () => {
    const d = exchange();
    trade(d, usdt(1), btc(10));
    d.send(limit(1, 'SELL', usdt(1), btc(100)));
    const resting = eventsOfType(d.send(limit(3, 'BUY', usdt(0.5), btc(20))), 'OrderAccepted')[0]!;
    const events = d.send({
      type: 'CancelReplace',
      mode: 'STOP_ON_FAILURE',
      cancel: { orderId: resting.orderId },
      order: { userId: 3, symbol: 'BTCUSDT', side: 'BUY', orderType: 'MARKET', quantity: btc(0.001) },
    });
    assert.deepEqual(
      events.filter((e) => e.type === 'OrderCanceled' || e.type === 'Rejected').map((e) => e.type),
      ['OrderCanceled', 'Rejected'],
    );
    assert.equal(eventsOfType(events, 'Rejected')[0]?.reason, 'BELOW_MIN_NOTIONAL');
    assert.equal(eventsOfType(events, 'Trade').length, 0);
  });

  it('refuses a limit order whose notional is past the published maximum', () => {
    const d = exchange();
    // 9,000,000,000 USDT x 2 BTC is past 2^53 - 1 micro-USDT, the maxNotional exchangeInfo shows.
    expectRejected(d, limit(3, 'SELL', usdt(9_000_000_000), btc(2)), 'ABOVE_MAX_NOTIONAL');
    expectRejected(
      d,
      limit(3, 'SELL', usdt(9_000_000_000), btc(2), { orderType: 'LIMIT_MAKER', timeInForce: undefined }),
      'ABOVE_MAX_NOTIONAL',
    );
  });

  it('a quote amount that would buy more than LOT_SIZE maxQty buys maxQty and no more, and so does a sell', () => {
    const d = EngineDriver.withMarket({ minNotional: usdt(5), maxQty: btc(2) });
    for (const user of [1, 3]) {
      d.deposit(user, 'USDT', usdt(1_000_000));
      d.deposit(user, 'BTC', btc(1_000));
    }
    d.send(limit(1, 'SELL', usdt(100), btc(2)));
    d.send(limit(1, 'SELL', usdt(101), btc(2)));
    d.send(limit(1, 'BUY', usdt(99), btc(2)));
    d.send(limit(1, 'BUY', usdt(98), btc(2)));
    for (const side of ['BUY', 'SELL'] as const) {
      const events = d.send(market(3, side, { quoteOrderQty: usdt(1_000) }));
      assert.deepEqual(
        eventsOfType(events, 'Trade').map((t) => t.quantity),
        [btc(2)],
      );
      assert.deepEqual(
        eventsOfType(events, 'OrderFilled')
          .filter((e) => e.userId === 3)
          .map((e) => e.executedQty),
        [btc(2)],
      );
    }
    assert.deepEqual(d.engine.checkInvariants(), []);
  });

  it('keeps the average price in the snapshot: a restored engine decides as the original', () => {
    const d = exchange();
    trade(d, usdt(1), btc(30));
    d.ts += 2 * MINUTE;
    trade(d, usdt(5), btc(10));
    d.send(limit(1, 'BUY', usdt(100), btc(10)));
    const restored = MatchingEngine.restore(JSON.parse(JSON.stringify(d.engine.snapshot())));
    assert.equal(restored.stateHash(), d.engine.stateHash());
    for (const quantity of [btc(2.4999), btc(2.5)]) {
      const command = { ...market(3, 'SELL', { quantity }), seq: d.seq + 1, ts: d.ts + 1 };
      assert.deepEqual(restored.apply(command), d.send(market(3, 'SELL', { quantity })));
    }
  });
});

describe('a MARKET order that buys nothing (issue 12, item 7)', () => {
  // One lot (0.0001 BTC) costs 6.28 USDT at 62,800 and raises as much.
  for (const side of ['BUY', 'SELL'] as const) {
    it(`${side} by quoteOrderQty smaller than one lot expires with nothing executed, never FILLED`, () => {
      const d = exchange();
      d.send(limit(1, side === 'BUY' ? 'SELL' : 'BUY', usdt(62_800), btc(1)));
      const before = d.balance(3, side === 'BUY' ? 'USDT' : 'BTC');
      const events = d.send(market(3, side, { quoteOrderQty: usdt(5) }));
      assert.deepEqual(
        events.filter((e) => e.type !== 'BalanceChanged').map((e) => e.type),
        ['OrderAccepted', 'OrderExpired'],
      );
      const expired = eventsOfType(events, 'OrderExpired')[0]!;
      assert.equal(expired.executedQty, 0);
      assert.equal(expired.reason, 'BELOW_ONE_LOT');
      assert.deepEqual(d.balance(3, side === 'BUY' ? 'USDT' : 'BTC'), before, 'the lock is given back');
      assert.deepEqual(d.engine.checkInvariants(), []);
    });
  }

  it('a quote amount that buys some lots and leaves less than one more is FILLED', () => {
    const d = exchange();
    d.send(limit(1, 'SELL', usdt(62_800), btc(1)));
    const events = d.send(market(3, 'BUY', { quoteOrderQty: usdt(15) }));
    assert.deepEqual(
      eventsOfType(events, 'OrderFilled').map((e) => [e.executedQty, e.cumulativeQuoteQty]),
      [[btc(0.0002), usdt(12.56)]],
    );
  });

  it('on an empty book expires (NO_LIQUIDITY), by quantity and by quote amount', () => {
    const d = exchange();
    for (const amount of [{ quantity: btc(1) }, { quoteOrderQty: usdt(100) }]) {
      const events = d.send(market(3, 'BUY', amount));
      assert.deepEqual(
        eventsOfType(events, 'OrderExpired').map((e) => [e.executedQty, e.reason]),
        [[0, 'NO_LIQUIDITY']],
      );
      assert.equal(eventsOfType(events, 'OrderFilled').length, 0);
    }
  });
});
