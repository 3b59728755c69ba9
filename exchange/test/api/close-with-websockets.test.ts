import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { ApiHarness } from './support/api-harness.ts';

/**
 * Regression: closing the server (as SIGTERM does) waited for ever while a WebSocket client was
 * connected, because an upgraded socket keeps node:http's close pending.
 */
describe('server close with WebSocket clients connected', () => {
  it('closes the sockets and finishes', async () => {
    const harness = await ApiHarness.start();
    const url = harness.server.baseUrl.replace(/^http/, 'ws');
    const socket = new WebSocket(`${url}/ws/btcusdt@trade`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const closedByServer = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await harness.close();
    assert.ok((await closedByServer) > 0);
  });
});
