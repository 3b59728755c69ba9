import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventsOfType } from '../support/engine-driver.ts';
import { buy, marketOrder, runScenario, sell } from './book-scenario.ts';

describe('limit orders', () => {
  it('rest when nothing crosses', () => {
    runScenario({
      given: [sell(2, 30_010, 1)],
      when: buy(1, 30_000, 0.5),
      trades: [],
      events: ['OrderAccepted #2'],
      balances: { 1: { USDT: [1_000_000 - 15_000, 15_000], BTC: [100, 0] } },
      book: { bids: [[30_000, 0.5]], asks: [[30_010, 1]] },
    });
  });

  it('match by price first, then time, at the maker price, and rest the remainder', () => {
    runScenario({
      given: [sell(2, 30_010, 0.5), sell(3, 30_000, 0.25), sell(4, 30_000, 0.25), sell(5, 30_020, 1)],
      when: buy(1, 30_010, 1.5),
      trades: [
        [30_000, 0.25, 3],
        [30_000, 0.25, 4],
        [30_010, 0.5, 2],
      ],
      events: ['OrderAccepted #5', 'OrderFilled #2', 'OrderFilled #3', 'OrderFilled #1'],
      // Paid 30,005 for 1 BTC; 0.5 BTC rests at 30,010 and locks 15,005.
      balances: {
        1: { USDT: [1_000_000 - 30_005 - 15_005, 15_005], BTC: [101, 0] },
        2: { USDT: [1_015_005, 0], BTC: [99.5, 0] },
      },
      book: { bids: [[30_010, 0.5]], asks: [[30_020, 1]] },
    });
  });

  it('fill a resting order partially and keep its time priority', () => {
    const { driver } = runScenario({
      given: [sell(2, 30_000, 1), sell(3, 30_000, 1)],
      when: buy(1, 30_000, 0.4),
      trades: [[30_000, 0.4, 2]],
      events: ['OrderAccepted #3', 'OrderFilled #3'],
      balances: { 2: { BTC: [99, 0.6], USDT: [1_012_000, 0] } },
      book: { asks: [[30_000, 1.6]] },
    });
    const next = eventsOfType(driver.send(buy(1, 30_000, 0.7)), 'Trade');
    assert.deepEqual(
      next.map((t) => [t.makerUserId, t.quantity]),
      [
        [2, 60_000_000],
        [3, 10_000_000],
      ],
    );
  });

  it('IOC: takes what it can and expires the rest, keeping nothing locked', () => {
    runScenario({
      given: [sell(2, 30_000, 0.3)],
      when: buy(1, 30_100, 1, { timeInForce: 'IOC' }),
      trades: [[30_000, 0.3, 2]],
      events: ['OrderAccepted #2', 'OrderFilled #1', 'OrderExpired IOC #2'],
      balances: { 1: { USDT: [1_000_000 - 9_000, 0], BTC: [100.3, 0] } },
      book: {},
    });
  });

  it('FOK: fills entirely when the book holds enough within the limit', () => {
    runScenario({
      given: [sell(2, 30_000, 0.5), sell(3, 30_050, 0.5), sell(4, 30_100, 5)],
      when: buy(1, 30_050, 1, { timeInForce: 'FOK' }),
      trades: [
        [30_000, 0.5, 2],
        [30_050, 0.5, 3],
      ],
      events: ['OrderAccepted #4', 'OrderFilled #1', 'OrderFilled #2', 'OrderFilled #4'],
      book: { asks: [[30_100, 5]] },
    });
  });

  it('FOK: expires without trading when it cannot fill entirely', () => {
    runScenario({
      given: [sell(2, 30_000, 0.5), sell(3, 30_100, 5)],
      when: buy(1, 30_050, 1, { timeInForce: 'FOK' }),
      trades: [],
      events: ['OrderAccepted #3', 'OrderExpired FOK #3'],
      balances: { 1: { USDT: [1_000_000, 0], BTC: [100, 0] } },
      book: {
        asks: [
          [30_000, 0.5],
          [30_100, 5],
        ],
      },
    });
  });

  it('LIMIT_MAKER rests when it does not cross', () => {
    runScenario({
      given: [sell(2, 30_010, 1)],
      when: buy(1, 30_000, 1, { orderType: 'LIMIT_MAKER', timeInForce: undefined }),
      trades: [],
      events: ['OrderAccepted #2'],
      book: { bids: [[30_000, 1]], asks: [[30_010, 1]] },
    });
  });

  it('sells sweep bids from the highest down', () => {
    runScenario({
      given: [buy(2, 29_990, 1), buy(3, 30_000, 1)],
      when: sell(1, 29_990, 1.5),
      trades: [
        [30_000, 1, 3],
        [29_990, 0.5, 2],
      ],
      balances: { 1: { BTC: [98.5, 0], USDT: [1_000_000 + 30_000 + 14_995, 0] } },
      book: { bids: [[29_990, 0.5]] },
    });
  });
});

