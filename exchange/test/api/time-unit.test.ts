import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { refusedUpgrade, TestClient } from '../support/ws-client.ts';
import { ApiHarness, type ApiKey, type ErrorBody, TestClock } from './support/api-harness.ts';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 30);
const DAY_MS = 86_400_000;

/**
 * Compares an answer in milliseconds with the same answer in microseconds: every integer that
 * differs must be exactly 1,000 times the other, and every integer that reads as a time (within two
 * days of the clock) must be scaled, so a time field the wire layer does not know fails here.
 * Returns how many times were scaled.
 */
function compareTimes(ms: unknown, us: unknown, now: number, path = '$'): number {
  if (typeof ms === 'number' && Number.isInteger(ms)) {
    const isTime = Math.abs(ms - now) <= 2 * DAY_MS;
    if (isTime || us !== ms) {
      assert.equal(us, ms * 1000, `${path}: ${ms} ms should be ${ms * 1000} µs, is ${us}`);
      return 1;
    }
    return 0;
  }
  if (Array.isArray(ms)) {
    assert.ok(Array.isArray(us) && us.length === ms.length, `${path}: arrays differ`);
    return ms.reduce((n: number, m, i) => n + compareTimes(m, (us as unknown[])[i], now, `${path}[${i}]`), 0);
  }
  if (typeof ms === 'object' && ms !== null) {
    assert.deepEqual(Object.keys(us as object), Object.keys(ms), `${path}: fields differ`);
    let n = 0;
    for (const [k, v] of Object.entries(ms))
      n += compareTimes(v, (us as Record<string, unknown>)[k], now, `${path}.${k}`);
    return n;
  }
  assert.deepEqual(us, ms, path);
  return 0;
}

