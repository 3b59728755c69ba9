import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { MarketData } from '../../marketdata/market-data.ts';
import type { ApiKeyLookup } from '../auth/api-key-lookup.ts';
import { mayUse } from '../auth/permission-policy.ts';
import { ApiError, errors } from '../binance/api-error.ts';
import { rawJsonAnswer } from '../binance/raw-answer.ts';
import { parseTimeUnit, type TimeUnit } from '../binance/time-unit.ts';
import { clientIp } from '../limits/client-ip.ts';
import { RateLimitError } from '../limits/rate-limit-error.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import type { RouteDispatcher } from '../rest/route-dispatcher.ts';
import { ClientSocket } from './client-socket.ts';
import type { ListenKeyRegistry } from './listen-keys.ts';
import { MarketConnection } from './market-connection.ts';
import { MarketStreams } from './market-streams.ts';
import { MessageRate } from './message-rate.ts';
import { StreamHub } from './stream-hub.ts';
import { type MarketStream, parseStreamName } from './stream-names.ts';
import type { UserDataFeed, UserEvent } from './user-data-feed.ts';
import { eventJson } from './wire-time.ts';
import { WsApiSession } from './ws-api-session.ts';

/** Binance: "Connecting to WebSocket API costs 2 weight." */
const WS_API_CONNECT_WEIGHT = 2;

export interface WebSocketGatewayDeps {
  readonly marketData: MarketData;
  readonly userData: UserDataFeed;
  readonly apiKeys: ApiKeyLookup;
  readonly listenKeys: ListenKeyRegistry;
  /** REST's limiter: connections, the WebSocket API's requests and failed logons count with REST's. */
  readonly limiter: RateLimiter;
  /** REST's route table, which the WebSocket API's trading, account and market data methods run. */
  readonly routes: RouteDispatcher;
  /** Where the WebSocket API's faults are logged. */
  readonly logger: Logger;
}

export interface WebSocketGatewayOptions {
  /** How often the server pings each peer. @default 20_000 (Binance pings every 20 s) */
  readonly pingIntervalMs?: number;
  /** A peer that sends no pong for this long is dropped. @default 60_000 (Binance: one minute) */
  readonly pongTimeoutMs?: number;
  /** A peer whose unsent backlog passes this is disconnected as a slow consumer. @default 4_194_304 (4 MiB) */
  readonly maxBufferedBytes?: number;
  /** @default 1024, as Binance */
  readonly maxStreamsPerConnection?: number;
  /**
   * Messages a market-stream connection (/ws, /stream) may send in any second: requests, pings and
   * pongs other than answers to the server's pings. One more closes it (1008). @default 5, as Binance
   */
  readonly maxIncomingMessagesPerSecond?: number;
  /** Largest message a client may send. @default 65_536 */
  readonly maxMessageBytes?: number;
  /** Server time for payloads, signatures and listen keys. @default Date.now */
  readonly clock?: () => number;
  /** Take the client IP from X-Forwarded-For (behind a load balancer), as REST does. @default false */
  readonly trustProxy?: boolean;
}

export interface WebSocketGatewayStats {
  readonly connections: number;
  /** Market streams listened to, summed over connections. */
  readonly subscriptions: number;
  readonly slowConsumersDropped: number;
}

export interface WebSocketGateway {
  stats(): WebSocketGatewayStats;
  /** Closes every connection (1001, going away) and stops the timers; the http server stays up. */
  close(): Promise<void>;
}

/** What an upgrade request gets: a connection, or a refusal with Binance's {code, msg}. */
type Route =
  | { readonly api: boolean; readonly open: (ws: WebSocket, ip: string) => void }
  | { readonly refuse: 400 | 404; readonly body: Record<string, unknown> };

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`${name} ${value} is invalid: use a positive number`);
  return value;
}

/**
 * Binance's WebSockets on the exchange's http(s) server:
 *
 *   /ws/<stream> and /ws          raw market streams (and SUBSCRIBE ... on the socket)
 *   /stream?streams=<a>/<b>       combined market streams: {"stream", "data"}
 *   /ws/<listenKey>               the user data of a listen key (older clients)
 *   /ws-api/v3                    the WebSocket API: sessions, user data subscriptions, and REST's
 *                                 routes under Binance's method names (ws-api-routes.ts)
 *
 * Any other upgrade gets a 404. The server is shared with REST: only the 'upgrade' event is taken.
 */
