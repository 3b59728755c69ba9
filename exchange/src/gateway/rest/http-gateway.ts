import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Logger } from 'pino';
import type { ApiKeyLookup } from '../auth/api-key-lookup.ts';
import { ApiError, errors } from '../binance/api-error.ts';
import { Params, parseForm } from '../binance/params.ts';
import { rawJsonAnswer } from '../binance/raw-answer.ts';
import { inMicroseconds, parseTimeUnit, type TimePlan } from '../binance/time-unit.ts';
import {
  commandContext,
  type HttpRequestMessage,
  type HttpRequestStartMessage,
  httpRequestChannel,
  httpRequestStartChannel,
} from '../gateway-channels.ts';
import { clientIp } from '../limits/client-ip.ts';
import { enforce, RateLimitError } from '../limits/rate-limit-error.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import type { StaticSite } from '../web/static-site.ts';
import { RawBody, type Route } from './route.ts';
import { type CompiledRoute, type Credentials, type RouteDispatcher, routeKey } from './route-dispatcher.ts';
import { identify, verifySigned } from './signed-request.ts';

export interface HttpGatewayOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** PEM key and certificate: serve https. @default - plain http */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** @default 65536 */
  readonly maxBodyBytes?: number;
  /** @default 16384 */
  readonly maxHeaderBytes?: number;
  /** Time for a client to send its headers. @default 10000 */
  readonly headersTimeoutMs?: number;
  /** Time for a client to send its whole request. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** @default 5000 */
  readonly keepAliveTimeoutMs?: number;
  /** Take the client IP from X-Forwarded-For (behind a load balancer). @default false */
  readonly trustProxy?: boolean;
}

export interface HttpGatewayDeps {
  readonly keys: ApiKeyLookup;
  readonly limiter: RateLimiter;
  readonly logger: Logger;
  readonly clock: () => number;
  /** The trading page's files, served at paths no API route takes. @default - no page */
  readonly site?: StaticSite;
  /**
   * Health probes by path (`/health`, `/ready`): answered on GET before routing and rate limits, so
   * a load balancer's checks are never throttled, and kept out of the Binance route table.
   * @default - none
   */
  readonly probes?: ReadonlyMap<string, () => ProbeAnswer>;
}

/** A probe's answer: 200 when healthy, 503 otherwise, with a JSON body saying what is wrong. */
export interface ProbeAnswer {
  readonly status: 200 | 503;
  readonly body: object;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const SIGNATURE_ONLY: ReadonlySet<string> = new Set(['signature']);
const NOTHING: ReadonlySet<string> = new Set();

/**
 * The REST edge on node:http: routing, limits against slow and oversized requests, rate limits,
 * Binance's authentication, and the {code, msg} error answers. Handlers see validated parameters
 * and the caller's identity, and return a JSON value.
 */
export class HttpGateway {
  readonly server: Server;
  readonly #routes: RouteDispatcher;
  readonly #deps: HttpGatewayDeps;
  readonly #options: HttpGatewayOptions;
  readonly #maxBodyBytes: number;
  readonly #bootId = Date.now().toString(36);
  #requestCount = 0;
  #active = 0;
  #closing = false;

