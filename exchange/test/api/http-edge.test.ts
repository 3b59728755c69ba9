import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { DEFAULT_RATE_LIMITS, RateLimiter } from '../../src/gateway/limits/rate-limiter.ts';
import { HttpGateway } from '../../src/gateway/rest/http-gateway.ts';
import type { Route } from '../../src/gateway/rest/route.ts';
import { RouteDispatcher } from '../../src/gateway/rest/route-dispatcher.ts';
import { MemoryApiKeys } from '../support/memory-api-keys.ts';

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** Sends raw bytes and returns everything the server writes until it closes the connection. */
function exchangeRaw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => {
      answer += data;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.on('connect', () => socket.write(request));
  });
}

/** The status line's code and the JSON body of a raw HTTP answer. */
function parseAnswer(answer: string): { status: number; body: unknown } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
  const split = answer.indexOf('\r\n\r\n');
  return { status, body: JSON.parse(answer.slice(split + 4)) };
}

/**
 * The REST edge as a client that speaks bad HTTP meets it: what Node's parser refuses, HEAD, methods
 * and paths Bourse does not serve, and a client that hangs up mid-request.
 */
describe('the HTTP edge', () => {
  const logs: LogLine[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write: (line: string) => {
        logs.push(JSON.parse(line) as LogLine);
      },
    },
  );
  let bodyArrived: () => void = () => {};
  const routes: Route[] = [
    {
      method: 'GET',
      path: '/api/v3/ping',
      summary: 'ping',
      security: 'NONE',
      weight: 1,
      params: [],
      handle: () => ({}),
    },
    {
      method: 'POST',
      path: '/api/v3/echo',
      summary: 'a route that reads a body',
      security: 'NONE',
      weight: 1,
      params: [{ name: 'text', type: 'string', description: 'anything' }],
      handle: (ctx) => ({ text: ctx.params.str('text') }),
    },
  ];
  const limiter = new RateLimiter(DEFAULT_RATE_LIMITS);
  const gateway = new HttpGateway(
    new RouteDispatcher(routes, { limiter, caughtUp: () => Promise.resolve() }),
    {
      keys: new MemoryApiKeys(),
      limiter,
      logger,
      clock: Date.now,
    },
    { host: '127.0.0.1', port: 0, maxHeaderBytes: 2048, headersTimeoutMs: 200, requestTimeoutMs: 400 },
  );
  let port = 0;
  let base = '';
  before(async () => {
    port = await gateway.listen();
    base = `http://127.0.0.1:${port}`;
    gateway.server.on('request', (req) => req.once('data', () => bodyArrived()));
  });
  after(() => gateway.close(100));

  const isBinanceError = (body: unknown) => {
    const { code, msg } = body as { code: unknown; msg: unknown };
    assert.equal(typeof code, 'number', JSON.stringify(body));
    assert.equal(typeof msg, 'string', JSON.stringify(body));
  };

  it("answers 431, 400 and 408 from Node's parser with a Binance {code, msg} body", async () => {
    const big = parseAnswer(
      await exchangeRaw(port, `GET /api/v3/ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`),
    );
    assert.equal(big.status, 431);
    isBinanceError(big.body);
    const method = parseAnswer(await exchangeRaw(port, 'FROB /api/v3/ping HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.equal(method.status, 400);
    isBinanceError(method.body);
    const garbage = parseAnswer(await exchangeRaw(port, '\x00\x01 not http at all\r\n\r\n'));
    assert.equal(garbage.status, 400);
    isBinanceError(garbage.body);
    // Half a request, then silence: the server gives up on it after headersTimeoutMs.
    const slow = parseAnswer(await exchangeRaw(port, 'GET /api/v3/ping HTTP/1.1\r\nHost: x\r\n'));
    assert.equal(slow.status, 408);
    isBinanceError(slow.body);
  });

  it('answers HEAD as GET without a body, and a method a path does not take with 405 and -1020', async () => {
    const get = await fetch(`${base}/api/v3/ping`);
    const head = await fetch(`${base}/api/v3/ping`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), get.headers.get('content-length'));
    assert.equal(await head.text(), '');
    const patch = await fetch(`${base}/api/v3/ping`, { method: 'PATCH' });
    assert.equal(patch.status, 405);
    assert.equal(((await patch.json()) as { code: number }).code, -1020);
  });

  it("answers a path it does not serve with 404 and Binance's -1020 (not supported), never -1000 (retry)", async () => {
    for (const path of [
      '/sapi/v1/system/status',
      '/sapi/v1/asset/tradeFee',
      '/api/v3/orderList/oco',
      '/api/v3/sor/order',
      '/fapi/v1/exchangeInfo',
      '/',
    ]) {
      const r = await fetch(`${base}${path}`);
      assert.equal(r.status, 404, path);
      const body = (await r.json()) as { code: number; msg: string };
      isBinanceError(body);
      assert.equal(body.code, -1020, path);
    }
  });

  it('logs a client that hangs up mid-request at info with its cause, not as an error-level fault', async () => {
    logs.length = 0;
    const arrived = new Promise<void>((resolve) => {
      bodyArrived = resolve;
    });
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write(
      'POST /api/v3/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        'Content-Length: 1000\r\n\r\ntext=only-part-of-it',
    );
    await arrived;
    socket.destroy();
    // Whatever the server makes of it, it logs one line for the request: wait for that line.
    while (!logs.some((l) => l.msg === 'client aborted its request' || l.level >= 50)) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const aborted = logs.find((l) => l.msg === 'client aborted its request');
    assert.ok(aborted, JSON.stringify(logs));
    assert.equal(aborted.level, 30);
    assert.match(String(aborted.cause), /ECONNRESET|aborted/);
    assert.deepEqual(
      logs.filter((l) => l.level >= 50),
      [],
    );
    assert.equal(gateway.activeRequests, 0);
  });
});
