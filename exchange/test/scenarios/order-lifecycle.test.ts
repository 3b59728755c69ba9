import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { btc, EngineDriver, eventsOfType, usdt } from '../support/engine-driver.ts';
import { buy, sell } from './book-scenario.ts';

function fundedDriver(): EngineDriver {
  const d = EngineDriver.withMarket();
  for (const userId of [1, 2]) {
    d.deposit(userId, 'USDT', usdt(100_000));
    d.deposit(userId, 'BTC', btc(10));
  }
  return d;
}

describe('cancel', () => {
  it('by order id releases exactly what the remainder locked', () => {
    const d = fundedDriver();
    d.send(buy(1, 30_000, 1));
    d.send(sell(2, 30_000, 0.25));
    const events = d.send({ type: 'CancelOrder', userId: 1, symbol: 'BTCUSDT', orderId: 1 });
    const [canceled] = eventsOfType(events, 'OrderCanceled');
    assert.equal(canceled?.executedQty, btc(0.25));
    assert.deepEqual(d.balance(1, 'USDT'), { available: usdt(100_000 - 7_500), locked: 0 });
    assert.equal(d.engine.orders.size, 0);
  });

  it('by client order id, including one the engine generated', () => {
    const d = fundedDriver();
    d.send(buy(1, 30_000, 1, { clientOrderId: 'my-order' }));
    d.send(buy(1, 29_000, 1));
    const byMine = d.send({ type: 'CancelOrder', userId: 1, symbol: 'BTCUSDT', clientOrderId: 'my-order' });
    assert.equal(eventsOfType(byMine, 'OrderCanceled')[0]?.orderId, 1);
    const generated = d.send({
      type: 'CancelOrder',
      userId: 1,
      symbol: 'BTCUSDT',
      clientOrderId: 'bourse-2',
    });
    assert.equal(eventsOfType(generated, 'OrderCanceled')[0]?.orderId, 2);
  });

  it('frees the client order id for reuse', () => {
    const d = fundedDriver();
    d.send(buy(1, 30_000, 1, { clientOrderId: 'again' }));
    d.send({ type: 'CancelOrder', userId: 1, symbol: 'BTCUSDT', clientOrderId: 'again' });
    assert.equal(
      eventsOfType(d.send(buy(1, 30_000, 1, { clientOrderId: 'again' })), 'OrderAccepted').length,
      1,
    );
  });

  it('is allowed while the market is halted, while new orders are not', () => {
    const d = fundedDriver();
    d.send(buy(1, 30_000, 1));
    d.send({ type: 'HaltMarket', symbol: 'BTCUSDT' });
    assert.equal(eventsOfType(d.send(buy(1, 30_000, 1)), 'Rejected')[0]?.reason, 'MARKET_HALTED');
    assert.equal(
      eventsOfType(d.send({ type: 'CancelOrder', userId: 1, symbol: 'BTCUSDT', orderId: 1 }), 'OrderCanceled')
        .length,
      1,
    );
    d.send({ type: 'ResumeMarket', symbol: 'BTCUSDT' });
    assert.equal(eventsOfType(d.send(buy(1, 30_000, 1)), 'OrderAccepted').length, 1);
  });
});

describe('cancel all', () => {
  it("cancels every open order of the user on that market, oldest first, and no one else's", () => {
    const d = fundedDriver();
    d.send({ type: 'AddAsset', asset: 'ETH', decimals: 8 });
    d.send({ type: 'ListMarket', ...d.engine.markets.get('BTCUSDT')!.spec, symbol: 'ETHUSDT', base: 'ETH' });
    d.send(buy(1, 30_000, 1));
    d.send(sell(1, 31_000, 1));
    d.send(buy(2, 30_000, 1));
    d.send({ ...buy(1, 2_000, 1), symbol: 'ETHUSDT' });
    const events = d.send({ type: 'CancelAllOrders', userId: 1, symbol: 'BTCUSDT' });
    assert.deepEqual(
      eventsOfType(events, 'OrderCanceled').map((e) => [e.orderId, e.reason]),
      [
        [1, 'CANCEL_ALL'],
        [2, 'CANCEL_ALL'],
      ],
    );
    assert.deepEqual([...d.engine.orders.all()].map((o) => o.orderId).sort(), [3, 4]);
    assert.deepEqual(d.engine.checkInvariants(), []);
  });
});