  /** `routes` is the route table's dispatcher, shared with the WebSocket API. */
  constructor(routes: RouteDispatcher, deps: HttpGatewayDeps, options: HttpGatewayOptions) {
    this.#routes = routes;
    this.#deps = deps;
    this.#options = options;
    this.#maxBodyBytes = options.maxBodyBytes ?? 65_536;
    const headersTimeout = options.headersTimeoutMs ?? 10_000;
    const requestTimeout = options.requestTimeoutMs ?? 30_000;
    const serverOptions = {
      maxHeaderSize: options.maxHeaderBytes ?? 16_384,
      headersTimeout,
      requestTimeout,
      // How often Node looks for requests past those timeouts (its default, 30 s, would let a slow
      // client hold a socket far longer than configured).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 2))),
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
    };
    const listener = (req: IncomingMessage, res: ServerResponse) => this.#onRequest(req, res);
    this.server =
      options.tls === undefined
        ? createHttpServer(serverOptions, listener)
        : createHttpsServer({ ...serverOptions, key: options.tls.key, cert: options.tls.cert }, listener);
    this.server.on('clientError', (error, socket) => {
      // Oversized headers, timeouts, garbage that Node's parser refused before any handler saw a
      // request: answer in Binance's shape if the socket can still take it, then drop it.
      const answer = parserErrorAnswer(error);
      this.#deps.logger.info(
        {
          ip: (socket as { remoteAddress?: string }).remoteAddress,
          status: answer.status,
          code: answer.body.code,
          cause: error.message,
        },
        'request refused by the HTTP parser',
      );
      if (socket.writable) socket.end(answer.raw);
      else socket.destroy();
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.#options.port, this.#options.host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  }

  /** Stops accepting, lets in-flight requests finish (at most `drainTimeoutMs`), then closes. */
  async close(drainTimeoutMs: number): Promise<void> {
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const deadline = Date.now() + drainTimeoutMs;
    while (this.#active > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      this.server.closeIdleConnections();
    }
    this.server.closeAllConnections();
    await closed;
  }

  get activeRequests(): number {
    return this.#active;
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.#active++;
    const started = performance.now();
    const reqId = `${this.#bootId}-${(++this.#requestCount).toString(36)}`;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const rawQuery = q === -1 ? '' : url.slice(q + 1);
    const ip = clientIp(req, this.#options.trustProxy === true);
    const nowMs = this.#deps.clock();
    const extraHeaders: Record<string, string | number> = { 'x-request-id': reqId };
    if (this.#closing) extraHeaders.connection = 'close';
    let used = 0;
    /** The request's trace context, when a tracer sampled it (see HttpRequestStartMessage). */
    let traceContext: Uint8Array | undefined;
    /** The metrics label: a route's path, never the client's raw path (bounded cardinality). */
    let route = 'unknown';
    const done = (status: number, body: string, contentType: string, code?: number) => {
      extraHeaders['content-type'] = contentType;
      extraHeaders['content-length'] = Buffer.byteLength(body);
      extraHeaders['x-mbx-used-weight-1m'] = used;
      res.writeHead(status, extraHeaders);
      res.end(body);
      this.#active--;
      if (httpRequestChannel.hasSubscribers) {
        const message: HttpRequestMessage = {
          route,
          method: req.method ?? '',
          status,
          code,
          durationMs: performance.now() - started,
          reqId,
        };
        httpRequestChannel.publish(message);
      }
      const logger = this.#deps.logger;
      if (status >= 500) {
        logger.error(
          {
            reqId,
            traceId: traceIdOf(traceContext),
            method: req.method,
            path,
            ip,
            status,
            code,
            ms: elapsed(started),
          },
          'request failed',
        );
      } else if (logger.isLevelEnabled('info')) {
        logger.info(
          {
            reqId,
            traceId: traceIdOf(traceContext),
            method: req.method,
            path,
            ip,
            status,
            code,
            ms: elapsed(started),
          },
          'request',
        );
      }
    };
    const fail = (error: unknown) => {
      if (clientGone(req, error)) {
        // The client hung up before its request was whole: nothing to answer, and no fault of ours.
        this.#active--;
        this.#deps.logger.info(
          { reqId, method: req.method, path, ip, cause: errorText(error), ms: elapsed(started) },
          'client aborted its request',
        );
        res.destroy();
        return;
      }
      if (res.headersSent) {
        // The answer was already on its way when something broke: the connection cannot be trusted.
        this.#deps.logger.error({ reqId, err: error }, 'fault after the answer started');
        res.destroy();
        return;
      }
      let apiError: ApiError;
      if (error instanceof ApiError) apiError = error;
      else {
        this.#deps.logger.error({ reqId, err: error }, 'handler fault');
        apiError = errors.internal();
      }
      if (apiError.status === 413) extraHeaders.connection = 'close';
      if (apiError instanceof RateLimitError) extraHeaders['retry-after'] = apiError.retryAfterS;
      else if (apiError.status === 429) extraHeaders['retry-after'] = extraHeaders['retry-after'] ?? 1;
      done(apiError.status, JSON.stringify(apiError.body()), JSON_TYPE, apiError.code);
    };

    if (httpRequestStartChannel.hasSubscribers) {
      const header = req.headers.traceparent;
      const start: HttpRequestStartMessage = {
        reqId,
        method: req.method ?? '',
        path,
        traceparent: Array.isArray(header) ? header[0] : header,
        context: undefined,
      };
      httpRequestStartChannel.publish(start);
      traceContext = start.context;
    }
    try {
      const probe = req.method === 'GET' ? this.#deps.probes?.get(path) : undefined;
      if (probe !== undefined) {
        const answer = probe();
        done(answer.status, JSON.stringify(answer.body), JSON_TYPE);
        return;
      }
      // HEAD is GET without the body (RFC 9110 section 9.3.2): Node writes no body for it.
      const method = req.method === 'HEAD' ? 'GET' : (req.method ?? '');
      const compiled = this.#routes.find(routeKey(method, path));
      if (compiled !== undefined) route = compiled.route.path;
      const queryParams = new Map<string, string>();
      parseForm(rawQuery, queryParams);
      const weight = compiled === undefined ? 1 : weightOf(compiled.route, queryParams);
      const verdict = this.#deps.limiter.weigh(ip, weight, nowMs);
      used = verdict.used;
      enforce(verdict);
      if (compiled === undefined && this.#deps.site?.serve(req.method, path, res) === true) {
        this.#active--;
        if (httpRequestChannel.hasSubscribers) {
          const message: HttpRequestMessage = {
            route: 'site',
            method: req.method ?? '',
            status: res.statusCode,
            code: undefined,
            durationMs: performance.now() - started,
            reqId,
          };
          httpRequestChannel.publish(message);
        }
        return;
      }
      if (compiled === undefined)
        throw this.#routes.servesPath(path)
          ? errors.methodNotAllowed(req.method ?? '', path)
          : errors.unknownPath(req.method ?? '', path);
      const unitHeader = req.headers['x-mbx-time-unit'];
      const times =
        parseTimeUnit(Array.isArray(unitHeader) ? unitHeader[0] : unitHeader) === 'MICROSECOND'
          ? compiled.times
          : undefined;
      const respond = (result: unknown) => this.#respond(result, times, done);
      const untraced = (params: Map<string, string>, rawBody: string) =>
        this.#dispatch(compiled, req, params, rawQuery, rawBody, ip, nowMs, reqId, extraHeaders);
      // A sampled request runs with its trace context, which the commands it submits carry along.
      const context = traceContext;
      const dispatch =
        context === undefined
          ? untraced
          : (params: Map<string, string>, rawBody: string) =>
              commandContext.run(context, () => untraced(params, rawBody));
      if (req.method === 'GET' || req.method === 'HEAD' || !hasBody(req)) {
        // Nothing to read (most signed orders and cancels carry everything in the query string).
        dispatch(queryParams, '').then(respond).catch(fail);
      } else {
        this.#readBody(req)
          .then((rawBody) => {
            const all = new Map(queryParams);
            parseForm(rawBody, all, queryParams);
            return dispatch(all, rawBody);
          })
          .then(respond)
          .catch(fail);
      }
    } catch (error) {
      fail(error);
    }
  }

  /**
   * Writes a 200 answer; with `times` (the client asked for microseconds) every time of the answer
   * scaled, whichever route made it: the plan comes from the route's response schema.
   */
  #respond(
    result: unknown,
    times: TimePlan | undefined,
    done: (status: number, body: string, contentType: string) => void,
  ): void {
    if (times !== undefined) {
      const value = result instanceof RawBody ? JSON.parse(result.text) : result;
      done(200, JSON.stringify(inMicroseconds(value, times)), JSON_TYPE);
    } else if (result instanceof RawBody) done(200, result.text, result.contentType);
    else done(200, JSON.stringify(result), JSON_TYPE);
  }

  /** The door's part of a request: its credentials are the X-MBX-APIKEY header and the signed query and body. */
  #dispatch(
    compiled: CompiledRoute,
    req: IncomingMessage,
    raw: Map<string, string>,
    rawQuery: string,
    rawBody: string,
    ip: string,
    nowMs: number,
    reqId: string,
    headers: Record<string, string | number>,
  ): Promise<unknown> {
    const { keys } = this.#deps;
    const credentials: Credentials = {
      ignored: (signed) => (signed ? SIGNATURE_ONLY : NOTHING),
      identify: () => {
        const header = req.headers['x-mbx-apikey'];
        return identify(keys, Array.isArray(header) ? header[0] : header);
      },
      verify: (identity, params) => verifySigned(keys, identity, params, rawQuery, rawBody, nowMs),
    };
    return this.#routes.dispatch(compiled, {
      reqId,
      ip,
      nowMs,
      raw,
      credentials,
      orderCounted: (verdict) => {
        headers['x-mbx-order-count-10s'] = verdict.count10s;
        headers['x-mbx-order-count-1d'] = verdict.countDay;
        if (!verdict.ok) headers['retry-after'] = verdict.retryAfterS;
      },
      header: (name, value) => {
        headers[name] = value;
      },
    });
  }

