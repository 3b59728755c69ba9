import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cutOff, TestClient } from '../support/ws-client.ts';
import { ApiHarness, type ErrorBody, TestClock } from './support/api-harness.ts';

/** 30 s into a minute, so a window boundary never falls inside a test. */
const T0 = Date.UTC(2026, 0, 5, 12, 0, 30);

describe('rate limits', () => {
  let api: ApiHarness;
  const clock = new TestClock(T0);

  before(async () => {
    api = await ApiHarness.start(
      {
        requestWeightPerMinute: 30,
        ordersPer10s: 3,
        ordersPerDay: 5,
        banAfterRejected: 2,
        banSeconds: 60,
        wsMessagesPerSecond: 2,
        wsStreamsPerConnection: 2,
      },
      clock,
    );
  });
  after(() => api.close());

  it('counts request weight per IP in X-MBX-USED-WEIGHT-1M, answers 429 with Retry-After past the limit, then bans with 418', async () => {
    const first = await api.get('/api/v3/depth', { symbol: 'BTCUSDT' });
    assert.equal(first.headers.get('x-mbx-used-weight-1m'), '5');
    const info = await api.get('/api/v3/exchangeInfo');
    assert.equal(info.headers.get('x-mbx-used-weight-1m'), '25');
    const deep = await api.get<ErrorBody>('/api/v3/depth', { symbol: 'BTCUSDT', limit: 500 });
    assert.equal(deep.status, 429);
    assert.equal(deep.body.code, -1003);
    assert.equal(deep.headers.get('retry-after'), '30');
    assert.equal((await api.get('/api/v3/ping')).status, 429);
    const banned = await api.get<ErrorBody>('/api/v3/ping');
    assert.equal(banned.status, 418);
    assert.equal(banned.body.code, -1003);
    assert.equal(banned.headers.get('retry-after'), '60');
    // The ban outlasts the window.
    clock.now = T0 + 45_000;
    assert.equal((await api.get('/api/v3/ping')).status, 418);
    clock.now = T0 + 61_000;
    const free = await api.get('/api/v3/ping');
    assert.equal(free.status, 200);
    assert.equal(free.headers.get('x-mbx-used-weight-1m'), '1');
  });

  it('counts new orders per account in X-MBX-ORDER-COUNT-10S and -1D; -1015 with 429 past a limit', async () => {
    clock.now = T0 + 120_000;
    const alice = api.trader('alice');
    const order = {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '1000',
    };
    for (let i = 1; i <= 3; i++) {
      const r = await api.signed('POST', '/api/v3/order', alice, order);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-mbx-order-count-10s'), String(i));
      assert.equal(r.headers.get('x-mbx-order-count-1d'), String(i));
    }
    const seq = api.server.exchange.engine.lastSeq;
    const refused = await api.signed<ErrorBody>('POST', '/api/v3/order', alice, order);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.code, -1015);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal(api.server.exchange.engine.lastSeq, seq, 'the refused order never reached the sequencer');
    // Another account has its own count; a new 10 s window resets it, the day's stays.
    assert.equal(
      (
        await api.signed('POST', '/api/v3/order', api.trader('bob'), {
          ...order,
          side: 'SELL',
          price: '90000',
        })
      ).status,
      200,
    );
    clock.now += 10_000;
    const next = await api.signed('POST', '/api/v3/order', alice, order);
    assert.equal(next.headers.get('x-mbx-order-count-10s'), '1');
    assert.equal(next.headers.get('x-mbx-order-count-1d'), '4');
    await api.signed('POST', '/api/v3/order', alice, order);
    const daily = await api.signed<ErrorBody>('POST', '/api/v3/order', alice, order);
    assert.equal(daily.body.code, -1015);
    assert.match(daily.body.msg, /1 DAY/);
  });

  it('holds market-stream WebSockets to the configured messages a second and streams', async () => {
    const url = `${api.server.baseUrl.replace(/^http/, 'ws')}/stream?streams=btcusdt@trade/btcusdt@depth/btcusdt@aggTrade`;
    const client = await TestClient.open(url);
    const listed = await client.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 });
    assert.deepEqual(listed.result, ['btcusdt@trade', 'btcusdt@depth']);
    const refused = await client.request({ method: 'SUBSCRIBE', params: ['ethusdt@trade'], id: 2 });
    assert.equal(refused.error.code, 2);
    assert.deepEqual(await cutOff(client, 3), { closed: 1008 });
  });

  it('publishes the configured limits in exchangeInfo', async () => {
    clock.now = T0 + 600_000;
    const r = await api.get<{ rateLimits: unknown[] }>('/api/v3/exchangeInfo');
    assert.deepEqual(r.body.rateLimits, [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 30 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 3 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 5 },
    ]);
  });
});
