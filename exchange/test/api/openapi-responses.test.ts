import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WS_API_ROUTES } from '../../src/gateway/ws/ws-api-routes.ts';
import { schemaErrors } from '../support/json-schema.ts';
import { signParams } from '../support/memory-api-keys.ts';
import { TestClient } from '../support/ws-client.ts';
import { ApiHarness } from './support/api-harness.ts';

type Schema = Record<string, unknown>;
interface OpenApi {
  paths: Record<
    string,
    Record<string, { responses: { '200': { content: { 'application/json': { schema: Schema } } } } }>
  >;
  components: { schemas: Record<string, Schema> };
}
interface Answer {
  readonly status: number;
  readonly body: unknown;
}

describe('the OpenAPI document describes every answer', () => {
  let api: ApiHarness;
  before(async () => {
    api = await ApiHarness.start({});
  });
  after(() => api.close());

  it("documents a response schema for every operation, and each operation's real answers fit it", async () => {
    const alice = api.trader('alice');
    const bob = api.trader('bob');
    const limit = (side: 'BUY' | 'SELL', price: string, extra: Record<string, string> = {}) => ({
      symbol: 'BTCUSDT',
      side,
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price,
      ...extra,
    });
    const placed = await api.signed<{ orderId: number }>(
      'POST',
      '/api/v3/order',
      alice,
      limit('BUY', '59000'),
    );
    // A trade before any sample is taken, so that every list answer has an item to check.
    const traded = await api.signed('POST', '/api/v3/order', bob, {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.001',
    });
    assert.equal(traded.status, 200, JSON.stringify(traded.body));
    /** Keeps alive or closes a listen key made for the purpose. */
    const onNewListenKey = async (method: 'PUT' | 'DELETE') => {
      const apiKey = { apiKey: alice.apiKey };
      const made = await api.raw<{ listenKey: string }>('POST', '/api/v3/userDataStream', '', apiKey);
      return api.raw(method, '/api/v3/userDataStream', `listenKey=${made.body.listenKey}`, apiKey);
    };
    const samples: Record<string, () => Promise<Answer[]>> = {
      'POST /api/v3/order': async () => [
        placed,
        await api.signed('POST', '/api/v3/order', bob, limit('SELL', '61000', { newOrderRespType: 'ACK' })),
        await api.signed('POST', '/api/v3/order', bob, {
          symbol: 'BTCUSDT',
          side: 'SELL',
          type: 'MARKET',
          quantity: '0.001',
        }),
      ],
      'POST /api/v3/order/test': async () => [
        await api.signed('POST', '/api/v3/order/test', alice, limit('BUY', '59000')),
        await api.signed(
          'POST',
          '/api/v3/order/test',
          alice,
          limit('BUY', '59000', { computeCommissionRates: 'true' }),
        ),
      ],
      'GET /api/v3/order': async () => [
        await api.signed('GET', '/api/v3/order', alice, { symbol: 'BTCUSDT', orderId: placed.body.orderId }),
      ],
      'GET /api/v3/openOrders': async () => [
        await api.signed('GET', '/api/v3/openOrders', alice, { symbol: 'BTCUSDT' }),
      ],
      'GET /api/v3/allOrders': async () => [
        await api.signed('GET', '/api/v3/allOrders', alice, { symbol: 'BTCUSDT' }),
      ],
      'POST /api/v3/order/cancelReplace': async () => [
        await api.signed('POST', '/api/v3/order/cancelReplace', alice, {
          ...limit('BUY', '58000'),
          cancelReplaceMode: 'STOP_ON_FAILURE',
          cancelOrderId: String(placed.body.orderId),
        }),
      ],
      'DELETE /api/v3/order': async () => {
        await api.signed(
          'POST',
          '/api/v3/order',
          alice,
          limit('BUY', '57000', { newClientOrderId: 'to-cancel' }),
        );
        return [
          await api.signed('DELETE', '/api/v3/order', alice, {
            symbol: 'BTCUSDT',
            origClientOrderId: 'to-cancel',
          }),
        ];
      },
      'DELETE /api/v3/openOrders': async () => [
        await api.signed('DELETE', '/api/v3/openOrders', alice, { symbol: 'BTCUSDT' }),
      ],
      'GET /api/v3/account': async () => [await api.signed('GET', '/api/v3/account', alice, {})],
      'GET /api/v3/account/commission': async () => [
        await api.signed('GET', '/api/v3/account/commission', alice, { symbol: 'ETHBTC' }),
      ],
      'GET /api/v3/rateLimit/order': async () => [
        await api.signed('GET', '/api/v3/rateLimit/order', alice, {}),
      ],
      'GET /api/v3/myTrades': async () => [
        await api.signed('GET', '/api/v3/myTrades', bob, { symbol: 'BTCUSDT' }),
      ],
      'POST /api/v3/userDataStream': async () => [
        await api.raw('POST', '/api/v3/userDataStream', '', { apiKey: alice.apiKey }),
      ],
      'PUT /api/v3/userDataStream': async () => [await onNewListenKey('PUT')],
      'DELETE /api/v3/userDataStream': async () => [await onNewListenKey('DELETE')],
      'GET /api/v3/ping': async () => [await api.get('/api/v3/ping')],
      'GET /api/v3/time': async () => [await api.get('/api/v3/time')],
      'GET /api/v3/exchangeInfo': async () => [
        await api.get('/api/v3/exchangeInfo'),
        await api.get('/api/v3/exchangeInfo', { symbol: 'BTCUSDT' }),
      ],
      'GET /api/v3/depth': async () => [await api.get('/api/v3/depth', { symbol: 'BTCUSDT', limit: 5 })],
      'GET /api/v3/trades': async () => [await api.get('/api/v3/trades', { symbol: 'BTCUSDT' })],
      'GET /api/v3/historicalTrades': async () => [
        await api.raw('GET', '/api/v3/historicalTrades', 'symbol=BTCUSDT', { apiKey: alice.apiKey }),
      ],
      'GET /api/v3/aggTrades': async () => [await api.get('/api/v3/aggTrades', { symbol: 'BTCUSDT' })],
      'GET /api/v3/klines': async () => [
        await api.get('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1m' }),
      ],
      'GET /api/v3/ticker': async () => [
        await api.get('/api/v3/ticker', { symbol: 'BTCUSDT', windowSize: '2h' }),
        await api.get('/api/v3/ticker', { symbols: '["BTCUSDT","ETHUSDT"]', type: 'MINI' }),
      ],
      'GET /api/v3/ticker/tradingDay': async () => [
        await api.get('/api/v3/ticker/tradingDay', { symbol: 'BTCUSDT', timeZone: '8' }),
      ],
      'GET /api/v3/uiKlines': async () => [
        await api.get('/api/v3/uiKlines', { symbol: 'BTCUSDT', interval: '1h', timeZone: '8' }),
      ],
      'GET /api/v3/avgPrice': async () => [await api.get('/api/v3/avgPrice', { symbol: 'BTCUSDT' })],
      'GET /api/v3/ticker/24hr': async () => [
        await api.get('/api/v3/ticker/24hr', { symbol: 'BTCUSDT' }),
        await api.get('/api/v3/ticker/24hr'),
        await api.get('/api/v3/ticker/24hr', { symbol: 'BTCUSDT', type: 'MINI' }),
      ],
      'GET /api/v3/ticker/price': async () => [
        await api.get('/api/v3/ticker/price', { symbol: 'BTCUSDT' }),
        await api.get('/api/v3/ticker/price'),
      ],
      'GET /api/v3/ticker/bookTicker': async () => [
        await api.get('/api/v3/ticker/bookTicker', { symbol: 'BTCUSDT' }),
        await api.get('/api/v3/ticker/bookTicker'),
      ],
    };

    const doc = (await api.get<OpenApi>('/openapi.json')).body;
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
    );
    assert.deepEqual(
      operations.map((o) => o.key).sort(),
      Object.keys(samples).sort(),
      'every documented operation has a sample here, and every sample is documented',
    );
    for (const { key, op } of operations) {
      const schema = op.responses['200'].content['application/json'].schema;
      assert.notDeepEqual(schema, {}, `${key} documents its answer`);
      for (const answer of await samples[key]!()) {
        assert.equal(answer.status, 200, `${key}: ${JSON.stringify(answer.body)}`);
        if (Array.isArray(answer.body)) {
          assert.ok(answer.body.length > 0, `${key} answers a list with an item to check`);
        }
        assert.deepEqual(schemaErrors(answer.body, schema, doc.components.schemas), [], key);
      }
    }
  });
  it("answers each WebSocket API method with its REST route's documented schema", async () => {
    const alice = api.trader('alice');
    const bob = api.trader('bob');
    const ws = await TestClient.open(`${api.server.baseUrl.replace(/^http/, 'ws')}/ws-api/v3`);
    let id = 0;
    type Params = Record<string, string | number>;
    const signed = (key: typeof alice, params: Params = {}) =>
      signParams({ ...params, apiKey: key.apiKey, timestamp: Date.now() }, key.secretKey);
    // biome-ignore lint/suspicious/noExplicitAny: answers are loosely typed JSON
    const call = (method: string, params: Record<string, unknown> = {}): Promise<any> =>
      ws.request({ id: ++id, method, params });
    const limit = (side: 'BUY' | 'SELL', price: string, extra: Params = {}): Params => ({
      symbol: 'BTCUSDT',
      side,
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price,
      ...extra,
    });
    const placed = await call('order.place', signed(alice, limit('BUY', '59000')));
    const traded = await call(
      'order.place',
      signed(bob, { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.001' }),
    );
    assert.equal(traded.status, 200, JSON.stringify(traded));
    const started = async () =>
      (await call('userDataStream.start', { apiKey: alice.apiKey })).result.listenKey;
    const samples: Record<string, () => Promise<{ status: number; result?: unknown }[]>> = {
      'order.place': async () => [
        placed,
        await call('order.place', signed(bob, limit('SELL', '61000', { newOrderRespType: 'ACK' }))),
        await call(
          'order.place',
          signed(bob, { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.001' }),
        ),
      ],
      'order.test': async () => [
        await call('order.test', signed(alice, limit('BUY', '59000'))),
        await call('order.test', signed(alice, limit('BUY', '59000', { computeCommissionRates: 'true' }))),
      ],
      'order.status': async () => [
        await call('order.status', signed(alice, { symbol: 'BTCUSDT', orderId: placed.result.orderId })),
      ],
      'openOrders.status': async () => [
        await call('openOrders.status', signed(alice, { symbol: 'BTCUSDT' })),
      ],
      allOrders: async () => [await call('allOrders', signed(alice, { symbol: 'BTCUSDT' }))],
      'order.cancelReplace': async () => [
        await call(
          'order.cancelReplace',
          signed(alice, {
            ...limit('BUY', '58000'),
            cancelReplaceMode: 'STOP_ON_FAILURE',
            cancelOrderId: placed.result.orderId,
          }),
        ),
      ],
      'order.cancel': async () => {
        await call('order.place', signed(alice, limit('BUY', '57000', { newClientOrderId: 'ws-to-cancel' })));
        return [
          await call('order.cancel', signed(alice, { symbol: 'BTCUSDT', origClientOrderId: 'ws-to-cancel' })),
        ];
      },
      'openOrders.cancelAll': async () => [
        await call('openOrders.cancelAll', signed(alice, { symbol: 'BTCUSDT' })),
      ],
      'account.status': async () => [await call('account.status', signed(alice))],
      'account.commission': async () => [
        await call('account.commission', signed(alice, { symbol: 'ETHBTC' })),
      ],
      'account.rateLimits.orders': async () => [await call('account.rateLimits.orders', signed(alice))],
      myTrades: async () => [await call('myTrades', signed(bob, { symbol: 'BTCUSDT' }))],
      'userDataStream.start': async () => [await call('userDataStream.start', { apiKey: alice.apiKey })],
      'userDataStream.ping': async () => [
        await call('userDataStream.ping', { apiKey: alice.apiKey, listenKey: await started() }),
      ],
      'userDataStream.stop': async () => [
        await call('userDataStream.stop', { apiKey: alice.apiKey, listenKey: await started() }),
      ],
      exchangeInfo: async () => [
        await call('exchangeInfo'),
        await call('exchangeInfo', { symbols: ['BTCUSDT'] }),
      ],
      depth: async () => [await call('depth', { symbol: 'BTCUSDT', limit: 5 })],
      'trades.recent': async () => [await call('trades.recent', { symbol: 'BTCUSDT' })],
      'trades.historical': async () => [
        await call('trades.historical', { symbol: 'BTCUSDT', apiKey: alice.apiKey }),
      ],
      'trades.aggregate': async () => [await call('trades.aggregate', { symbol: 'BTCUSDT' })],
      klines: async () => [await call('klines', { symbol: 'BTCUSDT', interval: '1m' })],
      uiKlines: async () => [await call('uiKlines', { symbol: 'BTCUSDT', interval: '1h', timeZone: '8' })],
      avgPrice: async () => [await call('avgPrice', { symbol: 'BTCUSDT' })],
      'ticker.24hr': async () => [
        await call('ticker.24hr', { symbol: 'BTCUSDT' }),
        await call('ticker.24hr', { symbols: ['BTCUSDT', 'ETHBTC'], type: 'MINI' }),
        await call('ticker.24hr'),
      ],
      'ticker.tradingDay': async () => [
        await call('ticker.tradingDay', { symbol: 'BTCUSDT', timeZone: '8' }),
      ],
      ticker: async () => [
        await call('ticker', { symbol: 'BTCUSDT', windowSize: '2h' }),
        await call('ticker', { symbols: ['BTCUSDT', 'ETHBTC'], type: 'MINI' }),
      ],
      'ticker.price': async () => [
        await call('ticker.price', { symbol: 'BTCUSDT' }),
        await call('ticker.price'),
      ],
      'ticker.book': async () => [
        await call('ticker.book', { symbol: 'BTCUSDT' }),
        await call('ticker.book'),
      ],
    };
    assert.deepEqual(
      Object.keys(samples).sort(),
      [...WS_API_ROUTES.keys()].sort(),
      'every routed WebSocket API method has a sample here, and every sample is routed',
    );
    const doc = (await api.get<OpenApi>('/openapi.json')).body;
    for (const [method, routeKey] of WS_API_ROUTES) {
      const [verb, path] = routeKey.split(' ') as [string, string];
      const op = doc.paths[path]?.[verb.toLowerCase()];
      assert.ok(op !== undefined, `${method} runs ${routeKey}, which the OpenAPI document describes`);
      const schema = op.responses['200'].content['application/json'].schema;
      for (const answer of await samples[method]!()) {
        assert.equal(answer.status, 200, `${method}: ${JSON.stringify(answer)}`);
        if (Array.isArray(answer.result)) {
          assert.ok(answer.result.length > 0, `${method} answers a list with an item to check`);
        }
        assert.deepEqual(schemaErrors(answer.result, schema, doc.components.schemas), [], method);
      }
    }
    await ws.close();
  });
});
