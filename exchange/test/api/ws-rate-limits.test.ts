import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { signParams } from '../support/memory-api-keys.ts';
import { refusedUpgrade, TestClient } from '../support/ws-client.ts';
import { ApiHarness, type ApiKey, type ErrorBody, TestClock } from './support/api-harness.ts';

/** 30 s into a minute (and into a five-minute window), so no window boundary falls inside a test. */
const T0 = Date.UTC(2026, 0, 5, 12, 0, 30);

/**
 * The WebSocket API and REST behind one limiter: the same weight per IP, the same bans, and the
 * doors' own limits (connections, failed authentications) shared by both.
 */
describe('WebSocket API rate limits, shared with REST', () => {
  let api: ApiHarness;
  let alice: ApiKey;
  const clock = new TestClock(T0);
  const wsApi = () => `${api.server.baseUrl.replace(/^http/, 'ws')}/ws-api/v3`;

  before(async () => {
    api = await ApiHarness.start(
      {
        requestWeightPerMinute: 30,
        banAfterRejected: 2,
        banSeconds: 60,
        wsConnectionsPer5Min: 4,
        failedAuthPerMinute: 3,
      },
      clock,
    );
    alice = api.trader('alice');
  });
  after(() => api.close());
  // Each test in windows of its own: past the last one's minute, five minutes and ban.
  beforeEach(() => {
    clock.now += 600_000;
  });

  it("weighs each request on the IP's REST count: 429 with retryAfter, then 418 and the connection closed, and REST is banned too", async () => {
    const ws = await TestClient.open(wsApi());
    // Connecting weighs 2, a REST ping 1, each `time` 1.
    assert.equal((await api.get('/api/v3/ping')).headers.get('x-mbx-used-weight-1m'), '3');
    let last: { status: number; rateLimits: { count: number }[] } | undefined;
    for (let id = 1; id <= 27; id++) last = await ws.request({ id, method: 'time' });
    assert.equal(last?.status, 200);
    assert.deepEqual(last?.rateLimits, [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 30, count: 30 },
    ]);
    const limited = await ws.request({ id: 28, method: 'time' });
    const minuteEnd = (Math.floor(clock.now / 60_000) + 1) * 60_000;
    assert.equal(limited.status, 429);
    assert.equal(limited.error.code, -1003);
    assert.deepEqual(limited.error.data, { serverTime: clock.now, retryAfter: minuteEnd });
    assert.equal(limited.rateLimits[0].count, 31);
    // REST from the same IP is over the same count.
    const rest = await api.get<ErrorBody>('/api/v3/ping');
    assert.deepEqual([rest.status, rest.body.code], [429, -1003]);
    const banned = await ws.request({ id: 29, method: 'time' });
    assert.equal(banned.status, 418);
    assert.equal(banned.error.code, -1003);
    assert.equal(banned.error.data.retryAfter, clock.now + 60_000);
    assert.equal((await ws.closed).code, 1008);
    assert.equal((await api.get('/api/v3/ping')).status, 418);
    // A banned IP cannot connect either.
    const refused = await refusedUpgrade(wsApi());
    assert.deepEqual([refused.status, refused.body.code, refused.retryAfter], [418, -1003, '60']);
  });

  it('caps WebSocket connections per IP in five minutes, streams and API alike (429 on the upgrade)', async () => {
    const base = api.server.baseUrl.replace(/^http/, 'ws');
    const open = [
      await TestClient.open(`${base}/ws/btcusdt@trade`),
      await TestClient.open(`${base}/stream?streams=btcusdt@depth`),
      await TestClient.open(wsApi()),
      await TestClient.open(`${base}/ws`),
    ];
    const refused = await refusedUpgrade(`${base}/ws/btcusdt@trade`);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.code, -1003);
    assert.match(refused.body.msg, /connections per 5 MINUTE/);
    for (const client of open) await client.close();
    clock.now += 300_000;
    await (await TestClient.open(wsApi())).close();
  });

  it('refuses authentication from an IP after its failed logons, over the WebSocket API and REST alike', async () => {
    const ws = await TestClient.open(wsApi());
    const logon = (id: number, secret: string) =>
      ws.request({
        id,
        method: 'userDataStream.subscribe.signature',
        params: signParams({ apiKey: alice.apiKey, timestamp: clock.now }, secret),
      });
    for (let id = 1; id <= 3; id++) assert.equal((await logon(id, 'not-the-secret')).error.code, -1022);
    const refused = await logon(4, alice.secretKey);
    assert.deepEqual([refused.status, refused.error.code], [429, -1003]);
    assert.match(refused.error.msg, /failed authentications/);
    const rest = await api.signed<ErrorBody>('GET', '/api/v3/openOrders', alice, { symbol: 'BTCUSDT' });
    assert.deepEqual([rest.status, rest.body.code], [429, -1003]);
    // Public requests are not authentications: they go on.
    const ping = await api.get('/api/v3/ping');
    assert.equal(ping.status, 200, JSON.stringify(ping.body));
    // A new minute, a new count.
    clock.now += 60_000;
    const again = await logon(5, alice.secretKey);
    assert.equal(again.status, 200, JSON.stringify(again));
    await ws.close();
  });

  it('counts REST signature failures against the same IP', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await api.signed<ErrorBody>(
        'GET',
        '/api/v3/openOrders',
        alice,
        { symbol: 'BTCUSDT' },
        { secret: 'wrong' },
      );
      assert.equal(r.body.code, -1022);
    }
    const ws = await TestClient.open(wsApi());
    const refused = await ws.request({
      id: 1,
      method: 'userDataStream.subscribe.signature',
      params: signParams({ apiKey: alice.apiKey, timestamp: clock.now }, alice.secretKey),
    });
    assert.deepEqual([refused.status, refused.error.code], [429, -1003]);
    await ws.close();
  });
});
