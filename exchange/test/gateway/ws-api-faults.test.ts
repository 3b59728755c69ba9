import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { RawBody, type Route } from '../../src/gateway/rest/route.ts';
import { TestClient } from '../support/ws-client.ts';
import { WsHarness } from '../support/ws-harness.ts';

/**
 * How the WebSocket API runs a route whatever the route does: a handler's fault is logged and
 * answered with Binance's -1000 while the connection goes on; a pre-serialized body is spliced in.
 * The routes here stand in for REST's under the names the WebSocket API maps to them.
 */
describe('WebSocket API: routed methods at the edge of the route table', () => {
  let h: WsHarness;
  const logged: { msg: string; err?: { message: string } }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.length > 0) logged.push(JSON.parse(line));
      done();
    },
  });
  const route = (path: string, handle: Route['handle']): Route => ({
    method: 'GET',
    path,
    summary: path,
    security: 'NONE',
    weight: 1,
    params: [],
    handle,
  });

  before(async () => {
    h = await WsHarness.start(
      {},
      undefined,
      {},
      {
        routes: [
          route('/api/v3/avgPrice', () => {
            throw new Error('the read model is gone');
          }),
          route('/api/v3/depth', () => new RawBody('{"lastUpdateId":7,"bids":[],"asks":[]}')),
        ],
        logger: pino({ level: 'error' }, sink),
      },
    );
  });
  after(() => h.stop());

  it('logs a handler fault and answers -1000; the connection goes on', async () => {
    const client = await TestClient.open(`${h.base}/ws-api/v3`);
    const fault = await client.request({ id: 1, method: 'avgPrice', params: {} });
    assert.deepEqual([fault.status, fault.error.code], [500, -1000]);
    assert.ok(
      logged.some(
        (entry) => entry.msg === 'WebSocket API fault' && entry.err?.message === 'the read model is gone',
      ),
    );
    const next = await client.request({ id: 2, method: 'depth', params: {} });
    assert.equal(next.status, 200);
    await client.close();
  });

  it('splices a pre-serialized body into the answer, rateLimits after it', async () => {
    const client = await TestClient.open(`${h.base}/ws-api/v3`);
    const answer = await client.request({ id: 'd', method: 'depth', params: {} });
    assert.deepEqual(answer.result, { lastUpdateId: 7, bids: [], asks: [] });
    assert.equal(answer.rateLimits[0].rateLimitType, 'REQUEST_WEIGHT');
    const quiet = await client.request({ id: 'q', method: 'depth', params: { returnRateLimits: false } });
    assert.deepEqual(Object.keys(quiet), ['id', 'status', 'result']);
    await client.close();
  });
});
