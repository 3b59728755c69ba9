import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApiHarness } from './support/api-harness.ts';

/** Sends raw bytes and returns everything the server writes until it closes the connection. */
function exchangeRaw(port: number, chunks: string[], pauseMs = 0): Promise<{ answer: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => {
      answer += data;
    });
    socket.on('close', () => resolve({ answer, sent }));
    socket.on('error', reject);
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        sent++;
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      }
    });
  });
}

describe('request size, header and time limits', () => {
  let api: ApiHarness;

  before(async () => {
    api = await ApiHarness.start({
      maxBodyBytes: 1024,
      maxHeaderBytes: 2048,
      headersTimeoutMs: 300,
      requestTimeoutMs: 600,
    });
  });
  after(() => api.close());

  it('answers 413 to a body over maxBodyBytes', async () => {
    const body = `symbol=BTCUSDT&x=${'a'.repeat(2000)}`;
    const r = await api.raw('POST', '/api/v3/order', '', { body, apiKey: api.trader('alice').apiKey });
    assert.equal(r.status, 413);
  });

  it('answers 431 to headers over maxHeaderBytes', async () => {
    const { answer } = await exchangeRaw(api.server.port, [
      `GET /api/v3/ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`,
    ]);
    assert.match(answer, /^HTTP\/1\.1 431/);
  });

  it('drops a client that sends its headers too slowly', async () => {
    // One header line every 200 ms: 20 lines would take 4 s; the server gives 300 ms.
    const lines = Array.from({ length: 20 }, (_, i) => `X-${i}: 1\r\n`);
    const { answer, sent } = await exchangeRaw(
      api.server.port,
      ['GET /api/v3/ping HTTP/1.1\r\n', ...lines],
      200,
    );
    assert.match(answer, /^HTTP\/1\.1 408|^$/);
    assert.ok(sent < 21, `closed after ${sent} of 21 chunks`);
  });

  it('still serves normal requests', async () => {
    assert.equal((await api.get('/api/v3/ping')).status, 200);
  });
});

describe('load shedding', () => {
  it('answers -1008 (503) when more commands are in flight than maxInFlight, and places nothing for it', async () => {
    // A 200 ms group-commit window keeps the first order in flight while the second arrives.
    const api = await ApiHarness.start({ maxInFlight: 1, batchWindowMs: 200 });
    try {
      const alice = api.trader('alice');
      const order = (price: string) =>
        api.signed<{ code?: number }>('POST', '/api/v3/order', alice, {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.01',
          price,
        });
      const answers = await Promise.all([order('1000'), order('1001')]);
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 503]);
      assert.equal(answers.find((a) => a.status === 503)!.body.code, -1008);
      const open = await api.signed<unknown[]>('GET', '/api/v3/openOrders', alice, { symbol: 'BTCUSDT' });
      assert.equal(open.body.length, 1);
    } finally {
      await api.close();
    }
  });
});