  #readBody(req: IncomingMessage): Promise<string> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.#maxBodyBytes) {
      req.resume();
      return Promise.reject(errors.payloadTooLarge());
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.#maxBodyBytes) {
          // Answer 413 and close; what the client still sends is read and dropped.
          req.removeAllListeners('data');
          req.resume();
          reject(errors.payloadTooLarge());
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () =>
        resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
      );
      req.on('error', reject);
      // A client that hangs up mid-body may end the request without an error event.
      req.on('close', () => {
        if (!req.complete) reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      });
    });
  }
}

/** What Node's HTTP parser refused, answered in Binance's shape on the raw socket. */
export function parserErrorAnswer(error: Error): {
  readonly status: number;
  readonly body: { readonly code: number; readonly msg: string };
  readonly raw: string;
} {
  const code = (error as NodeJS.ErrnoException).code;
  const [status, reason, body] =
    code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', errors.headersTooLarge()]
      : code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', errors.requestTimeout()]
        : [400, 'Bad Request', errors.malformedRequest()];
  return {
    status,
    body: { code: body.code, msg: body.message },
    raw: rawJsonAnswer(status, reason, body.body()),
  };
}

/** True when the request failed because its client went away (reset, or closed mid-body). */
function clientGone(req: IncomingMessage, error: unknown): boolean {
  if (error instanceof ApiError) return false;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return req.destroyed || code === 'ECONNRESET' || code === 'ECONNABORTED' || code === 'EPIPE';
}

function errorText(error: unknown): string {
  return error instanceof Error
    ? `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}`
    : String(error);
}

/** An HTTP/1.1 request has a body only if it declares one (RFC 9112 section 6.3). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function weightOf(route: Route, query: ReadonlyMap<string, string>): number {
  return typeof route.weight === 'number' ? route.weight : route.weight(new Params(query));
}

/** The trace id of a W3C traceparent (`00-<trace id>-<span id>-<flags>`), for the log line. */
function traceIdOf(context: Uint8Array | undefined): string | undefined {
  if (context === undefined) return undefined;
  return Buffer.from(context.buffer, context.byteOffset, context.byteLength).toString('latin1', 3, 35);
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