describe('cancel-replace', () => {
  const replace = (
    mode: 'STOP_ON_FAILURE' | 'ALLOW_FAILURE',
    orderId: number,
    price: number,
    quantity: number,
  ) =>
    ({
      type: 'CancelReplace',
      mode,
      cancel: { orderId },
      order: buy(1, price, quantity),
    }) as const;

  it('cancels, then places the new order, which may use the freed funds', () => {
    const d = EngineDriver.withMarket();
    d.deposit(1, 'USDT', usdt(30_000));
    d.send(buy(1, 30_000, 1));
    const events = d.send(replace('STOP_ON_FAILURE', 1, 29_000, 1));
    assert.deepEqual(
      events.filter((e) => e.type !== 'BalanceChanged').map((e) => e.type),
      ['OrderCanceled', 'OrderAccepted'],
    );
    assert.deepEqual(d.balance(1, 'USDT'), { available: usdt(1_000), locked: usdt(29_000) });
  });

  it('ALLOW_FAILURE places the new order even when the cancel fails', () => {
    const d = fundedDriver();
    const events = d.send(replace('ALLOW_FAILURE', 99, 29_000, 1));
    assert.deepEqual(
      events.filter((e) => e.type !== 'BalanceChanged').map((e) => e.type),
      ['Rejected', 'OrderAccepted'],
    );
  });

  it('keeps the cancel when the new order is refused, as Binance does', () => {
    const d = fundedDriver();
    d.send(buy(1, 30_000, 1));
    const events = d.send(replace('STOP_ON_FAILURE', 1, 30_000, 1_000));
    assert.deepEqual(
      events.filter((e) => e.type !== 'BalanceChanged').map((e) => e.type),
      ['OrderCanceled', 'Rejected'],
    );
    assert.equal(eventsOfType(events, 'Rejected')[0]?.reason, 'INSUFFICIENT_BALANCE');
    assert.equal(d.engine.orders.size, 0);
  });
});

describe('deposits and withdrawals', () => {
  it('a withdrawal locks, then completes (leaving the exchange) or fails (coming back)', () => {
    const d = EngineDriver.withMarket();
    d.deposit(1, 'BTC', btc(2));
    d.send({ type: 'RequestWithdrawal', withdrawalId: 'w1', userId: 1, asset: 'BTC', amount: btc(0.5) });
    d.send({ type: 'RequestWithdrawal', withdrawalId: 'w2', userId: 1, asset: 'BTC', amount: btc(1) });
    assert.deepEqual(d.balance(1, 'BTC'), { available: btc(0.5), locked: btc(1.5) });
    // A pending withdrawal's funds cannot back an order.
    assert.equal(eventsOfType(d.send(sell(1, 30_000, 1)), 'Rejected')[0]?.reason, 'INSUFFICIENT_BALANCE');
    d.send({ type: 'CompleteWithdrawal', withdrawalId: 'w1' });
    d.send({ type: 'FailWithdrawal', withdrawalId: 'w2' });
    assert.deepEqual(d.balance(1, 'BTC'), { available: btc(1.5), locked: 0 });
    assert.equal(d.engine.assets.get('BTC')!.supply, btc(1.5));
    assert.deepEqual(d.engine.checkInvariants(), []);
    assert.deepEqual(
      d.events
        .filter((e) => e.type === 'BalanceChanged' && e.asset === 'BTC')
        .map((e) => e.type === 'BalanceChanged' && e.reason),
      ['DEPOSIT', 'WITHDRAWAL_LOCK', 'WITHDRAWAL_LOCK', 'WITHDRAWAL_COMPLETE', 'WITHDRAWAL_FAIL'],
    );
  });
});
