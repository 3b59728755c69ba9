import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signParams, signParamsEd25519 } from '../support/memory-api-keys.ts';
import { TestClient } from '../support/ws-client.ts';
import { ApiHarness, type ApiKey, type Ed25519ApiKey } from './support/api-harness.ts';

type Params = Record<string, string | number>;

/**
 * The WebSocket API's trading, account and market data methods against a running Bourse: each is
 * its REST route under Binance's method name, so every answer here is compared with REST's.
 */
describe('the WebSocket API runs the REST route table', () => {
  let api: ApiHarness;
  let ws: TestClient;
  let alice: ApiKey;
  let bob: ApiKey;
  let carol: Ed25519ApiKey;
  let reader: ApiKey;
  let nextId = 1;
  const ORDERS_PER_10S = 40;

  const wsApi = () => `${api.server.baseUrl.replace(/^http/, 'ws')}/ws-api/v3`;
  const hmac = (key: ApiKey, params: Params = {}): Params =>
    signParams({ ...params, apiKey: key.apiKey, timestamp: Date.now() }, key.secretKey);
  const ed25519 = (key: Ed25519ApiKey, params: Params = {}): Params =>
    signParamsEd25519({ ...params, apiKey: key.apiKey, timestamp: Date.now() }, key.privateKey);
  // biome-ignore lint/suspicious/noExplicitAny: answers are loosely typed JSON
  const call = (method: string, params: Record<string, unknown> = {}, client = ws): Promise<any> =>
    client.request({ id: `r${nextId++}`, method, params });
  const limit = (side: 'BUY' | 'SELL', price: string, quantity = '0.01'): Params => ({
    symbol: 'BTCUSDT',
    side,
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity,
    price,
  });

  before(async () => {
    api = await ApiHarness.start({ ordersPer10s: ORDERS_PER_10S });
    alice = api.trader('alice');
    bob = api.trader('bob');
    carol = await api.ed25519User('ws-carol', ['READ', 'TRADE'], { USDT: '100000', BTC: '1' });
    reader = await api.user('ws-reader', ['READ'], { USDT: '1000' });
    ws = await TestClient.open(wsApi());
  });
  after(async () => {
    await ws.close();
    await api.close();
  });

  it('order.place signed with HMAC answers as REST does, and the order is the one REST and the ledger see', async () => {
    const placed = await call(
      'order.place',
      hmac(alice, { ...limit('BUY', '50000'), newClientOrderId: 'ws-1' }),
    );
    assert.equal(placed.status, 200, JSON.stringify(placed));
    const order = placed.result;
    assert.equal(order.clientOrderId, 'ws-1');
    assert.equal(order.status, 'NEW');
    const rest = await api.signed<Record<string, unknown>>('GET', '/api/v3/order', alice, {
      symbol: 'BTCUSDT',
      orderId: order.orderId,
    });
    assert.equal(rest.status, 200);
    const status = await call('order.status', hmac(alice, { symbol: 'BTCUSDT', orderId: order.orderId }));
    assert.deepEqual(status.result, rest.body);
    // The same fields as REST's answer to the same order (FULL: fills included).
    const viaRest = await api.signed<Record<string, unknown>>(
      'POST',
      '/api/v3/order',
      alice,
      limit('BUY', '50000'),
    );
    assert.deepEqual(Object.keys(order).sort(), Object.keys(viaRest.body).sort());
    for (const id of [order.orderId, viaRest.body.orderId as number]) {
      const canceled = await call('order.cancel', hmac(alice, { symbol: 'BTCUSDT', orderId: id }));
      assert.equal(canceled.status, 200, JSON.stringify(canceled));
      assert.equal(canceled.result.status, 'CANCELED');
    }
  });

  it("answers rateLimits as Binance does: the order counts first for an order, the IP's weight always", async () => {
    const placed = await call('order.place', hmac(alice, limit('BUY', '50000')));
    const [per10s, perDay, weight] = placed.rateLimits;
    assert.deepEqual(
      [per10s.rateLimitType, per10s.interval, per10s.intervalNum, per10s.limit],
      ['ORDERS', 'SECOND', 10, ORDERS_PER_10S],
    );
    assert.deepEqual([perDay.rateLimitType, perDay.interval, perDay.intervalNum], ['ORDERS', 'DAY', 1]);
    assert.deepEqual(
      [weight.rateLimitType, weight.interval, weight.intervalNum],
      ['REQUEST_WEIGHT', 'MINUTE', 1],
    );
    // A REST order counts against the same account limits: its header shows the WebSocket's order.
    const rest = await api.signed('POST', '/api/v3/order', alice, limit('BUY', '50000'));
    assert.equal(Number(rest.headers.get('x-mbx-order-count-10s')), per10s.count + 1);
    const next = await call('order.place', hmac(alice, limit('BUY', '50000')));
    assert.equal(next.rateLimits[0].count, per10s.count + 2);
    // A read has the weight entry alone; returnRateLimits=false leaves them all out.
    const read = await call('openOrders.status', hmac(alice, { symbol: 'BTCUSDT' }));
    assert.deepEqual(
      read.rateLimits.map((r: { rateLimitType: string }) => r.rateLimitType),
      ['REQUEST_WEIGHT'],
    );
    const quiet = await call(
      'openOrders.status',
      hmac(alice, { symbol: 'BTCUSDT', returnRateLimits: 'false' }),
    );
    assert.equal(quiet.rateLimits, undefined);
    assert.equal(quiet.result.length, 3);
    const all = await call('openOrders.cancelAll', hmac(alice, { symbol: 'BTCUSDT' }));
    assert.equal(all.result.length, 3);
  });

  it('weighs each method with its REST weight, on the IP count REST uses', async () => {
    const used = async () => Number((await api.get('/api/v3/ping')).headers.get('x-mbx-used-weight-1m'));
    const weights: [string, Record<string, unknown>, number][] = [
      ['depth', { symbol: 'BTCUSDT', limit: 5 }, 5],
      ['depth', { symbol: 'BTCUSDT', limit: 1000 }, 50],
      ['allOrders', hmac(alice, { symbol: 'BTCUSDT' }), 20],
      ['ticker.24hr', { symbols: ['BTCUSDT', 'ETHBTC'] }, 2],
      ['exchangeInfo', {}, 20],
    ];
    for (const [method, params, weight] of weights) {
      const before = await used();
      const answer = await call(method, params);
      assert.equal(answer.status, 200, `${method}: ${JSON.stringify(answer)}`);
      // The REST ping after the request weighs 1.
      assert.equal((await used()) - before - 1, weight, method);
    }
  });

  it('signs per request with Ed25519 too, or through session.logon with a timestamp and no signature', async () => {
    const signed = await call('account.status', ed25519(carol, { omitZeroBalances: 'true' }));
    assert.equal(signed.status, 200, JSON.stringify(signed));
    const rest = await api.signed('GET', '/api/v3/account', alice, {});
    assert.deepEqual(Object.keys(signed.result).sort(), Object.keys(rest.body as object).sort());
    const session = await TestClient.open(wsApi());
    const anonymous = await call('account.status', { timestamp: Date.now() }, session);
    assert.deepEqual([anonymous.status, anonymous.error.code], [400, -1102]);
    assert.match(anonymous.error.msg, /apiKey/);
    const logon = await call('session.logon', ed25519(carol), session);
    assert.equal(logon.status, 200, JSON.stringify(logon));
    const placed = await call('order.place', { ...limit('BUY', '40000'), timestamp: Date.now() }, session);
    assert.equal(placed.status, 200, JSON.stringify(placed));
    const open = await api.signedEd25519<{ orderId: number }[]>('GET', '/api/v3/openOrders', carol, {
      symbol: 'BTCUSDT',
    });
    assert.deepEqual(
      open.body.map((o) => o.orderId),
      [placed.result.orderId],
    );
    // Logged on or not, a signed request needs its timestamp; an explicit key overrides the session's.
    const untimed = await call('openOrders.status', { symbol: 'BTCUSDT' }, session);
    assert.deepEqual([untimed.status, untimed.error.code], [400, -1102]);
    const asAlice = await call('openOrders.status', hmac(alice, { symbol: 'BTCUSDT' }), session);
    assert.deepEqual(asAlice.result, []);
    const canceled = await call(
      'openOrders.cancelAll',
      { symbol: 'BTCUSDT', timestamp: Date.now() },
      session,
    );
    assert.equal(canceled.result.length, 1);
    await session.close();
  });

  it("refuses with REST's codes: a bad signature, an unknown key, a key without TRADE, a parameter REST refuses", async () => {
    const bad = { ...hmac(alice, limit('BUY', '50000')), signature: '0'.repeat(64) };
    assert.equal((await call('order.place', bad)).error.code, -1022);
    const unknown = signParams(
      { ...limit('BUY', '50000'), apiKey: 'x'.repeat(64), timestamp: Date.now() },
      'nope',
    );
    assert.equal((await call('order.place', unknown)).error.code, -2015);
    const readOnly = await call('order.place', hmac(reader, limit('BUY', '50000')));
    assert.equal(readOnly.error.code, -2015);
    const unsigned = await call('order.place', {
      ...limit('BUY', '50000'),
      apiKey: alice.apiKey,
      timestamp: Date.now(),
    });
    assert.deepEqual([unsigned.error.code, unsigned.error.msg.includes('signature')], [-1102, true]);
    const stale = await call(
      'order.place',
      signParams(
        { ...limit('BUY', '50000'), apiKey: alice.apiKey, timestamp: Date.now() - 60_000 },
        alice.secretKey,
      ),
    );
    assert.equal(stale.error.code, -1021);
    const typo = await call('order.place', hmac(alice, { ...limit('BUY', '50000'), quantity: '0.01.1' }));
    assert.equal(typo.error.code, -1100);
    const unknownParam = await call('depth', { symbol: 'BTCUSDT', bogus: 1 });
    assert.equal(unknownParam.error.code, -1103);
    const badSymbol = await call('depth', { symbol: 'NOPE' });
    assert.equal(badSymbol.error.code, -1121);
    // Nothing of it reached the book.
    assert.deepEqual((await call('openOrders.status', hmac(alice, { symbol: 'BTCUSDT' }))).result, []);
  });

  it('shows an order and its trades to the very next request, as REST does (read-your-writes)', async () => {
    const resting = await call('order.place', hmac(alice, limit('BUY', '55000', '1')));
    assert.equal(resting.status, 200);
    for (let i = 0; i < 5; i++) {
      const before = await call('myTrades', hmac(bob, { symbol: 'BTCUSDT', limit: 1000 }));
      const sold = await call(
        'order.place',
        hmac(bob, { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.001' }),
      );
      assert.equal(sold.result.status, 'FILLED', JSON.stringify(sold));
      const after = await call('myTrades', hmac(bob, { symbol: 'BTCUSDT', limit: 1000 }));
      assert.equal(after.result.length, before.result.length + 1);
      const status = await call(
        'order.status',
        hmac(bob, { symbol: 'BTCUSDT', orderId: sold.result.orderId }),
      );
      assert.equal(status.result.status, 'FILLED');
    }
    await call('openOrders.cancelAll', hmac(alice, { symbol: 'BTCUSDT' }));
  });

  it("answers cancelReplace's partial failure with Binance's data, and the market data methods as REST", async () => {
    const failed = await call(
      'order.cancelReplace',
      hmac(alice, { ...limit('BUY', '50000'), cancelReplaceMode: 'ALLOW_FAILURE', cancelOrderId: 999_999 }),
    );
    assert.deepEqual([failed.status, failed.error.code], [409, -2021]);
    assert.deepEqual(
      [failed.error.data.cancelResult, failed.error.data.newOrderResult],
      ['FAILURE', 'SUCCESS'],
    );
    await call('openOrders.cancelAll', hmac(alice, { symbol: 'BTCUSDT' }));
    const pairs: [string, Record<string, unknown>, string, Record<string, string | number>][] = [
      ['depth', { symbol: 'BTCUSDT', limit: 5 }, '/api/v3/depth', { symbol: 'BTCUSDT', limit: 5 }],
      ['trades.recent', { symbol: 'BTCUSDT' }, '/api/v3/trades', { symbol: 'BTCUSDT' }],
      ['trades.aggregate', { symbol: 'BTCUSDT' }, '/api/v3/aggTrades', { symbol: 'BTCUSDT' }],
      [
        'klines',
        { symbol: 'BTCUSDT', interval: '1m' },
        '/api/v3/klines',
        { symbol: 'BTCUSDT', interval: '1m' },
      ],
      ['avgPrice', { symbol: 'BTCUSDT' }, '/api/v3/avgPrice', { symbol: 'BTCUSDT' }],
      [
        'ticker.price',
        { symbols: ['BTCUSDT', 'ETHBTC'] },
        '/api/v3/ticker/price',
        { symbols: '["BTCUSDT","ETHBTC"]' },
      ],
      ['exchangeInfo', { symbol: 'BTCUSDT' }, '/api/v3/exchangeInfo', { symbol: 'BTCUSDT' }],
    ];
    for (const [method, params, path, query] of pairs) {
      const viaWs = await call(method, params);
      const viaRest = await api.get(path, query);
      assert.equal(viaWs.status, 200, `${method}: ${JSON.stringify(viaWs)}`);
      const body = viaRest.body as Record<string, unknown>;
      // exchangeInfo carries the server's time: equal but for it.
      if (method === 'exchangeInfo') body.serverTime = viaWs.result.serverTime;
      assert.deepEqual(viaWs.result, body, method);
    }
    // historicalTrades is public (Binance, July 2023): an apiKey is taken and ignored, as REST's header.
    const historical = await call('trades.historical', { symbol: 'BTCUSDT', apiKey: alice.apiKey, limit: 2 });
    const keyless = await call('trades.historical', { symbol: 'BTCUSDT', limit: 2 });
    assert.equal(historical.status, 200, JSON.stringify(historical));
    assert.deepEqual(keyless.result, historical.result);
  });

  it('answers the methods of engine features not built yet with -1020 naming the feature, and still weighs them', async () => {
    for (const [method, feature] of [
      ['orderList.place.oco', /order lists/],
      ['orderList.place.oto', /order lists/],
      ['orderList.place.otoco', /order lists/],
      ['orderList.status', /order lists/],
      ['orderList.cancel', /order lists/],
      ['openOrderLists.status', /order lists/],
      ['allOrderLists', /order lists/],
      ['order.amend.keepPriority', /priority/],
      ['sor.order.place', /SOR/],
    ] as const) {
      const answer = await call(method, hmac(alice, { symbol: 'BTCUSDT' }));
      assert.deepEqual([answer.status, answer.error.code], [400, -1020], method);
      assert.match(answer.error.msg, feature);
      assert.ok(answer.error.msg.includes(method));
      assert.ok(answer.rateLimits[0].count > 0);
    }
    const unknown = await call('order.teleport', {});
    assert.equal(unknown.error.code, -1100);
  });

  it('writes the times of a routed answer in microseconds when the connection asks for them', async () => {
    const micro = await TestClient.open(`${wsApi()}?timeUnit=MICROSECOND`);
    const placed = await call('order.place', hmac(alice, limit('BUY', '50000')), micro);
    const rest = await api.signed<{ transactTime: number }>('GET', '/api/v3/order', alice, {
      symbol: 'BTCUSDT',
      orderId: placed.result.orderId,
    });
    assert.equal(placed.result.transactTime % 1000, 0);
    const status = await call(
      'order.status',
      hmac(alice, { symbol: 'BTCUSDT', orderId: placed.result.orderId }),
      micro,
    );
    assert.equal(status.result.time, (rest.body as unknown as { time: number }).time * 1000);
    const depth = await call('depth', { symbol: 'BTCUSDT', limit: 5 }, micro);
    assert.equal(depth.status, 200);
    await call('openOrders.cancelAll', hmac(alice, { symbol: 'BTCUSDT' }), micro);
    await micro.close();
  });

  it('runs pipelined requests in order: an order.status sent before order.place is answered finds the order', async () => {
    ws.send({
      id: 'p1',
      method: 'order.place',
      params: hmac(alice, { ...limit('BUY', '45000'), newClientOrderId: 'piped' }),
    });
    ws.send({
      id: 'p2',
      method: 'order.status',
      params: hmac(alice, { symbol: 'BTCUSDT', origClientOrderId: 'piped' }),
    });
    ws.send({ id: 'p3', method: 'ping', params: {} });
    ws.send({
      id: 'p4',
      method: 'order.cancel',
      params: hmac(alice, { symbol: 'BTCUSDT', origClientOrderId: 'piped' }),
    });
    const answers = [];
    for (let n = 0; n < 4; n++)
      answers.push(await ws.next((m) => typeof m.id === 'string' && m.id.startsWith('p')));
    assert.deepEqual(
      answers.map((a) => [a.id, a.status]),
      [
        ['p1', 200],
        ['p2', 200],
        ['p3', 200],
        ['p4', 200],
      ],
      JSON.stringify(answers),
    );
    assert.equal(answers[1].result.orderId, answers[0].result.orderId);
    assert.equal(answers[3].result.status, 'CANCELED');
  });
});
