import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signEd25519, signParams, signParamsEd25519 } from '../support/memory-api-keys.ts';
import { TestClient } from '../support/ws-client.ts';
import {
  ApiHarness,
  type ApiKey,
  type Ed25519ApiKey,
  type ErrorBody,
  encode,
  sign,
} from './support/api-harness.ts';

describe('authentication: API keys, signatures, timestamps, permissions', () => {
  let api: ApiHarness;
  let alice: ApiKey;
  let reader: ApiKey;
  let trader: ApiKey;
  let ed: Ed25519ApiKey;

  before(async () => {
    api = await ApiHarness.start();
    alice = api.trader('alice');
    reader = await api.user('reader', ['READ'], { USDT: '1000' });
    trader = await api.user('trader', ['READ', 'TRADE'], { USDT: '1000' });
    ed = await api.ed25519User('ed', ['READ', 'TRADE'], { USDT: '1000' });
  });
  after(() => api.close());

  const order = {
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '0.01',
    price: '1000',
  };

  it('accepts a signed request with the signature in the query or in the body', async () => {
    assert.equal((await api.signed('GET', '/api/v3/account', alice)).status, 200);
    assert.equal((await api.signed('GET', '/api/v3/account', alice, {}, { inBody: false })).status, 200);
    const r = await api.signed('POST', '/api/v3/order', alice, order);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });

  it('signs the query string concatenated with the body when parameters are split between them', async () => {
    const query = encode({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT' });
    const body = encode({ timeInForce: 'GTC', quantity: '0.01', price: '1001', timestamp: Date.now() });
    const signature = sign(query + body, alice.secretKey);
    const r = await api.raw('POST', '/api/v3/order', query, {
      apiKey: alice.apiKey,
      body: `${body}&signature=${signature}`,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });

  it('accepts an order signed with an Ed25519 key: base64 signature, percent-encoded, in query or body', async () => {
    const inBody = await api.signedEd25519<{ orderId: number }>('POST', '/api/v3/order', ed, order);
    assert.equal(inBody.status, 200, JSON.stringify(inBody.body));
    const inQuery = await api.signedEd25519(
      'POST',
      '/api/v3/order',
      ed,
      { ...order, price: '1001' },
      {
        inBody: false,
      },
    );
    assert.equal(inQuery.status, 200, JSON.stringify(inQuery.body));
    const open = await api.signedEd25519<unknown[]>('GET', '/api/v3/openOrders', ed, { symbol: 'BTCUSDT' });
    assert.equal(open.body.length, 2);
    // Split between query and body, the payload is still the query string concatenated with the body.
    const query = encode({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT' });
    const body = encode({ timeInForce: 'GTC', quantity: '0.01', price: '1002', timestamp: Date.now() });
    const split = await api.raw('POST', '/api/v3/order', query, {
      apiKey: ed.apiKey,
      body: `${body}&signature=${encodeURIComponent(signEd25519(query + body, ed.privateKey))}`,
    });
    assert.equal(split.status, 200, JSON.stringify(split.body));
  });

  it('fails with -1022 for a bad Ed25519 signature: tampered, another key, or an HMAC signature', async () => {
    const seq = api.server.exchange.engine.lastSeq;
    const payload = encode({ ...order, timestamp: Date.now() });
    const signature = encodeURIComponent(signEd25519(payload, ed.privateKey));
    const tampered = await api.raw<ErrorBody>('POST', '/api/v3/order', '', {
      apiKey: ed.apiKey,
      body: `${payload.replace('price=1000', 'price=1003')}&signature=${signature}`,
    });
    assert.equal(tampered.body.code, -1022);
    const other = await api.ed25519User('ed-other', ['READ', 'TRADE']);
    for (const wrong of [signEd25519(payload, other.privateKey), sign(payload, alice.secretKey)]) {
      const r = await api.raw<ErrorBody>('POST', '/api/v3/order', '', {
        apiKey: ed.apiKey,
        body: `${payload}&signature=${encodeURIComponent(wrong)}`,
      });
      assert.equal(r.body.code, -1022);
    }
    const right = await api.raw('POST', '/api/v3/order', '', {
      apiKey: ed.apiKey,
      body: `${payload}&signature=${signature}`,
    });
    assert.equal(right.status, 200, 'the same payload with the right signature passes');
    assert.equal(api.server.exchange.engine.lastSeq, seq + 1, 'only the good one reached the sequencer');
  });

  it('the WebSocket API: session.logon takes the Ed25519 key (HMAC is -1002), then userDataStream.subscribe', async () => {
    const client = await TestClient.open(`${api.server.baseUrl.replace(/^http/, 'ws')}/ws-api/v3`);
    const hmac = await client.request({
      id: 1,
      method: 'session.logon',
      params: signParams({ apiKey: alice.apiKey, timestamp: Date.now() }, alice.secretKey),
    });
    assert.equal(hmac.error.code, -1002);
    const badEd = await client.request({
      id: 2,
      method: 'session.logon',
      params: {
        ...signParamsEd25519({ apiKey: ed.apiKey, timestamp: Date.now() }, ed.privateKey),
        recvWindow: 5001,
      },
    });
    assert.equal(badEd.error.code, -1022);
    const logon = await client.request({
      id: 3,
      method: 'session.logon',
      params: signParamsEd25519({ apiKey: ed.apiKey, timestamp: Date.now() }, ed.privateKey),
    });
    assert.equal(logon.status, 200, JSON.stringify(logon.error));
    assert.equal(logon.result.apiKey, ed.apiKey);
    const sub = await client.request({ id: 4, method: 'userDataStream.subscribe' });
    assert.equal(sub.status, 200, JSON.stringify(sub.error));
    await api.admin('POST', '/admin/deposits', { userId: ed.userId, asset: 'BTC', amount: '0.5' });
    const update = await client.next((m) => m.event?.e === 'balanceUpdate');
    assert.deepEqual(
      [update.subscriptionId, update.event.a, update.event.d],
      [sub.result.subscriptionId, 'BTC', '0.50000000'],
    );
    await client.close();
  });

  it('fails with -2014 without an API key or with a malformed one', async () => {
    assert.equal(
      (await api.raw<ErrorBody>('GET', '/api/v3/account', 'timestamp=1&signature=00')).body.code,
      -2014,
    );
    const bad = await api.raw<ErrorBody>('GET', '/api/v3/account', 'timestamp=1', { apiKey: 'not a key!' });
    assert.equal(bad.body.code, -2014);
  });

  it('fails with -2015 for an unknown API key', async () => {
    const r = await api.signed<ErrorBody>('GET', '/api/v3/account', { ...alice, apiKey: 'A'.repeat(64) });
    assert.equal(r.status, 401);
    assert.equal(r.body.code, -2015);
  });

  it('fails with -1022 for a wrong signature, a wrong secret, or a tampered parameter', async () => {
    assert.equal(
      (await api.signed<ErrorBody>('GET', '/api/v3/account', alice, {}, { signature: 'ab'.repeat(32) })).body
        .code,
      -1022,
    );
    assert.equal(
      (await api.signed<ErrorBody>('GET', '/api/v3/account', alice, {}, { secret: 'wrong' })).body.code,
      -1022,
    );
    assert.equal(
      (await api.signed<ErrorBody>('GET', '/api/v3/account', alice, {}, { signature: 'xyz' })).body.code,
      -1022,
    );
    const payload = encode({ ...order, timestamp: Date.now() });
    const signature = sign(payload, alice.secretKey);
    const tampered = payload.replace('price=1000', 'price=1002');
    const r = await api.raw<ErrorBody>('POST', '/api/v3/order', '', {
      apiKey: alice.apiKey,
      body: `${tampered}&signature=${signature}`,
    });
    assert.equal(r.body.code, -1022);
  });

  it('fails with -1102 without timestamp or signature', async () => {
    const noTimestamp = await api.raw<ErrorBody>('GET', '/api/v3/account', `signature=${'0'.repeat(64)}`, {
      apiKey: alice.apiKey,
    });
    assert.equal(noTimestamp.body.code, -1102);
    const noSignature = await api.raw<ErrorBody>('GET', '/api/v3/account', `timestamp=${Date.now()}`, {
      apiKey: alice.apiKey,
    });
    assert.equal(noSignature.body.code, -1102);
  });

  it('fails with -1021 for a timestamp outside recvWindow or more than 1 s ahead', async () => {
    const old = await api.signed<ErrorBody>('GET', '/api/v3/account', alice, {
      timestamp: Date.now() - 6_000,
    });
    assert.equal(old.body.code, -1021);
    const wider = await api.signed('GET', '/api/v3/account', alice, {
      timestamp: Date.now() - 6_000,
      recvWindow: 10_000,
    });
    assert.equal(wider.status, 200);
    const narrow = await api.signed<ErrorBody>('GET', '/api/v3/account', alice, {
      timestamp: Date.now() - 50,
      recvWindow: 1,
    });
    assert.equal(narrow.body.code, -1021);
    const ahead = await api.signed<ErrorBody>('GET', '/api/v3/account', alice, {
      timestamp: Date.now() + 5_000,
    });
    assert.equal(ahead.body.code, -1021);
  });

  it('fails with -1131 for a recvWindow above 60000', async () => {
    const r = await api.signed<ErrorBody>('GET', '/api/v3/account', alice, { recvWindow: 60_001 });
    assert.equal(r.body.code, -1131);
  });

  it('enforces permissions: a READ key cannot trade (-2015), a READ,TRADE key reads and trades', async () => {
    const seq = api.server.exchange.engine.lastSeq;
    const r = await api.signed<ErrorBody>('POST', '/api/v3/order', reader, order);
    assert.equal(r.body.code, -2015);
    assert.equal(
      (await api.signed<ErrorBody>('DELETE', '/api/v3/openOrders', reader, { symbol: 'BTCUSDT' })).body.code,
      -2015,
    );
    assert.equal(api.server.exchange.engine.lastSeq, seq, 'nothing reached the sequencer');
    assert.equal((await api.signed('GET', '/api/v3/account', reader)).status, 200);
    assert.equal((await api.signed('GET', '/api/v3/account', trader)).status, 200);
    assert.equal((await api.signed('POST', '/api/v3/order', trader, order)).status, 200);
  });

  it("USER_STREAM endpoints need only the key; listen keys are their owner's (-1125 otherwise)", async () => {
    const created = await api.raw<{ listenKey: string }>('POST', '/api/v3/userDataStream', '', {
      apiKey: alice.apiKey,
    });
    assert.equal(created.status, 200);
    assert.match(created.body.listenKey, /^[A-Za-z0-9]{60}$/);
    const again = await api.raw<{ listenKey: string }>('POST', '/api/v3/userDataStream', '', {
      apiKey: alice.apiKey,
    });
    assert.equal(again.body.listenKey, created.body.listenKey);
    const key = `listenKey=${created.body.listenKey}`;
    assert.deepEqual(
      (await api.raw('PUT', '/api/v3/userDataStream', key, { apiKey: alice.apiKey })).body,
      {},
    );
    assert.equal(
      (await api.raw<ErrorBody>('PUT', '/api/v3/userDataStream', key, { apiKey: reader.apiKey })).body.code,
      -1125,
    );
    assert.equal(
      (await api.raw<ErrorBody>('DELETE', '/api/v3/userDataStream', key, { apiKey: reader.apiKey })).body
        .code,
      -1125,
    );
    assert.deepEqual(
      (await api.raw('DELETE', '/api/v3/userDataStream', key, { apiKey: alice.apiKey })).body,
      {},
    );
    assert.equal(
      (await api.raw<ErrorBody>('PUT', '/api/v3/userDataStream', key, { apiKey: alice.apiKey })).body.code,
      -1125,
    );
    assert.equal((await api.raw<ErrorBody>('POST', '/api/v3/userDataStream', '')).body.code, -2014);
    assert.equal(
      (await api.raw<ErrorBody>('PUT', '/api/v3/userDataStream', '', { apiKey: alice.apiKey })).body.code,
      -1102,
    );
  });

  it('stores API secrets encrypted: the accounts database holds no secret in clear', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    for (const file of readdirSync(api.dataDir).filter((f) => f.startsWith('accounts.sqlite'))) {
      const bytes = readFileSync(join(api.dataDir, file)).toString('latin1');
      assert.equal(bytes.includes(alice.secretKey), false, file);
      assert.equal(bytes.includes(reader.secretKey), false, file);
    }
  });
});
