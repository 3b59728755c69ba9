import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cutOff, TestClient } from '../support/ws-client.ts';
import { WsHarness } from '../support/ws-harness.ts';

/** Binance: 5 incoming messages a second per market-stream connection; one more disconnects it. */
describe('WebSocket incoming message limit', () => {
  let h: WsHarness;
  /** The gateway's clock, held still unless a test moves it. */
  let now = Date.UTC(2026, 2, 2);
  before(async () => {
    h = await WsHarness.start({ clock: () => now });
  });
  after(() => h.stop());

  const list = (client: TestClient, id: number) => client.request({ method: 'LIST_SUBSCRIPTIONS', id });

  it('closes a connection (1008) at its sixth message within a second, unanswered', async () => {
    for (const path of ['/ws', '/stream?streams=btcusdt@trade']) {
      const client = await TestClient.open(`${h.base}${path}`);
      for (let id = 1; id <= 5; id++) assert.equal((await list(client, id)).id, id);
      assert.deepEqual(await cutOff(client, 6), { closed: 1008 }, path);
    }
  });

  it('never cuts off a client that keeps to five messages a second', async () => {
    const client = await TestClient.open(`${h.base}/ws`);
    let id = 0;
    for (let second = 0; second < 4; second++) {
      for (let i = 0; i < 5; i++) {
        id++;
        assert.equal((await list(client, id)).id, id);
      }
      now += 1_000;
    }
    // A sliding window: five more fit as soon as the oldest five are a second old.
    now += 999;
    for (let i = 0; i < 5; i++) await list(client, ++id);
    assert.equal(client.ws.readyState, client.ws.OPEN);
    await client.close();
  });

  it('counts pings and unsolicited pongs', async () => {
    const client = await TestClient.open(`${h.base}/ws`);
    client.ws.ping();
    client.ws.ping();
    client.ws.ping();
    client.ws.pong();
    client.ws.pong();
    assert.deepEqual(await cutOff(client, 1), { closed: 1008 });
  });

  it("does not count the pongs that answer the server's pings", async () => {
    const pinging = await WsHarness.start({ clock: () => now, pingIntervalMs: 5 });
    try {
      const client = await TestClient.open(`${pinging.base}/ws`);
      let pings = 0;
      while (pings < 10) {
        await new Promise((resolve) => client.ws.once('ping', resolve));
        pings++;
      }
      for (let id = 1; id <= 5; id++) assert.equal((await list(client, id)).id, id);
      assert.equal(client.ws.readyState, client.ws.OPEN);
      await client.close();
    } finally {
      await pinging.stop();
    }
  });

  it('leaves the WebSocket API to its own limits', async () => {
    const client = await TestClient.open(`${h.base}/ws-api/v3`);
    for (let id = 1; id <= 8; id++) assert.equal((await client.request({ method: 'ping', id })).status, 200);
    await client.close();
  });
});

describe('WebSocket stream count limit', () => {
  let h: WsHarness;
  before(async () => {
    h = await WsHarness.start({ maxStreamsPerConnection: 3 });
  });
  after(() => h.stop());

  it('refuses a SUBSCRIBE that would pass the streams a connection may hold, and keeps the others', async () => {
    const client = await TestClient.open(`${h.base}/ws/btcusdt@trade`);
    const ok = await client.request({
      method: 'SUBSCRIBE',
      params: ['btcusdt@depth', 'btcusdt@trade'],
      id: 1,
    });
    assert.deepEqual(ok, { result: null, id: 1 });
    const refused = await client.request({
      method: 'SUBSCRIBE',
      params: ['btcusdt@bookTicker', 'btcusdt@aggTrade'],
      id: 2,
    });
    assert.equal(refused.error.code, 2);
    assert.deepEqual((await client.request({ method: 'LIST_SUBSCRIPTIONS', id: 3 })).result, [
      'btcusdt@trade',
      'btcusdt@depth',
    ]);
    await client.close();
  });

  it('opens a combined stream with the first streams its URL names, up to the limit', async () => {
    const client = await TestClient.open(
      `${h.base}/stream?streams=btcusdt@trade/btcusdt@depth/btcusdt@bookTicker/btcusdt@aggTrade`,
    );
    assert.deepEqual((await client.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).result, [
      'btcusdt@trade',
      'btcusdt@depth',
      'btcusdt@bookTicker',
    ]);
    await client.close();
  });
});
