import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { btc, EngineDriver, limit, usdt } from '../../test/support/engine-driver.ts';
import { klineCloseTime, klineOpenTime } from './kline-intervals.ts';
import { MarketData, type MarketUpdate } from './market-data.ts';

function setup(): { driver: EngineDriver; data: MarketData; updates: MarketUpdate[] } {
  const driver = EngineDriver.withMarket();
  const data = new MarketData();
  const updates: MarketUpdate[] = [];
  for (const command of driver.log)
    data.apply(
      driver.events.filter((e) => e.seq === command.seq),
      command.seq,
    );
  data.subscribe((update) => updates.push(update));
  const send = driver.send.bind(driver);
  driver.send = (command) => {
    const events = send(command);
    data.apply(events, driver.seq);
    return events;
  };
  for (let user = 1; user <= 3; user++) {
    driver.deposit(user, 'BTC', btc(10));
    driver.deposit(user, 'USDT', usdt(1_000_000));
  }
  return { driver, data, updates };
}

describe('MarketData', () => {
  it('reports depth with the last applied seq as lastUpdateId, even after a command that changed no book', () => {
    const { driver, data } = setup();
    driver.send(limit(1, 'BUY', usdt(100), btc(1)));
    driver.send(limit(1, 'BUY', usdt(99), btc(2)));
    driver.send(limit(2, 'SELL', usdt(101), btc(3)));
    driver.deposit(3, 'BTC', 1);
    assert.deepEqual(data.depth('BTCUSDT', 1), {
      lastUpdateId: driver.seq,
      bids: [[usdt(100), btc(1)]],
      asks: [[usdt(101), btc(3)]],
    });
    assert.equal(data.depth('NOPE', 5), undefined);
  });

  it('aggregates one taker order’s fills at one price, aggregate ids contiguous like trade ids', () => {
    const { driver, data, updates } = setup();
    driver.send(limit(1, 'SELL', usdt(100), btc(1)));
    driver.send(limit(2, 'SELL', usdt(100), btc(1)));
    driver.send(limit(2, 'SELL', usdt(101), btc(1)));
    updates.length = 0;
    driver.send(limit(3, 'BUY', usdt(101), btc(2.5)));
    const [update] = updates;
    assert.equal(update?.symbols[0]?.trades.length, 3);
    const aggs = data.aggTrades({ symbol: 'BTCUSDT', limit: 10 });
    assert.deepEqual(
      aggs.map((a) => [a.aggId, a.firstTradeId, a.lastTradeId, a.price, a.quantity, a.buyerIsMaker]),
      [
        [1, 1, 2, usdt(100), btc(2), false],
        [2, 3, 3, usdt(101), btc(0.5), false],
      ],
    );
    assert.deepEqual(update?.symbols[0]?.aggTrades, aggs);
    assert.deepEqual(
      data.aggTrades({ symbol: 'BTCUSDT', fromId: 2, limit: 10 }).map((a) => a.aggId),
      [2],
    );
    assert.deepEqual(data.aggTrades({ symbol: 'BTCUSDT', fromId: 3, limit: 10 }), []);
    assert.deepEqual(update?.symbols[0]?.asks, [
      [usdt(100), 0],
      [usdt(101), btc(0.5)],
    ]);
    assert.deepEqual(update?.symbols[0]?.bookTicker?.askPrice, usdt(101));
  });

  it('computes the rolling 24h ticker and the volume-weighted average price', () => {
    const { driver, data } = setup();
    driver.send(limit(1, 'SELL', usdt(100), btc(1)));
    driver.send(limit(2, 'BUY', usdt(100), btc(1)));
    driver.ts += 25 * 3_600_000;
    driver.send(limit(1, 'SELL', usdt(110), btc(0.5)));
    driver.send(limit(2, 'BUY', usdt(110), btc(0.5)));
    driver.send(limit(1, 'SELL', usdt(120), btc(1)));
    driver.send(limit(2, 'BUY', usdt(120), btc(0.5)));
    const ticker = data.ticker24h('BTCUSDT', driver.ts)!;
    assert.equal(ticker.prevClosePrice, usdt(100));
    assert.equal(ticker.openPrice, usdt(110));
    assert.equal(ticker.highPrice, usdt(120));
    assert.equal(ticker.lowPrice, usdt(110));
    assert.equal(ticker.lastPrice, usdt(120));
    assert.equal(ticker.lastQty, btc(0.5));
    assert.equal(ticker.volume, btc(1));
    assert.equal(ticker.quoteVolume, usdt(115));
    assert.equal(ticker.count, 2);
    assert.deepEqual([ticker.firstId, ticker.lastId], [2, 3]);
    assert.equal(data.averagePrice('BTCUSDT', driver.ts, 5)?.price, usdt(115));
    const quiet = data.ticker24h('BTCUSDT', driver.ts + 2 * 86_400_000)!;
    assert.deepEqual([quiet.count, quiet.firstId, quiet.lastId, quiet.lastPrice], [0, -1, -1, usdt(120)]);
    assert.equal(data.averagePrice('BTCUSDT', driver.ts + 3_600_000, 5)?.price, usdt(120));
  });

  it('keeps live candles for every interval', () => {
    const { driver, data } = setup();
    driver.send(limit(1, 'SELL', usdt(100), btc(1)));
    driver.send(limit(2, 'BUY', usdt(100), btc(0.25)));
    driver.ts += 60_000;
    driver.send(limit(2, 'BUY', usdt(100), btc(0.25)));
    const klines = data.klines('BTCUSDT')!;
    assert.equal(klines.latest('1m')?.volume, btc(0.25));
    assert.equal(klines.before('1m')?.volume, btc(0.25));
    assert.equal(klines.latest('1d')?.volume, btc(0.5));
    assert.equal(klines.latest('1d')?.takerBuyVolume, btc(0.5));
  });

  it('aligns weeks to Monday and months to the first, in UTC', () => {
    const ts = Date.UTC(2026, 10, 26, 6, 30); // a Thursday
    assert.equal(klineOpenTime(ts, '1w'), Date.UTC(2026, 10, 23));
    assert.equal(klineOpenTime(ts, '1M'), Date.UTC(2026, 10, 1));
    assert.equal(klineCloseTime(Date.UTC(2026, 10, 1), '1M'), Date.UTC(2026, 11, 1) - 1);
    assert.equal(klineOpenTime(ts, '4h'), Date.UTC(2026, 10, 26, 4));
  });
});
