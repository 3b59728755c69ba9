import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { type RunningZipkin, startZipkin } from '../../../scripts/zipkin.ts';
import { ApiHarness } from '../api/support/api-harness.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface ZipkinSpan {
  readonly name: string;
  readonly parentId?: string;
  readonly id: string;
  readonly localEndpoint?: { readonly serviceName?: string };
}

describe("an order's trace, in a real Zipkin server", () => {
  let zipkin: RunningZipkin;
  let api: ApiHarness;

  before(async () => {
    zipkin = await startZipkin(await freePort());
    api = await ApiHarness.start({ traceSamplePercent: 100, zipkinUrl: `${zipkin.url}/api/v2/spans` });
  });
  after(async () => {
    await api?.close();
    await zipkin?.stop();
  });

  it('runs from the HTTP request through the log to the engine, the projection and the user-data push', async () => {
    const alice = api.trader('alice');
    // A listener on alice's user data, so the order's push has somewhere to go.
    const created = await api.raw<{ listenKey: string }>('POST', '/api/v3/userDataStream', '', {
      apiKey: alice.apiKey,
    });
    const ws = new WebSocket(`${api.server.baseUrl.replace('http', 'ws')}/ws/${created.body.listenKey}`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const report = new Promise((resolve) => ws.once('message', resolve));
    const traceId = randomBytes(16).toString('hex');
    const placed = await api.signed(
      'POST',
      '/api/v3/order',
      alice,
      {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        price: '50000',
        quantity: '0.001',
      },
      { headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } },
    );
    assert.equal(placed.status, 200);
    await report;
    ws.close();
    // The projection's write: a read that waits for the order's own writes.
    assert.equal((await api.signed('GET', '/api/v3/openOrders', alice, { symbol: 'BTCUSDT' })).status, 200);
    await api.server.tracing!.flush();

    const expected = [
      'post /api/v3/order',
      'journal.append',
      'engine.apply',
      'read-model.write',
      'user-data.push',
    ];
    let spans: ZipkinSpan[] = [];
    // Zipkin stores what it receives asynchronously: ask until the whole trace is there.
    // A bounded number of asks (not a time limit): a stage that never reports fails the test, not hangs it.
    for (let ask = 0; ask < 150 && !expected.every((name) => spans.some((s) => s.name === name)); ask++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const answer = await fetch(`${zipkin.url}/api/v2/trace/${traceId}`);
      spans = answer.ok ? ((await answer.json()) as ZipkinSpan[]) : [];
      if (spans.length > 0 && !expected.every((name) => spans.some((s) => s.name === name))) {
        await api.server.tracing!.flush();
      }
    }
    assert.deepEqual(
      expected.filter((name) => !spans.some((s) => s.name === name)),
      [],
      'every stage has its span',
    );
    const request = spans.find((s) => s.name === 'post /api/v3/order')!;
    for (const name of expected.slice(1)) {
      const span = spans.find((s) => s.name === name)!;
      assert.equal(span.parentId, request.id, `${name} is a child of the request's span`);
    }
    assert.ok(spans.every((s) => s.localEndpoint?.serviceName === 'exchange'));
  });
});