describe('time unit: X-MBX-TIME-UNIT on REST, timeUnit on stream and WebSocket API URLs', () => {
  let api: ApiHarness;
  let alice: ApiKey;
  let bob: ApiKey;
  let orderId: number;
  const clock = new TestClock(T0);
  const ws = () => api.server.baseUrl.replace(/^http/, 'ws');
  const MICRO = { 'X-MBX-TIME-UNIT': 'MICROSECOND' };

  before(async () => {
    api = await ApiHarness.start({}, clock);
    alice = api.trader('alice');
    bob = api.trader('bob');
    const order = { symbol: 'BTCUSDT', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.5', price: '30000' };
    const resting = await api.signed<{ orderId: number }>('POST', '/api/v3/order', alice, {
      ...order,
      side: 'SELL',
    });
    orderId = resting.body.orderId;
    clock.now += 1_000;
    await api.signed('POST', '/api/v3/order', bob, { ...order, side: 'BUY', quantity: '0.2' });
    clock.now += 1_000;
  });
  after(() => api.close());

  it('scales every time of every REST answer, and only the times', async () => {
    const publicReads: [string, Record<string, string | number>][] = [
      ['/api/v3/time', {}],
      ['/api/v3/exchangeInfo', {}],
      ['/api/v3/trades', { symbol: 'BTCUSDT' }],
      ['/api/v3/aggTrades', { symbol: 'BTCUSDT' }],
      ['/api/v3/klines', { symbol: 'BTCUSDT', interval: '1m' }],
      ['/api/v3/uiKlines', { symbol: 'BTCUSDT', interval: '1h' }],
      ['/api/v3/ticker/24hr', { symbol: 'BTCUSDT' }],
      ['/api/v3/ticker', { symbol: 'BTCUSDT', windowSize: '1h' }],
      ['/api/v3/ticker/tradingDay', { symbol: 'BTCUSDT' }],
      ['/api/v3/avgPrice', { symbol: 'BTCUSDT' }],
      ['/api/v3/depth', { symbol: 'BTCUSDT' }],
    ];
    let scaled = 0;
    for (const [path, params] of publicReads) {
      const ms = await api.get(path, params);
      assert.equal(ms.status, 200, `${path}: ${JSON.stringify(ms.body)}`);
      const query = new URLSearchParams(
        Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      const us = await api.raw('GET', path, query, { headers: MICRO });
      scaled += compareTimes(ms.body, us.body, clock.now, path);
    }
    const signedReads: [string, Record<string, string | number>][] = [
      ['/api/v3/account', {}],
      ['/api/v3/order', { symbol: 'BTCUSDT', orderId }],
      ['/api/v3/openOrders', { symbol: 'BTCUSDT' }],
      ['/api/v3/allOrders', { symbol: 'BTCUSDT' }],
      ['/api/v3/myTrades', { symbol: 'BTCUSDT' }],
    ];
    for (const [path, params] of signedReads) {
      const ms = await api.signed('GET', path, alice, params);
      assert.equal(ms.status, 200, `${path}: ${JSON.stringify(ms.body)}`);
      const us = await api.signed('GET', path, alice, params, {
        headers: { 'X-MBX-TIME-UNIT': 'microsecond' },
      });
      scaled += compareTimes(ms.body, us.body, clock.now, path);
    }
    assert.ok(scaled >= 20, `only ${scaled} times compared`);
  });

  it('answers a new order and a cancel in microseconds', async () => {
    const placed = await api.signed<{ orderId: number; transactTime: number; workingTime: number }>(
      'POST',
      '/api/v3/order',
      alice,
      {
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.1',
        price: '40000',
        newOrderRespType: 'FULL',
      },
      { headers: MICRO },
    );
    assert.deepEqual(
      [placed.body.transactTime, placed.body.workingTime],
      [clock.now * 1000, clock.now * 1000],
    );
    const canceled = await api.signed<{ transactTime: number }>(
      'DELETE',
      '/api/v3/order',
      alice,
      { symbol: 'BTCUSDT', orderId: placed.body.orderId },
      { headers: MICRO },
    );
    assert.equal(canceled.body.transactTime, clock.now * 1000);
  });

  it('takes MILLISECOND as the default, either case; any other unit is -1194', async () => {
    const milli = await api.raw<{ serverTime: number }>('GET', '/api/v3/time', '', {
      headers: { 'X-MBX-TIME-UNIT': 'millisecond' },
    });
    assert.equal(milli.body.serverTime, clock.now);
    const bad = await api.raw<ErrorBody>('GET', '/api/v3/time', '', {
      headers: { 'X-MBX-TIME-UNIT': 'SECOND' },
    });
    assert.deepEqual([bad.status, bad.body.code], [400, -1194]);
    for (const path of ['/ws/btcusdt@trade?timeUnit=NANOSECOND', '/ws-api/v3?timeUnit=seconds']) {
      const refused = await refusedUpgrade(`${ws()}${path}`);
      assert.deepEqual([refused.status, refused.body.code], [400, -1194], path);
    }
  });

  it("scales the times of stream events and user data for connections that ask, and no one else's", async () => {
    const listenKey = (
      await api.raw<{ listenKey: string }>('POST', '/api/v3/userDataStream', '', { apiKey: alice.apiKey })
    ).body.listenKey;
    const msTrades = await TestClient.open(`${ws()}/ws/btcusdt@trade`);
    const usTrades = await TestClient.open(
      `${ws()}/stream?streams=btcusdt@trade/btcusdt@aggTrade&timeUnit=microsecond`,
    );
    const msUser = await TestClient.open(`${ws()}/ws/${listenKey}`);
    const usUser = await TestClient.open(`${ws()}/ws/${listenKey}?timeUnit=MICROSECOND`);
    await api.signed('POST', '/api/v3/order', bob, {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.1',
      price: '30000',
    });
    const msTrade = await msTrades.next((m) => m.e === 'trade');
    const usTrade = (await usTrades.next((m) => m.stream === 'btcusdt@trade')).data;
    assert.ok(compareTimes(msTrade, usTrade, clock.now) >= 2);
    const usAgg = (await usTrades.next((m) => m.stream === 'btcusdt@aggTrade')).data;
    assert.equal(usAgg.T, msTrade.T * 1000);
    for (const e of ['executionReport', 'outboundAccountPosition']) {
      const ms = await msUser.next((m) => m.e === e);
      const us = await usUser.next((m) => m.e === e);
      assert.ok(compareTimes(ms, us, clock.now) >= 2, e);
    }
    for (const client of [msTrades, usTrades, msUser, usUser]) await client.close();
  });

  it('answers the WebSocket API in microseconds with timeUnit in its URL', async () => {
    const client = await TestClient.open(`${ws()}/ws-api/v3?timeUnit=MICROSECOND`);
    const time = await client.request({ id: 1, method: 'time' });
    assert.equal(time.result.serverTime, clock.now * 1000);
    const status = await client.request({ id: 2, method: 'session.status' });
    assert.deepEqual(
      [status.result.serverTime, status.result.connectedSince],
      [clock.now * 1000, clock.now * 1000],
    );
    await client.close();
  });
});