describe('market orders', () => {
  it('by base quantity: sweep levels and release the unused budget', () => {
    runScenario({
      given: [sell(2, 30_000, 0.5), sell(3, 30_100, 0.5)],
      when: marketOrder(1, 'BUY', { quantity: 0.8 }),
      trades: [
        [30_000, 0.5, 2],
        [30_100, 0.3, 3],
      ],
      events: ['OrderAccepted #3', 'OrderFilled #1', 'OrderFilled #3'],
      balances: { 1: { USDT: [1_000_000 - 15_000 - 9_030, 0], BTC: [100.8, 0] } },
      book: { asks: [[30_100, 0.2]] },
    });
  });

  it('by base quantity: expire when the book runs out', () => {
    runScenario({
      given: [buy(2, 30_000, 0.5)],
      when: marketOrder(1, 'SELL', { quantity: 2 }),
      trades: [[30_000, 0.5, 2]],
      events: ['OrderAccepted #2', 'OrderFilled #1', 'OrderExpired NO_LIQUIDITY #2'],
      balances: { 1: { BTC: [99.5, 0], USDT: [1_015_000, 0] } },
    });
  });

  it('a market buy by quantity spends no more than the buyer has', () => {
    runScenario({
      funds: { 1: { USDT: 20_000, BTC: 0 } },
      given: [sell(2, 30_000, 0.5), sell(3, 31_000, 1)],
      when: marketOrder(1, 'BUY', { quantity: 1 }),
      // 15,000 buys 0.5 at 30,000; the 5,000 left buys 0.1612 at 31,000 (whole lots of 0.0001).
      trades: [
        [30_000, 0.5, 2],
        [31_000, 0.1612, 3],
      ],
      events: ['OrderAccepted #3', 'OrderFilled #1', 'OrderExpired BALANCE #3'],
      balances: { 1: { USDT: [2.8, 0], BTC: [0.6612, 0] } },
    });
  });

  it('by quote amount (quoteOrderQty): buys whole lots for no more than the amount', () => {
    runScenario({
      given: [sell(2, 30_000, 0.1), sell(3, 30_100, 1)],
      when: marketOrder(1, 'BUY', { quoteOrderQty: 10_000 }),
      // 3,000 buys 0.1 at 30,000; 7,000 buys 0.2325 at 30,100 for 6,998.25; 1.75 USDT comes back.
      trades: [
        [30_000, 0.1, 2],
        [30_100, 0.2325, 3],
      ],
      events: ['OrderAccepted #3', 'OrderFilled #1', 'OrderFilled #3'],
      balances: { 1: { USDT: [990_001.75, 0], BTC: [100.3325, 0] } },
    });
  });

  it('by quote amount when selling: raises no more than the amount', () => {
    runScenario({
      given: [buy(2, 30_000, 1)],
      when: marketOrder(1, 'SELL', { quoteOrderQty: 1_000 }),
      trades: [[30_000, 0.0333, 2]],
      events: ['OrderAccepted #2', 'OrderFilled #2'],
      balances: { 1: { BTC: [100 - 0.0333, 0], USDT: [1_000_999, 0] } },
    });
  });

  it('on an empty book: accepted, then expired', () => {
    runScenario({
      given: [],
      when: marketOrder(1, 'BUY', { quantity: 1 }),
      trades: [],
      events: ['OrderAccepted #1', 'OrderExpired NO_LIQUIDITY #1'],
      balances: { 1: { USDT: [1_000_000, 0] } },
    });
  });
});

