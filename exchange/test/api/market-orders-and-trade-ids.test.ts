import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestClient } from '../support/ws-client.ts';
import { ApiHarness, type ApiKey, type ErrorBody } from './support/api-harness.ts';

interface OrderJson {
  orderId: number;
  status: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  fills?: { tradeId: number }[];
}
interface TradeJson {
  id: number;
}
interface AggTradeJson {
  a: number;
  f: number;
  l: number;
}
interface Ticker {
  firstId: number;
  lastId: number;
  count: number;
}

/**
 * Issue 12, items 6, 7 and 11 through the public API of a real server: MARKET orders are held to the
 * notional filter exchangeInfo publishes, a market order that buys nothing is EXPIRED everywhere it
 * is reported, and trade and aggregate ids run per symbol, also after a restart.
 */
describe('market orders and trade ids through the API', () => {
  let api: ApiHarness;
  let alice: ApiKey;
  let bob: ApiKey;
  let carol: ApiKey;

  before(async () => {
    api = await ApiHarness.start();
    alice = api.trader('alice');
    bob = api.trader('bob');
    carol = await api.user('carol', ['READ', 'TRADE'], { USDT: '1000', BTC: '1', ETH: '10' });
  });
  after(() => api.close());

  const place = (key: ApiKey, params: Record<string, string>) =>
    api.signed<OrderJson & ErrorBody>('POST', '/api/v3/order', key, params);
  const limit = (symbol: string, side: 'BUY' | 'SELL', price: string, quantity: string) => ({
    symbol,
    side,
    type: 'LIMIT',
    timeInForce: 'GTC',
    price,
    quantity,
  });
  const balances = async (key: ApiKey) =>
    (await api.signed<{ balances: unknown[] }>('GET', '/api/v3/account', key)).body.balances;

  it('refuses a MARKET order by quantity below the notional at the average price, as exchangeInfo says, in order and order/test', async () => {
    const info = await api.get<{ symbols: { symbol: string; filters: Record<string, unknown>[] }[] }>(
      '/api/v3/exchangeInfo',
      { symbol: 'BTCUSDT' },
    );
    const notional = info.body.symbols[0]!.filters.find((f) => f.filterType === 'NOTIONAL')!;
    assert.equal(notional.applyMinToMarket, true);
    assert.equal(notional.minNotional, '5.000000');
    assert.equal(notional.avgPriceMins, 5);
    // A trade at 1.00 sets the average price; the book then quotes 1.00 / 0.99.
    const dave = await api.user('dave', ['READ', 'TRADE'], { USDT: '1000', BTC: '1000' });
    const erin = await api.user('erin', ['READ', 'TRADE'], { USDT: '1000', BTC: '1000' });
    await place(dave, limit('BTCUSDT', 'SELL', '1', '10'));
    assert.equal((await place(erin, limit('BTCUSDT', 'BUY', '1', '10'))).body.status, 'FILLED');
    const avg = await api.get<{ mins: number; price: string }>('/api/v3/avgPrice', { symbol: 'BTCUSDT' });
    assert.deepEqual(avg.body.mins, 5);
    assert.equal(avg.body.price, '1.000000');
    await place(dave, limit('BTCUSDT', 'SELL', '1', '100'));
    await place(erin, limit('BTCUSDT', 'BUY', '0.99', '100'));
    const before = await balances(carol);
    const tiny = { symbol: 'BTCUSDT', type: 'MARKET', quantity: '0.001' };
    for (const side of ['BUY', 'SELL'] as const) {
      for (const path of ['/api/v3/order', '/api/v3/order/test']) {
        const r = await api.signed<ErrorBody>('POST', path, carol, { ...tiny, side });
        assert.equal(r.status, 400, `${side} ${path}`);
        assert.deepEqual(r.body, { code: -1013, msg: 'Filter failure: NOTIONAL' });
      }
    }
    for (let i = 0; i < 20; i++) {
      assert.equal((await place(carol, { ...tiny, side: 'SELL' })).body.code, -1013);
    }
    assert.deepEqual(await balances(carol), before, 'no tiny fill, no commission rounded to 0');
    // 5 BTC is worth 5 USDT at the average price: it trades.
    assert.equal(
      (await place(carol, { ...tiny, side: 'SELL', quantity: '5' })).status,
      400,
      'carol has 1 BTC',
    );
    const ok = await place(carol, { ...tiny, side: 'BUY', quantity: '5' });
    assert.equal(ok.body.status, 'FILLED');
    for (const key of [dave, erin]) {
      await api.signed('DELETE', '/api/v3/openOrders', key, { symbol: 'BTCUSDT' });
    }
  });

  it('answers a MARKET order by quoteOrderQty that buys no lot as EXPIRED with nothing executed, and reports it so everywhere', async () => {
    // One lot (0.001 ETH) costs 6.28 USDT at 6,280.
    await place(bob, limit('ETHUSDT', 'SELL', '6280', '1'));
    const created = await api.raw<{ listenKey: string }>('POST', '/api/v3/userDataStream', '', {
      apiKey: carol.apiKey,
    });
    const stream = await TestClient.open(
      `${api.server.baseUrl.replace(/^http/, 'ws')}/ws/${created.body.listenKey}`,
    );
    try {
      const r = await place(carol, { symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '5' });
      assert.equal(r.status, 200);
      assert.equal(r.body.status, 'EXPIRED');
      assert.equal(r.body.executedQty, '0.00000000');
      assert.deepEqual(r.body.fills, []);
      const reports = [
        await stream.next((m) => m.e === 'executionReport' && m.i === r.body.orderId),
        await stream.next((m) => m.e === 'executionReport' && m.i === r.body.orderId),
      ];
      assert.deepEqual(
        reports.map((m) => [m.x, m.X, m.z]),
        [
          ['NEW', 'NEW', '0.00000000'],
          ['EXPIRED', 'EXPIRED', '0.00000000'],
        ],
      );
      const queried = await api.signed<OrderJson>('GET', '/api/v3/order', carol, {
        symbol: 'ETHUSDT',
        orderId: r.body.orderId,
      });
      assert.equal(queried.body.status, 'EXPIRED');
      const all = await api.signed<OrderJson[]>('GET', '/api/v3/allOrders', carol, { symbol: 'ETHUSDT' });
      assert.deepEqual(
        all.body.filter((o) => o.orderId === r.body.orderId).map((o) => [o.status, o.executedQty]),
        [['EXPIRED', '0.00000000']],
      );
      // On an empty book (BTC's asks are gone above): EXPIRED too, never FILLED.
      const empty = await place(carol, {
        symbol: 'ETHBTC',
        side: 'BUY',
        type: 'MARKET',
        quoteOrderQty: '0.01',
      });
      assert.equal(empty.body.status, 'EXPIRED');
      assert.equal(empty.body.executedQty, '0.00000000');
    } finally {
      stream.ws.close();
      await stream.closed;
    }
  });

  /** Every id the public trade lists give for `symbol`, and what the 24-hour ticker says of them. */
  const tradeIds = async (symbol: string) => {
    const trades = await api.get<TradeJson[]>('/api/v3/trades', { symbol, limit: 1000 });
    const aggs = await api.get<AggTradeJson[]>('/api/v3/aggTrades', { symbol, limit: 1000 });
    const ticker = await api.get<Ticker>('/api/v3/ticker/24hr', { symbol });
    return { trades: trades.body.map((t) => t.id), aggs: aggs.body, ticker: ticker.body };
  };
  const consecutive = (ids: number[]) => ids.map((_, i) => i + 1);

  it('numbers trades and aggregate trades 1, 2, 3... per symbol; the ticker, fromId paging and myTrades agree', async () => {
    // Interleave the two symbols, with sweeps that make several fills (and aggregates) per order.
    for (let round = 0; round < 3; round++) {
      for (const symbol of ['ETHUSDT', 'BTCUSDT']) {
        const price = symbol === 'ETHUSDT' ? 3000 : 50000;
        await place(bob, limit(symbol, 'SELL', String(price), '0.01'));
        await place(bob, limit(symbol, 'SELL', String(price), '0.01'));
        await place(bob, limit(symbol, 'SELL', String(price + 1), '0.01'));
        await place(alice, limit(symbol, 'BUY', String(price + 1), '0.03'));
      }
    }
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const { trades, aggs, ticker } = await tradeIds(symbol);
      assert.deepEqual(trades, consecutive(trades), `${symbol} trade ids`);
      assert.deepEqual(
        aggs.map((a) => a.a),
        consecutive(aggs.map((a) => a.a)),
        `${symbol} aggregate ids`,
      );
      // The aggregates cover the trades exactly, in order.
      assert.deepEqual(
        aggs.flatMap((a) => Array.from({ length: a.l - a.f + 1 }, (_, i) => a.f + i)),
        trades,
      );
      assert.deepEqual([ticker.firstId, ticker.lastId, ticker.count], [1, trades.length, trades.length]);
      const from = await api.raw<TradeJson[]>(
        'GET',
        '/api/v3/historicalTrades',
        `symbol=${symbol}&fromId=2&limit=3`,
        { apiKey: alice.apiKey },
      );
      assert.deepEqual(
        from.body.map((t) => t.id),
        [2, 3, 4],
      );
      const aggFrom = await api.get<AggTradeJson[]>('/api/v3/aggTrades', { symbol, fromId: 2, limit: 2 });
      assert.deepEqual(
        aggFrom.body.map((a) => a.a),
        [2, 3],
      );
      const mine = async (params: Record<string, string | number>) =>
        (await api.signed<TradeJson[]>('GET', '/api/v3/myTrades', alice, { symbol, ...params })).body.map(
          (t) => t.id,
        );
      const all = await mine({ limit: 1000 });
      assert.deepEqual(await mine({ fromId: all[1]!, limit: 2 }), all.slice(1, 3));
    }
  });

  it('carries the numbering on after a restart', async () => {
    const before = await tradeIds('ETHUSDT');
    api = await api.restart();
    const restarted = await tradeIds('ETHUSDT');
    assert.deepEqual(restarted.trades, before.trades);
    assert.deepEqual(
      [restarted.ticker.firstId, restarted.ticker.lastId, restarted.ticker.count],
      [before.ticker.firstId, before.ticker.lastId, before.ticker.count],
    );
    await place(bob, limit('ETHUSDT', 'SELL', '3000', '0.01'));
    const taken = await place(alice, limit('ETHUSDT', 'BUY', '3000', '0.01'));
    const next = before.trades.length + 1;
    assert.deepEqual(
      taken.body.fills?.map((f) => f.tradeId),
      [next],
    );
    const after = await tradeIds('ETHUSDT');
    assert.deepEqual([after.ticker.firstId, after.ticker.lastId, after.ticker.count], [1, next, next]);
    assert.equal(after.aggs.at(-1)!.a, before.aggs.at(-1)!.a + 1);
  });
});
