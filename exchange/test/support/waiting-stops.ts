import assert from 'node:assert/strict';
import type { EngineEvent } from '../../src/domain/events.ts';
import { BTCUSDT, btc, EngineDriver, eventsOfType, usdt } from './engine-driver.ts';

const SYMBOL = BTCUSDT.symbol;

/** A trade at `price` (whole USDT) between user 9 (maker, selling) and user 8 (taker). */
export function tradeBetween(d: EngineDriver, price: number) {
  const quantity = btc(0.01);
  d.send({
    type: 'PlaceOrder',
    userId: 9,
    symbol: SYMBOL,
    side: 'SELL',
    orderType: 'LIMIT',
    timeInForce: 'GTC',
    price: usdt(price),
    quantity,
  });
  return d.send({
    type: 'PlaceOrder',
    userId: 8,
    symbol: SYMBOL,
    side: 'BUY',
    orderType: 'LIMIT',
    timeInForce: 'GTC',
    price: usdt(price),
    quantity,
  });
}

/**
 * Events from the real engine: a last price of 40,000, a bid resting at 38,000, and user 1's two
 * waiting stops: a STOP_LOSS_LIMIT sell at 39,000 whose limit (39,500) rests once triggered, and a
 * trailing STOP_LOSS buy (100 basis points) that a falling market never reaches.
 */
export function waitingStops() {
  const d = EngineDriver.withMarket();
  for (const userId of [1, 2, 8, 9]) {
    d.deposit(userId, 'USDT', usdt(10_000_000));
    d.deposit(userId, 'BTC', btc(100));
  }
  tradeBetween(d, 40_000);
  d.send({
    type: 'PlaceOrder',
    userId: 2,
    symbol: SYMBOL,
    side: 'BUY',
    orderType: 'LIMIT',
    timeInForce: 'GTC',
    price: usdt(38_000),
    quantity: btc(1),
  });
  const accepted = (events: readonly EngineEvent[]) => {
    const a = eventsOfType(events, 'OrderAccepted')[0];
    assert.ok(a, JSON.stringify(events));
    return a;
  };
  const placed = accepted(
    d.send({
      type: 'PlaceOrder',
      userId: 1,
      symbol: SYMBOL,
      side: 'SELL',
      orderType: 'STOP_LOSS_LIMIT',
      timeInForce: 'GTC',
      price: usdt(39_500),
      stopPrice: usdt(39_000),
      quantity: btc(0.5),
    }),
  );
  const trailing = accepted(
    d.send({
      type: 'PlaceOrder',
      userId: 1,
      symbol: SYMBOL,
      side: 'BUY',
      orderType: 'STOP_LOSS',
      trailingDelta: 100,
      quantity: btc(0.1),
    }),
  );
  return { driver: d, placed, trailing };
}
