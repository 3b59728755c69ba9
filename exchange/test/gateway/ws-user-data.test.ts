import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { btc, limit, usdt } from '../support/engine-driver.ts';
import { signParams, signParamsEd25519 } from '../support/memory-api-keys.ts';
import { TestClient } from '../support/ws-client.ts';
import { WsHarness } from '../support/ws-harness.ts';

const KEY = 'test-key-alice';
const SECRET = 'alice-secret';
const OTHER_KEY = 'test-key-bob';
const OTHER_SECRET = 'bob-secret';
/** Alice's second key, an Ed25519 one: Binance's session.logon takes only such keys. */
const ED_KEY = 'test-key-alice-ed25519';
const ED_PAIR = generateKeyPairSync('ed25519');

const EXECUTION_REPORT_FIELDS = [
  'e',
  'E',
  's',
  'c',
  'S',
  'o',
  'f',
  'q',
  'p',
  'P',
  'F',
  'g',
  'C',
  'x',
  'X',
  'r',
  'i',
  'l',
  'z',
  'L',
  'n',
  'N',
  'T',
  't',
  'I',
  'w',
  'm',
  'M',
  'O',
  'Z',
  'Y',
  'Q',
  'V',
];

describe('user data over the WebSocket API and listen keys', () => {
  let h: WsHarness;
  let id = 0;
  before(async () => {
    h = await WsHarness.start();
    h.apiKeys.add(KEY, SECRET, 1).add(OTHER_KEY, OTHER_SECRET, 2).addEd25519(ED_KEY, ED_PAIR.publicKey, 1);
  });
  after(async () => {
    await h.stop();
  });
  beforeEach(() => h.clearBook());

  const signed = (apiKey = KEY, secret = SECRET, extra: Record<string, string | number> = {}) =>
    signParams({ apiKey, timestamp: Date.now(), ...extra }, secret);
  const signedEd25519 = (privateKey = ED_PAIR.privateKey, extra: Record<string, string | number> = {}) =>
    signParamsEd25519({ apiKey: ED_KEY, timestamp: Date.now(), ...extra }, privateKey);

  it('answers ping, time and session.status', async () => {
    const api = await TestClient.open(`${h.base}/ws-api/v3`);
    const pong = await api.request({ id: ++id, method: 'ping' });
    // Binance's answer carries the IP's request weight by default: ping weighs 1, connecting 2.
    assert.deepEqual(pong, {
      id,
      status: 200,
      result: {},
      rateLimits: [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000, count: 3 },
      ],
    });
    const time = await api.request({ id: ++id, method: 'time' });
    assert.ok(Math.abs(time.result.serverTime - Date.now()) < 5_000);
    const status = await api.request({ id: ++id, method: 'session.status' });
    assert.equal(status.result.apiKey, null);
    assert.equal(status.result.userDataStream, false);
    const unknown = await api.request({ id: ++id, method: 'order.nope', params: {} });
    assert.equal(unknown.status, 400);
    assert.equal(typeof unknown.error.code, 'number');
    await api.close();
  });

  it('userDataStream.subscribe.signature streams executionReport, outboundAccountPosition and balanceUpdate as {subscriptionId, event}', async () => {
    const api = await TestClient.open(`${h.base}/ws-api/v3`);
    const reply = await api.request({
      id: ++id,
      method: 'userDataStream.subscribe.signature',
      params: signed(),
    });
    assert.equal(reply.status, 200);
    const { subscriptionId } = reply.result;
    assert.equal(typeof subscriptionId, 'number');

    h.send({ type: 'Deposit', userId: 1, asset: 'USDT', amount: usdt(5) });
    const deposit = await api.next((m) => m.event?.e === 'balanceUpdate');
    assert.equal(deposit.subscriptionId, subscriptionId);
    assert.deepEqual([deposit.event.a, deposit.event.d], ['USDT', '5.000000']);
    const position = await api.next((m) => m.event?.e === 'outboundAccountPosition');
    const usdtBalance = h.driver.balance(1, 'USDT');
    assert.deepEqual(position.event.B, [
      { a: 'USDT', f: (usdtBalance.available / 1e6).toFixed(6), l: (usdtBalance.locked / 1e6).toFixed(6) },
    ]);

    h.send(limit(1, 'SELL', usdt(30_000), btc(1), { clientOrderId: 'alice-1' }));
    const created = await api.next((m) => m.event?.e === 'executionReport' && m.event.x === 'NEW');
    assert.deepEqual(
      Object.keys(created.event)
        .filter((k) => k !== 'W')
        .sort(),
      [...EXECUTION_REPORT_FIELDS].sort(),
    );
    assert.deepEqual(
      [
        created.event.c,
        created.event.S,
        created.event.o,
        created.event.f,
        created.event.q,
        created.event.p,
        created.event.X,
        created.event.w,
      ],
      ['alice-1', 'SELL', 'LIMIT', 'GTC', '1.00000000', '30000.000000', 'NEW', true],
    );
    const orderId = created.event.i;
    h.send(limit(2, 'BUY', usdt(30_000), btc(0.4)));
    const fill = await api.next((m) => m.event?.e === 'executionReport' && m.event.x === 'TRADE');
    const trade = h.driver.events.findLast((e) => e.type === 'Trade')!;
    assert.equal(trade.type, 'Trade');
    assert.deepEqual(
      [
        fill.event.i,
        fill.event.X,
        fill.event.l,
        fill.event.z,
        fill.event.L,
        fill.event.m,
        fill.event.t,
        fill.event.N,
        fill.event.n,
        fill.event.Y,
        fill.event.Z,
      ],
      [
        orderId,
        'PARTIALLY_FILLED',
        '0.40000000',
        '0.40000000',
        '30000.000000',
        true,
        trade.tradeId,
        'USDT',
        (trade.makerFee / 1e6).toFixed(6),
        '12000.000000',
        '12000.000000',
      ],
    );
    // The position after the placement only had BTC; the one after the fill adds the USDT received.
    const afterFill = await api.next(
      (m) => m.event?.e === 'outboundAccountPosition' && m.event.B.some((b: { a: string }) => b.a === 'USDT'),
    );
    const btcBalance = h.driver.balance(1, 'BTC');
    const btcRow = afterFill.event.B.find((b: { a: string }) => b.a === 'BTC');
    assert.deepEqual(btcRow, {
      a: 'BTC',
      f: (btcBalance.available / 1e8).toFixed(8),
      l: (btcBalance.locked / 1e8).toFixed(8),
    });

    h.send({ type: 'CancelOrder', userId: 1, symbol: 'BTCUSDT', orderId });
    const canceled = await api.next((m) => m.event?.e === 'executionReport' && m.event.x === 'CANCELED');
    assert.deepEqual(
      [canceled.event.X, canceled.event.C, canceled.event.z],
      ['CANCELED', 'alice-1', '0.40000000'],
    );

    // Another user's activity never reaches this subscription.
    h.send({ type: 'Deposit', userId: 2, asset: 'USDT', amount: usdt(1) });
    h.send({ type: 'Deposit', userId: 1, asset: 'BTC', amount: btc(1) });
    const next = await api.next((m) => m.event?.e === 'balanceUpdate');
    assert.equal(next.event.a, 'BTC');

    const unsubscribed = await api.request({
      id: ++id,
      method: 'userDataStream.unsubscribe',
      params: { subscriptionId },
    });
    assert.deepEqual([unsubscribed.id, unsubscribed.status, unsubscribed.result], [id, 200, {}]);
    const terminated = await api.next((m) => m.event?.e === 'eventStreamTerminated');
    assert.deepEqual(Object.keys(terminated.event).sort(), ['E', 'e']);
    assert.equal(terminated.subscriptionId, subscriptionId);
    const again = await api.request({
      id: ++id,
      method: 'userDataStream.unsubscribe',
      params: { subscriptionId },
    });
    assert.equal(again.status, 400);
    await api.close();
  });

  it('reports a taker that fills completely as FILLED, with its commission in the asset it receives', async () => {
    const api = await TestClient.open(`${h.base}/ws-api/v3`);
    await api.request({
      id: ++id,
      method: 'userDataStream.subscribe.signature',
      params: signed(OTHER_KEY, OTHER_SECRET),
    });
    h.send(limit(3, 'SELL', usdt(30_000), btc(0.5)));
    h.send(limit(3, 'SELL', usdt(30_100), btc(0.5)));
    h.send(limit(2, 'BUY', usdt(30_100), btc(0.7)));
    const first = await api.next((m) => m.event?.x === 'TRADE');
    const second = await api.next((m) => m.event?.x === 'TRADE');
    assert.deepEqual([first.event.X, first.event.m, first.event.N], ['PARTIALLY_FILLED', false, 'BTC']);
    assert.deepEqual([second.event.X, second.event.z, second.event.w], ['FILLED', '0.70000000', false]);
    await api.close();
  });

  it('session.logon then userDataStream.subscribe; logout ends the session and its subscription', async () => {
    const api = await TestClient.open(`${h.base}/ws-api/v3`);
    const refused = await api.request({ id: ++id, method: 'userDataStream.subscribe' });
    assert.deepEqual([refused.status, refused.error.code], [401, -1002]);
    const logon = await api.request({ id: ++id, method: 'session.logon', params: signedEd25519() });
    assert.equal(logon.status, 200, JSON.stringify(logon.error));
    assert.equal(logon.result.apiKey, ED_KEY);
    const sub = await api.request({ id: ++id, method: 'userDataStream.subscribe' });
    assert.equal(sub.status, 200);
    const twice = await api.request({ id: ++id, method: 'userDataStream.subscribe' });
    assert.equal(twice.status, 400);
    assert.equal((await api.request({ id: ++id, method: 'session.status' })).result.userDataStream, true);
    const subs = await api.request({ id: ++id, method: 'session.subscriptions' });
    assert.deepEqual(subs.result, [{ subscriptionId: sub.result.subscriptionId }]);
    h.send({ type: 'Deposit', userId: 1, asset: 'BTC', amount: 7 });
    const update = await api.next((m) => m.event?.e === 'balanceUpdate');
    assert.deepEqual([update.subscriptionId, update.event.d], [sub.result.subscriptionId, '0.00000007']);
    const logout = await api.request({ id: ++id, method: 'session.logout' });
    assert.equal(logout.result.apiKey, null);
    const terminated = await api.next((m) => m.event?.e === 'eventStreamTerminated');
    assert.equal(terminated.subscriptionId, sub.result.subscriptionId);
    assert.deepEqual((await api.request({ id: ++id, method: 'session.subscriptions' })).result, []);
    await api.close();
  });

  it('reads every parameter sent as a string as Binance does: timestamps, recvWindow, subscriptionId, returnRateLimits', async () => {
    const api = await TestClient.open(`${h.base}/ws-api/v3`);
    const asText = { timestamp: String(Date.now()), recvWindow: '10000' };
    const logon = await api.request({
      id: ++id,
      method: 'session.logon',
      params: signParamsEd25519({ apiKey: ED_KEY, ...asText }, ED_PAIR.privateKey),
    });
    assert.equal(logon.status, 200, JSON.stringify(logon.error));
    const viaSession = await api.request({ id: ++id, method: 'userDataStream.subscribe' });
    assert.equal(viaSession.status, 200);
    const bySignature = await api.request({
      id: ++id,
      method: 'userDataStream.subscribe.signature',
      params: signParams({ apiKey: OTHER_KEY, ...asText }, OTHER_SECRET),
    });
    assert.equal(bySignature.status, 200, JSON.stringify(bySignature.error));
    for (const method of ['ping', 'time', 'session.status', 'session.subscriptions']) {
      const quiet = await api.request({ id: ++id, method, params: { returnRateLimits: 'false' } });
      assert.deepEqual([quiet.status, 'rateLimits' in quiet], [200, false], method);
    }
    // The connector's unsubscribe: the id as a string ("0"), while that subscription is active.
    const first = String(viaSession.result.subscriptionId);
    const unsubscribed = await api.request({
      id: ++id,
      method: 'userDataStream.unsubscribe',
      params: { subscriptionId: first },
    });
    assert.equal(unsubscribed.status, 200, JSON.stringify(unsubscribed.error));
    const again = await api.request({
      id: ++id,
      method: 'userDataStream.unsubscribe',
      params: { subscriptionId: first },
    });
    assert.equal(again.error.code, -2036, 'ended once');
    // What REST refuses, this refuses the same way: a fraction, text, an object.
    for (const subscriptionId of ['1.5', 'one', 1.5]) {
      const bad = await api.request({
        id: ++id,
        method: 'userDataStream.unsubscribe',
        params: { subscriptionId },
      });
      assert.equal(bad.error.code, -1100, JSON.stringify(subscriptionId));
    }
    const nested = await api.request({
      id: ++id,
      method: 'userDataStream.unsubscribe',
      params: { subscriptionId: [0] },
    });
    assert.equal(nested.error.code, -1100);
    const unknown = await api.request({ id: ++id, method: 'time', params: { symbol: 'BTCUSDT' } });
    assert.equal(unknown.error.code, -1103);
    assert.deepEqual((await api.request({ id: ++id, method: 'session.subscriptions' })).result, [
      { subscriptionId: bySignature.result.subscriptionId },
    ]);
    await api.close();
  });

  it('session.logon refuses an HMAC key with -1002, and a bad Ed25519 signature with -1022', async () => {
    const api = await TestClient.open(`${h.base}/ws-api/v3`);
    const hmac = await api.request({ id: ++id, method: 'session.logon', params: signed() });
    assert.deepEqual([hmac.status, hmac.error.code], [400, -1002]);
    assert.equal((await api.request({ id: ++id, method: 'session.status' })).result.apiKey, null);
    const otherPair = generateKeyPairSync('ed25519');
    const wrongKey = await api.request({
      id: ++id,
      method: 'session.logon',
      params: signedEd25519(otherPair.privateKey),
    });
    assert.equal(wrongKey.error.code, -1022);
    const tampered = await api.request({
      id: ++id,
      method: 'session.logon',
      params: { ...signedEd25519(), recvWindow: 6000 },
    });
    assert.equal(tampered.error.code, -1022);
    const refused = await api.request({ id: ++id, method: 'userDataStream.subscribe' });
    assert.equal(refused.error.code, -1002);
    await api.close();
  });

  it('userDataStream.subscribe.signature takes an Ed25519 signature as well as an HMAC one', async () => {
    const api = await TestClient.open(`${h.base}/ws-api/v3`);
    const bad = await api.request({
      id: ++id,
      method: 'userDataStream.subscribe.signature',
      params: { ...signedEd25519(), signature: signed().signature! },
    });
    assert.equal(bad.error.code, -1022);
    const reply = await api.request({
      id: ++id,
      method: 'userDataStream.subscribe.signature',
      params: signedEd25519(),
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.error));
    h.send({ type: 'Deposit', userId: 1, asset: 'BTC', amount: 3 });
    const update = await api.next((m) => m.event?.e === 'balanceUpdate');
    assert.deepEqual([update.subscriptionId, update.event.d], [reply.result.subscriptionId, '0.00000003']);
    await api.close();
  });

  it('refuses bad signatures, unknown keys and stale timestamps with Binance codes', async () => {
    const api = await TestClient.open(`${h.base}/ws-api/v3`);
    const badSignature = await api.request({
      id: ++id,
      method: 'userDataStream.subscribe.signature',
      params: { ...signed(), signature: 'ab'.repeat(32) },
    });
    assert.equal(badSignature.error.code, -1022);
    const tampered = await api.request({
      id: ++id,
      method: 'session.logon',
      params: { ...signed(), recvWindow: 6000 },
    });
    assert.equal(tampered.error.code, -1022);
    const unknownKey = await api.request({
      id: ++id,
      method: 'session.logon',
      params: signed('nope', SECRET),
    });
    assert.equal(unknownKey.error.code, -2015);
    const stale = await api.request({
      id: ++id,
      method: 'session.logon',
      params: signParams({ apiKey: KEY, timestamp: Date.now() - 10_000 }, SECRET),
    });
    assert.equal(stale.error.code, -1021);
    const missing = await api.request({ id: ++id, method: 'session.logon', params: { apiKey: KEY } });
    assert.equal(missing.error.code, -1102);
    await api.close();
  });

  it('streams the same events as plain payloads at /ws/<listenKey>, and tells the client when the key ends', async () => {
    const listenKey = h.listenKeys.create(1, KEY);
    assert.match(listenKey, /^[A-Za-z0-9]{60}$/);
    assert.equal(h.listenKeys.create(1, KEY), listenKey, 'a live key is reused');
    const client = await TestClient.open(`${h.base}/ws/${listenKey}`);
    const combined = await TestClient.open(`${h.base}/stream?streams=${listenKey}/btcusdt@trade`);
    h.send(limit(1, 'BUY', usdt(29_000), btc(0.1)));
    const report = await client.next((m) => m.e === 'executionReport');
    assert.deepEqual([report.x, report.S, report.q], ['NEW', 'BUY', '0.10000000']);
    const position = await client.next((m) => m.e === 'outboundAccountPosition');
    assert.equal(position.B[0].a, 'USDT');
    const wrapped = await combined.next((m) => m.stream === listenKey);
    assert.equal(wrapped.data.e, 'executionReport');
    assert.ok(h.listenKeys.keepalive(listenKey, 1));
    assert.ok(h.listenKeys.close(listenKey, 1));
    assert.equal(h.listenKeys.resolve(listenKey), undefined);
    const expired = await client.next((m) => m.e === 'listenKeyExpired');
    assert.equal(expired.listenKey, listenKey);
    assert.equal((await client.closed).code, 1000);
    await combined.close();
  });
});