export function attachWebSocketGateway(
  server: HttpServer | HttpsServer,
  deps: WebSocketGatewayDeps,
  options: WebSocketGatewayOptions = {},
): WebSocketGateway {
  const clock = options.clock ?? Date.now;
  const pingIntervalMs = positive('pingIntervalMs', options.pingIntervalMs ?? 20_000);
  const pongTimeoutMs = positive('pongTimeoutMs', options.pongTimeoutMs ?? 60_000);
  const maxUnansweredPings = Math.max(1, Math.ceil(pongTimeoutMs / pingIntervalMs));
  const maxBufferedBytes = positive('maxBufferedBytes', options.maxBufferedBytes ?? 4 * 1024 * 1024);
  const maxStreams = positive('maxStreamsPerConnection', options.maxStreamsPerConnection ?? 1024);
  const maxIncoming = positive('maxIncomingMessagesPerSecond', options.maxIncomingMessagesPerSecond ?? 5);
  const maxPayload = positive('maxMessageBytes', options.maxMessageBytes ?? 65_536);

  const { marketData, userData, listenKeys } = deps;
  const hub = new StreamHub<MarketStream>();
  const streams = new MarketStreams(marketData, hub, { clock });
  streams.start();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const sockets = new Set<ClientSocket>();
  /** Connections reading a listen key's user data, by key, so an ended key closes them. */
  const byListenKey = new Map<string, Set<WebSocket>>();
  let slowConsumersDropped = 0;

  const parse = (name: string) =>
    parseStreamName(name, (symbol) => marketData.market(symbol) !== undefined, marketData.klineTimeZones);
  const marketDeps = {
    hub,
    parse,
    subscribed: (name: string, stream: MarketStream) => streams.subscribed(name, stream),
    maxStreams,
  };

  const track = (ws: WebSocket, combined: boolean, timeUnit: TimeUnit, rate?: MessageRate): ClientSocket => {
    const incoming = rate === undefined ? undefined : { rate, clock };
    const limits = { maxBufferedBytes, maxUnansweredPings, ...(incoming !== undefined && { incoming }) };
    const socket = new ClientSocket(ws, combined, timeUnit, limits, () => {
      slowConsumersDropped++;
    });
    sockets.add(socket);
    ws.on('close', () => sockets.delete(socket));
    ws.on('error', () => ws.terminate());
    return socket;
  };

  const attachListenKey = (
    ws: WebSocket,
    socket: ClientSocket,
    listenKey: string,
    owner: { readonly userId: number; readonly apiKey: string },
  ) => {
    const unsubscribe = userData.subscribe(owner.userId, (events: readonly UserEvent[]) => {
      // The key that opened the listen key must still be allowed to read, at every delivery.
      if (!mayUse(deps.apiKeys.identify(owner.apiKey), 'USER_STREAM')) {
        listenKeys.close(listenKey, owner.userId);
        return;
      }
      for (const event of events) {
        const json = eventJson(event, socket.timeUnit);
        socket.deliver(
          Buffer.from(socket.combined ? `{"stream":${JSON.stringify(listenKey)},"data":${json}}` : json),
        );
      }
    });
    let set = byListenKey.get(listenKey);
    if (set === undefined) {
      set = new Set();
      byListenKey.set(listenKey, set);
    }
    set.add(ws);
    ws.on('close', () => {
      unsubscribe();
      set.delete(ws);
      if (set.size === 0 && byListenKey.get(listenKey) === set) byListenKey.delete(listenKey);
    });
  };

  const openMarket = (ws: WebSocket, names: readonly string[], combined: boolean, timeUnit: TimeUnit) => {
    const socket = track(ws, combined, timeUnit, new MessageRate(maxIncoming, 1_000));
    const connection = new MarketConnection(socket, marketDeps);
    for (const name of names) {
      const owner = listenKeys.resolve(name);
      if (owner !== undefined && mayUse(deps.apiKeys.identify(owner.apiKey), 'USER_STREAM')) {
        attachListenKey(ws, socket, name, owner);
      }
      // Names were checked before the upgrade; what is left is a raw /ws/<id> that names no stream
      // (ccxt connects to /ws/0 and subscribes afterwards), which adds nothing.
      else connection.add(name);
    }
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!socket.admit() || isBinary) return;
      connection.handle(data.toString());
    });
    ws.on('close', () => connection.close());
  };

  const openApi = (ws: WebSocket, timeUnit: TimeUnit, ip: string, returnRateLimits: boolean) => {
    const socket = track(ws, false, timeUnit);
    const session = new WsApiSession(
      socket,
      {
        apiKeys: deps.apiKeys,
        userData,
        limiter: deps.limiter,
        routes: deps.routes,
        logger: deps.logger,
        clock,
      },
      { ip, timeUnit, returnRateLimits },
    );
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      session.handle(data.toString());
    });
    ws.on('close', () => session.close());
  };

  /**
   * A name on a stream URL that is neither a listen key nor a stream: refused before the upgrade
   * (Binance answers such a URL with 400), so that a typo is an error, not a silent socket. A raw
   * /ws/<name> with no '@' and no '!' is taken as a connection id (ccxt's /ws/0), not a stream.
   */
  const invalidName = (names: readonly string[], combined: boolean): string | undefined =>
    names.find(
      (name) =>
        (combined || name.includes('@') || name.startsWith('!')) &&
        listenKeys.resolve(name) === undefined &&
        parse(name) === undefined,
    );

  /** Throws an ApiError for a bad URL parameter (timeUnit). */
  const route = (rawUrl: string): Route => {
    const url = new URL(rawUrl, 'http://localhost');
    const path = url.pathname;
    const unit = parseTimeUnit(url.searchParams.get('timeUnit') ?? undefined);
    let names: string[];
    let combined = false;
    if (path === '/ws' || path === '/ws/') names = [];
    else if (path.startsWith('/ws/')) names = [decodeURIComponent(path.slice(4))];
    else if (path === '/stream') {
      // Not searchParams: form decoding would read the '+' of `@+08:00` as a space.
      const streams = /(?:^|&)streams=([^&]*)/.exec(url.search.slice(1))?.[1] ?? '';
      names = decodeURIComponent(streams)
        .split('/')
        .filter((n) => n.length > 0);
      combined = true;
    } else if (path === '/ws-api/v3') {
      const returnRateLimits = url.searchParams.get('returnRateLimits') !== 'false';
      return { api: true, open: (ws, ip) => openApi(ws, unit, ip, returnRateLimits) };
    } else return { refuse: 404, body: errors.unknownPath('GET', path).body() };
    const invalid = invalidName(names, combined);
    if (invalid !== undefined) {
      return {
        refuse: 400,
        body: { code: 2, msg: `Invalid request: invalid stream name '${invalid.slice(0, 100)}'` },
      };
    }
    return { api: false, open: (ws) => openMarket(ws, names, combined, unit) };
  };

  /** Refuses an upgrade with Binance's {code, msg} body (and Retry-After for a rate limit). */
  const refuse = (socket: Duplex, error: ApiError) => {
    const reason = error.status === 400 ? 'Bad Request' : 'Too Many Requests';
    const headers: Record<string, number> =
      error instanceof RateLimitError ? { 'Retry-After': error.retryAfterS } : {};
    socket.end(rawJsonAnswer(error.status, reason, error.body(), headers));
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    let decision: Route;
    try {
      decision = route(request.url ?? '/');
    } catch (error) {
      if (error instanceof ApiError) {
        refuse(socket, error);
        return;
      }
      // A malformed URL (bad percent-encoding).
      decision = { refuse: 400, body: { code: 2, msg: 'Invalid request: malformed URL' } };
    }
    if ('refuse' in decision) {
      const reason = decision.refuse === 404 ? 'Not Found' : 'Bad Request';
      socket.end(rawJsonAnswer(decision.refuse, reason, decision.body));
      return;
    }
    // Every connection counts against its IP, with REST's requests: a banned IP cannot connect.
    const ip = clientIp(request, options.trustProxy === true);
    const now = clock();
    let verdict = deps.limiter.connect(ip, now);
    if (verdict.ok && decision.api) verdict = deps.limiter.weigh(ip, WS_API_CONNECT_WEIGHT, now);
    if (!verdict.ok) {
      refuse(socket, new RateLimitError(verdict));
      return;
    }
    const { open } = decision;
    wss.handleUpgrade(request, socket, head, (ws) => open(ws, ip));
  };
  server.on('upgrade', onUpgrade);

  const stopListenKeys = listenKeys.onEnd((listenKey) => {
    const set = byListenKey.get(listenKey);
    if (set === undefined) return;
    byListenKey.delete(listenKey);
    const expired = JSON.stringify({ e: 'listenKeyExpired', E: clock(), listenKey });
    for (const ws of set) {
      if (ws.readyState === WebSocket.OPEN) ws.send(expired);
      ws.close(1000, 'listen key expired');
    }
  });

  const pinger = setInterval(() => {
    for (const socket of sockets) socket.keepalive();
    listenKeys.sweep();
  }, pingIntervalMs);
  pinger.unref();

  return {
    stats: () => {
      let subscriptions = 0;
      for (const [, topic] of hub.active()) subscriptions += topic.clients.size;
      return { connections: sockets.size, subscriptions, slowConsumersDropped };
    },
    close: async () => {
      server.off('upgrade', onUpgrade);
      clearInterval(pinger);
      stopListenKeys();
      streams.stop();
      const closed = [...sockets].map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.ws.readyState === WebSocket.CLOSED) return resolve();
            socket.ws.once('close', () => resolve());
            socket.ws.close(1001, 'server shutting down');
            // A peer that does not finish the close handshake promptly is cut off.
            setTimeout(() => socket.ws.terminate(), 1_000).unref();
          }),
      );
      await Promise.all(closed);
    },
  };
}
