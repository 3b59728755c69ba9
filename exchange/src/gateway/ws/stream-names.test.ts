import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStreamName } from './stream-names.ts';

const known = (symbol: string) => symbol === 'BTCUSDT';

describe('parseStreamName', () => {
  it('reads every Binance market stream, lower-case symbol, case-sensitive type', () => {
    assert.deepEqual(parseStreamName('btcusdt@trade', known), { kind: 'trade', symbol: 'BTCUSDT' });
    assert.deepEqual(parseStreamName('btcusdt@aggTrade', known), { kind: 'aggTrade', symbol: 'BTCUSDT' });
    assert.deepEqual(parseStreamName('btcusdt@bookTicker', known), { kind: 'bookTicker', symbol: 'BTCUSDT' });
    assert.deepEqual(parseStreamName('btcusdt@depth', known), {
      kind: 'depth',
      symbol: 'BTCUSDT',
      speedMs: 1000,
    });
    assert.deepEqual(parseStreamName('btcusdt@depth@100ms', known), {
      kind: 'depth',
      symbol: 'BTCUSDT',
      speedMs: 100,
    });
    assert.deepEqual(parseStreamName('btcusdt@depth20@100ms', known), {
      kind: 'partialDepth',
      symbol: 'BTCUSDT',
      levels: 20,
      speedMs: 100,
    });
    assert.deepEqual(parseStreamName('btcusdt@kline_1M', known), {
      kind: 'kline',
      symbol: 'BTCUSDT',
      interval: '1M',
      offsetMs: 0,
    });
    assert.deepEqual(parseStreamName('btcusdt@kline_1d@+08:00', known), {
      kind: 'kline',
      symbol: 'BTCUSDT',
      interval: '1d',
      offsetMs: 8 * 3_600_000,
    });
    assert.deepEqual(parseStreamName('btcusdt@avgPrice', known), { kind: 'avgPrice', symbol: 'BTCUSDT' });
    assert.deepEqual(parseStreamName('btcusdt@ticker_4h', known), {
      kind: 'windowTicker',
      symbol: 'BTCUSDT',
      window: '4h',
    });
    assert.deepEqual(parseStreamName('!ticker_1d@arr', known), { kind: 'allWindowTickers', window: '1d' });
    assert.deepEqual(parseStreamName('btcusdt@depth@1000ms', known), {
      kind: 'depth',
      symbol: 'BTCUSDT',
      speedMs: 1000,
    });
    assert.deepEqual(parseStreamName('!ticker@arr', known), { kind: 'allTickers' });
  });

  it('refuses unknown symbols, upper-case symbols, unknown types and intervals', () => {
    for (const name of [
      'ethusdt@trade',
      'BTCUSDT@trade',
      'btcusdt@aggtrade',
      'btcusdt@depth15',
      'btcusdt@kline_2m',
      'btcusdt@kline_1d@+05:00',
      'btcusdt@kline_1d@+8',
      'btcusdt@kline_1d@+08:00@x',
      'btcusdt@ticker_2h',
      '!ticker_1m@arr',
      'btcusdt@avgprice',
      'btcusdt',
      '0',
    ]) {
      assert.equal(parseStreamName(name, known), undefined, name);
    }
  });
});
