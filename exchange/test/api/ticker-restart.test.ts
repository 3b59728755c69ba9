import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiHarness, TestClock } from './support/api-harness.ts';

const HOUR = 3_600_000;
/** Monday 2026-03-02 08:00 UTC. */
const START = Date.UTC(2026, 2, 2, 8);

/**
 * Every answer that reads the rolling statistics, at the clock's time, lists in the order served:
 * a restarted exchange lists its markets in the order they were listed, as before the restart.
 */
async function statistics(api: ApiHarness): Promise<unknown> {
  const all = async (path: string, params: Record<string, string> = {}) =>
    (await api.get(path, params)).body as { symbol: string }[];
  return {
    full: await all('/api/v3/ticker/24hr'),
    mini: await all('/api/v3/ticker/24hr', { type: 'MINI' }),
    price: await all('/api/v3/ticker/price'),
    avg: (await api.get('/api/v3/avgPrice', { symbol: 'BTCUSDT' })).body,
  };
}

interface Ticker {
  symbol: string;
  prevClosePrice: string;
  openPrice: string;
  lastPrice: string;
  volume: string;
  count: number;
}

/** Bob sells, alice buys: one trade at `at`. */
async function trade(api: ApiHarness, at: number, symbol: string, price: string, quantity: string) {
  api.clock!.now = at;
  for (const [name, side] of [
    ['bob', 'SELL'],
    ['alice', 'BUY'],
  ] as const) {
    const r = await api.signed('POST', '/api/v3/order', api.trader(name), {
      symbol,
      side,
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity,
      price,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
}

describe('24-hour statistics across a restart', () => {
  it('reports the same tickers after a restart, and after a rebuild of the read model, then counts on', async () => {
    let api = await ApiHarness.start({}, new TestClock(START));
    try {
      // Before the window that ends at the last reading: only the previous close comes from these.
      await trade(api, START, 'BTCUSDT', '60000', '0.1');
      await trade(api, START, 'ETHUSDT', '3000', '1');
      await trade(api, START + 2 * HOUR, 'BTCUSDT', '60100', '0.2');
      await trade(api, START + 2 * HOUR + 20_000, 'BTCUSDT', '59900', '0.05');
      await trade(api, START + 9 * HOUR, 'BTCUSDT', '60500', '0.3');
      api.clock!.now = START + 24 * HOUR + 30 * 60_000;
      const before = await statistics(api);
      const btc = (before as { full: Ticker[] }).full.find((t) => t.symbol === 'BTCUSDT')!;
      assert.deepEqual(
        [btc.prevClosePrice, btc.openPrice, btc.lastPrice, btc.volume, btc.count],
        ['60000.000000', '60100.000000', '60500.000000', '0.55000000', 3],
      );
      const eth = (before as { full: Ticker[] }).full.find((t) => t.symbol === 'ETHUSDT')!;
      assert.deepEqual([eth.prevClosePrice, eth.lastPrice, eth.count], ['3000.000000', '3000.000000', 0]);

      api = await api.restart();
      assert.deepEqual(await statistics(api), before, 'the same figures after a restart');

      // Without its read model, the server rebuilds it from the log while it recovers: the
      // projection lags the engine at start, and the statistics wait for it.
      await api.server.close();
      for (const file of readdirSync(api.dataDir))
        if (file.startsWith('read-model')) rmSync(join(api.dataDir, file));
      api = await api.restart();
      assert.deepEqual(await statistics(api), before, 'the same figures after a rebuild');

      await trade(api, api.clock!.now, 'BTCUSDT', '61000', '0.1');
      const after = ((await api.get('/api/v3/ticker/24hr', { symbol: 'BTCUSDT' })).body as Ticker)!;
      assert.deepEqual([after.lastPrice, after.volume, after.count], ['61000.000000', '0.65000000', 4]);
    } finally {
      await api.close();
    }
  });
});