describe('fees', () => {
  it('charge each side in the asset it receives, rounded down, into the fee account', () => {
    const { events } = runScenario({
      market: { makerFeePpm: 1_000, takerFeePpm: 2_000 },
      given: [sell(2, 30_000, 0.5)],
      when: buy(1, 30_000, 0.5),
      trades: [[30_000, 0.5, 2]],
      balances: {
        // Taker receives 0.5 BTC less 0.2% = 0.001 BTC; maker receives 15,000 USDT less 0.1% = 15 USDT.
        1: { BTC: [100.499, 0], USDT: [985_000, 0] },
        2: { BTC: [99.5, 0], USDT: [1_014_985, 0] },
        0: { BTC: [0.001, 0], USDT: [15, 0] },
      },
    });
    const [trade] = eventsOfType(events, 'Trade');
    assert.equal(trade?.takerFee, 100_000);
    assert.equal(trade?.makerFee, 15_000_000);
  });

  it('never charge more than the rate: a fee below one minor unit is zero', () => {
    const { events } = runScenario({
      market: { makerFeePpm: 1, takerFeePpm: 1 },
      given: [sell(2, 30_000, 0.0001)],
      when: buy(1, 30_000, 0.0001),
      trades: [[30_000, 0.0001, 2]],
    });
    const [trade] = eventsOfType(events, 'Trade');
    // 10,000 satoshi x 1 ppm = 0.01 satoshi, rounded down; 3 USDT = 3,000,000 micro x 1 ppm = 3 micro.
    assert.deepEqual([trade?.takerFee, trade?.makerFee], [0, 3]);
  });
});

describe('self-trade prevention (the taker mode decides)', () => {
  const given = [sell(1, 30_000, 0.5), sell(2, 30_000, 0.5)];

  it('NONE lets the user trade with itself', () => {
    runScenario({
      given,
      when: buy(1, 30_000, 0.6, { stpMode: 'NONE' }),
      trades: [
        [30_000, 0.5, 1],
        [30_000, 0.1, 2],
      ],
      events: ['OrderAccepted #3', 'OrderFilled #1', 'OrderFilled #3'],
    });
  });

  it('EXPIRE_TAKER expires the incoming order and leaves the book', () => {
    runScenario({
      given,
      when: buy(1, 30_000, 0.6, { stpMode: 'EXPIRE_TAKER' }),
      trades: [],
      events: ['OrderAccepted #3', 'OrderExpired SELF_TRADE #3'],
      balances: { 1: { USDT: [1_000_000, 0], BTC: [99.5, 0.5] } },
      book: { asks: [[30_000, 1]] },
    });
  });

  it('EXPIRE_MAKER expires the resting order and matches on', () => {
    runScenario({
      given,
      when: buy(1, 30_000, 0.6, { stpMode: 'EXPIRE_MAKER' }),
      trades: [[30_000, 0.5, 2]],
      events: ['OrderAccepted #3', 'OrderExpired SELF_TRADE #1', 'OrderFilled #2'],
      balances: { 1: { USDT: [1_000_000 - 18_000, 3_000], BTC: [100.5, 0] } },
      book: { bids: [[30_000, 0.1]] },
    });
  });

  it('EXPIRE_BOTH expires both', () => {
    runScenario({
      given,
      when: buy(1, 30_000, 0.6, { stpMode: 'EXPIRE_BOTH' }),
      trades: [],
      events: ['OrderAccepted #3', 'OrderExpired SELF_TRADE #1', 'OrderExpired SELF_TRADE #3'],
      balances: { 1: { USDT: [1_000_000, 0], BTC: [100, 0] } },
      book: { asks: [[30_000, 0.5]] },
    });
  });

  it('the market default applies when the order names no mode', () => {
    runScenario({
      market: { defaultStpMode: 'EXPIRE_TAKER' },
      given,
      when: buy(1, 30_000, 0.6),
      trades: [],
      events: ['OrderAccepted #3', 'OrderExpired SELF_TRADE #3'],
    });
  });

  it('FOK counts only what it could really take', () => {
    runScenario({
      given,
      when: buy(1, 30_000, 0.6, { timeInForce: 'FOK', stpMode: 'EXPIRE_MAKER' }),
      trades: [],
      events: ['OrderAccepted #3', 'OrderExpired FOK #3'],
      book: { asks: [[30_000, 1]] },
    });
  });
});
