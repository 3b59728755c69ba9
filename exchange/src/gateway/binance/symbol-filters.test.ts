import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BTCUSDT, btc, EngineDriver, usdt } from '../../../test/support/engine-driver.ts';
import type { NewOrder } from '../../domain/commands.ts';
import { MarketData } from '../../marketdata/market-data.ts';
import { orderTestFilterFailure } from './symbol-filters.ts';

/** BTC 8 decimals, USDT 6: tick 0.01 USDT, lot 0.0001 BTC, min notional 5 USDT. */
const SPEC = { ...BTCUSDT, minNotional: usdt(5) };
const MARKET = { spec: SPEC, baseDecimals: 8, quoteDecimals: 6, status: 'TRADING' as const };
const FILTER_REASONS = new Set([
  'INVALID_PRICE',
  'PRICE_NOT_ON_TICK',
  'INVALID_QUANTITY',
  'QUANTITY_NOT_ON_LOT',
  'QUANTITY_BELOW_MIN',
  'QUANTITY_ABOVE_MAX',
  'BELOW_MIN_NOTIONAL',
  'ABOVE_MAX_NOTIONAL',
]);

/** An engine with market data following its events, as the server wires them. */
function exchange(): { driver: EngineDriver; data: MarketData } {
  const driver = EngineDriver.withMarket(SPEC);
  const data = new MarketData();
  for (const command of driver.log) {
    data.apply(
      driver.events.filter((e) => e.seq === command.seq),
      command.seq,
    );
  }
  const send = driver.send.bind(driver);
  driver.send = (command) => {
    const events = send(command);
    data.apply(events, driver.seq);
    return events;
  };
  // Rich enough that the balance never decides: only the filters do.
  for (const user of [1, 2, 3]) {
    driver.deposit(user, 'USDT', 9e14);
    driver.deposit(user, 'BTC', 9e13);
  }
  return { driver, data };
}

const trade = fc.record({
  price: fc.integer({ min: 1, max: 300_000 }).map((cents) => cents * 10_000),
  quantity: fc.integer({ min: 1, max: 2_000 }).map((lots) => lots * 10_000),
  gapMs: fc.integer({ min: 0, max: 200_000 }),
});
const amount = fc.oneof(
  fc.integer({ min: 0, max: 2_000_000_000 }),
  fc.constantFrom(0, 5_000, 10_000, 20_000, 5_000_000),
);
const order = fc
  .record({
    orderType: fc.constantFrom('LIMIT', 'LIMIT_MAKER', 'MARKET'),
    side: fc.constantFrom('BUY', 'SELL'),
    price: amount,
    quantity: amount,
    byQuote: fc.boolean(),
    gapMs: fc.integer({ min: 0, max: 400_000 }),
  })
  .map(({ orderType, side, price, quantity, byQuote, gapMs }) => {
    const shape =
      orderType === 'MARKET'
        ? byQuote
          ? { orderType, quoteOrderQty: price }
          : { orderType, quantity }
        : { orderType, price: price * 1000, quantity, ...(orderType === 'LIMIT' && { timeInForce: 'IOC' }) };
    return { order: { userId: 3, symbol: 'BTCUSDT', side, ...shape } as NewOrder, gapMs };
  });

describe('orderTestFilterFailure', () => {
  it('refuses exactly what the engine refuses for its filters, market orders valued at the same average price', () => {
    fc.assert(
      fc.property(
        fc.array(trade, { maxLength: 12 }),
        fc.array(order, { minLength: 1, maxLength: 12 }),
        (trades, orders) => {
          const { driver, data } = exchange();
          for (const t of trades) {
            driver.ts += t.gapMs;
            driver.send({
              type: 'PlaceOrder',
              userId: 1,
              symbol: 'BTCUSDT',
              side: 'SELL',
              orderType: 'LIMIT',
              timeInForce: 'GTC',
              price: t.price,
              quantity: t.quantity,
            });
            driver.send({
              type: 'PlaceOrder',
              userId: 2,
              symbol: 'BTCUSDT',
              side: 'BUY',
              orderType: 'LIMIT',
              timeInForce: 'IOC',
              price: t.price,
              quantity: t.quantity,
            });
          }
          for (const { order: o, gapMs } of orders) {
            driver.ts += gapMs;
            // The order is stamped ts + 1 (the driver's step); the dry run looks at the same instant.
            const dryRun = orderTestFilterFailure(o, MARKET, data, driver.ts + 1);
            const events = driver.send({ type: 'PlaceOrder', ...o });
            const rejected = events.find((e) => e.type === 'Rejected');
            const engineSays = rejected?.type === 'Rejected' ? rejected.reason : null;
            assert.equal(dryRun, engineSays !== null && FILTER_REASONS.has(engineSays) ? engineSays : null);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('values a MARKET order by quantity at the average price, and before any trade at the best opposite price', () => {
    const { driver, data } = exchange();
    const sell = { userId: 3, symbol: 'BTCUSDT', side: 'SELL', orderType: 'MARKET' } as const;
    // No trade yet: a bid at 1.00 prices the sell; 4.9999 USDT of it is too little.
    driver.send({
      type: 'PlaceOrder',
      userId: 1,
      symbol: 'BTCUSDT',
      side: 'BUY',
      orderType: 'LIMIT',
      timeInForce: 'GTC',
      price: usdt(1),
      quantity: btc(100),
    });
    assert.equal(
      orderTestFilterFailure({ ...sell, quantity: btc(4.9999) }, MARKET, data, driver.ts),
      'BELOW_MIN_NOTIONAL',
    );
    assert.equal(orderTestFilterFailure({ ...sell, quantity: btc(5) }, MARKET, data, driver.ts), null);
    // Nothing to sell into and no trade: nothing to value it at, so the order goes on (to expire).
    const { data: empty } = exchange();
    assert.equal(orderTestFilterFailure({ ...sell, quantity: btc(0.001) }, MARKET, empty, driver.ts), null);
  });
});
