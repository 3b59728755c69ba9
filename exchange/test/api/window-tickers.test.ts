import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestClient } from '../support/ws-client.ts';
import { ApiHarness, TestClock } from './support/api-harness.ts';

/** Tuesday 2026-01-06 09:00:00 UTC. */
const T0 = Date.UTC(2026, 0, 6, 9);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The rolling window tickers two ways: the REST ticker sums the read model's candles, the stream sums
 * market data's minute buckets, both built from the same events. At one instant they must agree on
 * every field, with trades placed on both sides of each window's edge.
 */
describe('rolling window tickers: the stream and the REST ticker agree', () => {
  let api: ApiHarness;
  const clock = new TestClock(T0);

  before(async () => {
    api = await ApiHarness.start({}, clock);
    const alice = api.trader('alice');
    const bob = api.trader('bob');
    const order = (key: typeof alice, side: 'BUY' | 'SELL', type: 'LIMIT' | 'MARKET', price?: string) =>
      api.signed('POST', '/api/v3/order', key, {
        symbol: 'BTCUSDT',
        side,
        type,
        quantity: '0.01',
        ...(price !== undefined && { price, timeInForce: 'GTC' }),
      });
    // A trade at each of these times, each at its own price.
    const times = [
      0,
      30 * MINUTE,
      2 * HOUR,
      4 * HOUR - 30_000,
      4 * HOUR + 40_000,
      5 * HOUR - 59_000,
      5 * HOUR,
    ];
    for (const [i, offset] of times.entries()) {
      clock.now = T0 + offset;
      const price = String(60_000 + i * 10);
      assert.equal((await order(bob, 'SELL', 'LIMIT', price)).status, 200);
      assert.equal((await order(alice, 'BUY', 'MARKET')).status, 200);
    }
    // 5 h 20 s after T0: the 1h window opens at 4:00:00 (taking 4:00:40 and later), the 4h window at
    // 1:00:00 (taking 2:00 and later), the 1d window takes them all.
    clock.now = T0 + 5 * HOUR + 20_000;
  });
  after(() => api.close());

  it('every field of <symbol>@ticker_1h, 4h and 1d equals GET /api/v3/ticker with that windowSize', async () => {
    const client = await TestClient.open(
      `${api.server.baseUrl.replace(/^http/, 'ws')}/stream?streams=btcusdt@ticker_1h/btcusdt@ticker_4h/btcusdt@ticker_1d/!ticker_4h@arr`,
    );
    try {
      for (const [window, count] of [
        ['1h', 3],
        ['4h', 5],
        ['1d', 7],
      ] as const) {
        const { data } = await client.next((m) => m.stream === `btcusdt@ticker_${window}`);
        const rest = await api.get<Record<string, unknown>>('/api/v3/ticker', {
          symbol: 'BTCUSDT',
          windowSize: window,
        });
        assert.equal(rest.status, 200, JSON.stringify(rest.body));
        const r = rest.body;
        assert.equal(data.n, count, window);
        assert.deepEqual(
          [
            data.p,
            data.P,
            data.w,
            data.o,
            data.h,
            data.l,
            data.c,
            data.v,
            data.q,
            data.O,
            data.C,
            data.F,
            data.L,
            data.n,
          ],
          [
            r.priceChange,
            r.priceChangePercent,
            r.weightedAvgPrice,
            r.openPrice,
            r.highPrice,
            r.lowPrice,
            r.lastPrice,
            r.volume,
            r.quoteVolume,
            r.openTime,
            r.closeTime,
            r.firstId,
            r.lastId,
            r.count,
          ],
          window,
        );
      }
      const all = await client.next((m) => m.stream === '!ticker_4h@arr');
      const btc = (all.data as { s: string; n: number }[]).find((t) => t.s === 'BTCUSDT');
      assert.equal(btc?.n, 5);
    } finally {
      await client.close();
    }
  });
});
