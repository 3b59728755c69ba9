import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { btc, limit, usdt } from '../support/engine-driver.ts';
import { TestClient } from '../support/ws-client.ts';
import { WsHarness } from '../support/ws-harness.ts';

describe('WebSocket connection health', () => {
  it('disconnects a consumer that stops reading, while the others get every message', async (t) => {
    const h = await WsHarness.start({ maxBufferedBytes: 64 * 1024 });
    t.after(() => h.stop());
    const { port } = new URL(h.base);
    // A peer that completes the handshake and then never reads: its socket buffers fill up.
    const stalled = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => stalled.once('connect', resolve));
    stalled.write(
      'GET /ws/btcusdt@trade HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await new Promise<void>((resolve) => stalled.once('data', () => resolve()));
    stalled.pause();
    const stalledClosed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
    stalled.on('error', () => {});

    const fast = await TestClient.open(`${h.base}/ws/btcusdt@trade`);
    let received = 0;
    fast.ws.on('message', () => received++);
    h.send(limit(1, 'SELL', usdt(30_000), btc(50)));
    let trades = 0;
    while (h.gateway.stats().slowConsumersDropped === 0) {
      for (let i = 0; i < 500; i++) h.send(limit(2, 'BUY', usdt(30_000), 10_000));
      trades += 500;
      await new Promise((resolve) => setImmediate(resolve));
      if (trades % 4_000 === 0) h.send(limit(1, 'SELL', usdt(30_000), btc(50)));
    }
    // The server cut it off; reading again lets the peer see the end of the stream.
    stalled.resume();
    await stalledClosed;
    h.send(limit(2, 'BUY', usdt(30_000), 10_000));
    trades++;
    await fast.next((m) => m.t === h.driver.engine.markets.get('BTCUSDT')!.nextTradeId - 1);
    assert.equal(received, trades, 'the fast peer got every trade');
    assert.equal(h.gateway.stats().connections, 1);
    await fast.close();
  });

  it('pings every peer and drops those that leave pings unanswered past the pong timeout', async (t) => {
    const h = await WsHarness.start({ pingIntervalMs: 50, pongTimeoutMs: 150 });
    t.after(() => h.stop());
    const healthy = await TestClient.open(`${h.base}/ws/btcusdt@trade`);
    let pings = 0;
    healthy.ws.on('ping', () => pings++);
    const mute = await TestClient.open(`${h.base}/ws/btcusdt@trade`, { autoPong: false });
    const { code } = await mute.closed;
    assert.equal(code, 1006, 'terminated without a close frame');
    while (pings < 5) await new Promise((resolve) => healthy.ws.once('ping', resolve));
    assert.equal(healthy.ws.readyState, healthy.ws.OPEN);
    assert.equal(h.gateway.stats().connections, 1);
    await healthy.close();
  });
});
