import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { schemaErrors } from '../support/json-schema.ts';
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
});
